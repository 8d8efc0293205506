#!/usr/bin/env bash
# Brings the compose stack up, waits for health, checks /ready and the entity list, tears it down.
# Needs a running Docker engine (the docker client alone is not enough).
set -euo pipefail
cd "$(dirname "$0")/.."
project="vibecheck-verify-$$"
compose=(docker compose -p "$project" -f docker-compose.yml)
cleanup() { "${compose[@]}" down -v --remove-orphans >/dev/null 2>&1 || true; }
trap cleanup EXIT

docker info >/dev/null 2>&1 || { echo "verify-docker: no Docker engine is running" >&2; exit 2; }
"${compose[@]}" up -d --build

echo "waiting for http://127.0.0.1:8080/health ..."
for _ in $(seq 1 90); do
  if curl -fsS http://127.0.0.1:8080/health >/dev/null 2>&1; then break; fi
  sleep 2
done
curl -fsS http://127.0.0.1:8080/health >/dev/null || { echo "health check failed" >&2; "${compose[@]}" logs app >&2; exit 1; }
curl -fsS http://127.0.0.1:8080/ready >/dev/null || { echo "/ready failed" >&2; exit 1; }
count=$(curl -fsS http://127.0.0.1:8080/api/v1/entities | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).items.length))')
[ "$count" -ge 40 ] || { echo "expected >= 40 entities, got $count" >&2; exit 1; }
echo "ok: healthy, ready, $count entities"
