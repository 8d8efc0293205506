-- Alert rules, the alerts they fired, the outbox that delivers them and every delivery attempt.
--
-- An alert is written with its outbox row in the transaction that detected it, so a crash between
-- detection and delivery loses nothing. (rule_id, event_key) is unique: one event is one alert,
-- however often evaluation runs. The idempotency key is stored with the alert and sent on every
-- attempt, so a retry after a restart carries the same key.

CREATE TABLE IF NOT EXISTS alert_rules (
  id               serial PRIMARY KEY,
  name             text NOT NULL,
  kind             text NOT NULL CHECK (kind IN ('shift', 'spike', 'aspect', 'mention')),
  entity_id        integer NOT NULL REFERENCES entities (id),
  -- Filters; null or empty: any.
  source           text,
  aspect           text,
  polarity         text CHECK (polarity IN ('positive', 'neutral', 'negative')),
  min_engagement   integer,
  include_words    text[] NOT NULL DEFAULT '{}',
  exclude_words    text[] NOT NULL DEFAULT '{}',
  -- shift: 'mean' or 'net' sentiment; aspect: 'share' or 'polarity'; spike: 'volume', 'negativity' or null (both).
  metric           text,
  direction        text NOT NULL DEFAULT 'both' CHECK (direction IN ('up', 'down', 'both')),
  -- The least change that fires (shift, aspect), the window compared with the one before it, and
  -- the mentions each window needs before it is judged.
  threshold        double precision,
  window_hours     integer NOT NULL DEFAULT 168 CHECK (window_hours BETWEEN 1 AND 8760),
  min_mentions     integer NOT NULL DEFAULT 20 CHECK (min_mentions >= 1),
  channel          text NOT NULL,
  secret           text NOT NULL,
  cooldown_minutes integer NOT NULL DEFAULT 60 CHECK (cooldown_minutes >= 0),
  max_per_day      integer NOT NULL DEFAULT 20 CHECK (max_per_day >= 1),
  enabled          boolean NOT NULL DEFAULT true,
  -- What evaluation remembers between runs: hysteresis per series, the mention scan position.
  state            jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at       timestamptz NOT NULL DEFAULT now(),
  removed_at       timestamptz
);
CREATE INDEX IF NOT EXISTS alert_rules_entity_idx ON alert_rules (entity_id) WHERE removed_at IS NULL;

CREATE TABLE IF NOT EXISTS alerts (
  id               bigserial PRIMARY KEY,
  rule_id          integer NOT NULL REFERENCES alert_rules (id),
  event_key        text NOT NULL,
  -- 'queued': handed to the outbox; 'suppressed': seen but not sent (cooldown, daily limit, a
  -- spike continuing one already sent), kept so the same event is never judged again.
  status           text NOT NULL CHECK (status IN ('queued', 'suppressed')),
  reason           text,
  idempotency_key  text NOT NULL UNIQUE,
  message          jsonb NOT NULL,
  fired_at         timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT alerts_rule_event_key UNIQUE (rule_id, event_key)
);
CREATE INDEX IF NOT EXISTS alerts_rule_fired_idx ON alerts (rule_id, fired_at DESC);

CREATE TABLE IF NOT EXISTS alert_outbox (
  alert_id         bigint PRIMARY KEY REFERENCES alerts (id),
  status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'delivered', 'dead')),
  attempts         integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL DEFAULT now(),
  -- A claimed row is 'sending' until lease_until; past it, a crashed sender's row is claimed again.
  lease_until      timestamptz,
  leased_by        text,
  last_error       text,
  delivered_at     timestamptz,
  updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS alert_outbox_due_idx ON alert_outbox (next_attempt_at) WHERE status IN ('pending', 'sending');

CREATE TABLE IF NOT EXISTS alert_deliveries (
  id               bigserial PRIMARY KEY,
  rule_id          integer NOT NULL REFERENCES alert_rules (id),
  -- Null for `alerts test`, which sends a sample outside the outbox.
  alert_id         bigint REFERENCES alerts (id),
  attempt          integer NOT NULL,
  attempted_at     timestamptz NOT NULL DEFAULT now(),
  duration_ms      integer NOT NULL,
  status_code      integer,
  outcome          text NOT NULL CHECK (outcome IN ('delivered', 'retry', 'dead', 'failed')),
  cause            text
);
CREATE INDEX IF NOT EXISTS alert_deliveries_rule_idx ON alert_deliveries (rule_id, attempted_at DESC);
