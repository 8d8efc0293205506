import { EARLIEST_DATE, planRange, planSeriesWindow, type SeriesWindowInput } from '../../core/series-window.ts';
import { EMPTY_SUMS, summarize } from '../../core/stats.ts';
import type { EntityRecord, Executor } from '../../db/queries/entities.ts';
import { listEvents } from '../../db/queries/events.ts';
import { getVersionBucketSums, getVersionSpans, getVersionSums } from '../../db/queries/versions.ts';
import { findArrival } from '../../understand/versions/index.ts';

export interface VersionBreakdownInput extends SeriesWindowInput {
  source?: string | undefined;
}

const YEAR_MS = 366 * 86_400_000;

/** Newest first: "4.5" before "4.1" before "4", "2.0.10" before "2.0.9". */
function compareVersionsDescending(a: string, b: string): number {
  return b.localeCompare(a, 'en', { numeric: true });
}

/**
 * An entity's mentions in exactly [from, to) per version the posts name, each with the statistics
 * of a series point, when the version was first and last named (at any time), and the release event
 * that marks its arrival; with a bucket, each version's series too (adding up to its row).
 */
export async function buildVersionBreakdown(db: Executor, entity: EntityRecord, input: VersionBreakdownInput, now = new Date()) {
  const { from, to } = planRange(input, now);
  const rows = await getVersionSums(db, { entityId: entity.id, from, to, source: input.source });
  const named = rows.filter((r): r is typeof r & { version: string } => r.version !== null);
  const versions = named.map((r) => r.version).sort(compareVersionsDescending);
  const window = input.bucket === undefined ? null : planSeriesWindow(input, now, Math.max(1, versions.length));
  const [spans, releases, buckets] = await Promise.all([
    getVersionSpans(db, entity.id, versions),
    listEvents(db, { entityIds: [entity.id], kind: 'release', from: EARLIEST_DATE, to: new Date(now.getTime() + YEAR_MS), limit: 5000 }),
    window ? getVersionBucketSums(db, { entityId: entity.id, from, to, source: input.source, starts: window.starts, versions }) : undefined,
  ]);
  const unversioned = rows.find((r) => r.version === null);
  const versionedN = named.reduce((n, r) => n + r.sums.n, 0);
  const byVersion = new Map(named.map((r) => [r.version, r.sums]));
  return {
    entity: entity.slug,
    from: from.toISOString(),
    to: to.toISOString(),
    source: input.source ?? null,
    bucket: window?.bucket ?? null,
    tz: window?.tz ?? null,
    n: versionedN + (unversioned?.sums.n ?? 0),
    versionedN,
    unversioned: summarize(unversioned?.sums ?? EMPTY_SUMS),
    items: versions.map((version) => {
      const sums = byVersion.get(version)!;
      const span = spans.get(version);
      const release = findArrival(releases, version);
      return {
        version,
        ...summarize(sums),
        share: versionedN > 0 ? sums.n / versionedN : null,
        firstSeen: span ? span.first.toISOString() : null,
        lastSeen: span ? span.last.toISOString() : null,
        release: release ? { id: release.id, title: release.title, url: release.url, occurredAt: release.occurredAt.toISOString() } : null,
        series: window
          ? window.starts.map((start, i) => ({ bucketStart: start.toISOString(), ...summarize(buckets?.get(version)?.[i] ?? EMPTY_SUMS) }))
          : null,
      };
    }),
  };
}
