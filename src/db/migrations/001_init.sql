-- Core schema. Time-series tables carry their time column in every unique index so the
-- TimescaleDB migration can turn them into hypertables without changing them.

CREATE TABLE IF NOT EXISTS entities (
  id             serial PRIMARY KEY,
  slug           text NOT NULL UNIQUE,
  name           text NOT NULL,
  kind           text NOT NULL CHECK (kind IN ('model', 'tool', 'vendor')),
  parent_id      integer REFERENCES entities (id) ON DELETE SET NULL,
  aliases        text[] NOT NULL DEFAULT '{}',
  disambiguation jsonb NOT NULL DEFAULT '{}'::jsonb,
  homepage       text,
  origin         text NOT NULL DEFAULT 'registry' CHECK (origin IN ('registry', 'user')),
  user_modified  boolean NOT NULL DEFAULT false,
  removed_at     timestamptz,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS entities_parent_idx ON entities (parent_id);

CREATE TABLE IF NOT EXISTS posts (
  id            bigserial PRIMARY KEY,
  source        text NOT NULL,
  external_id   text NOT NULL,
  url           text,
  author        text,
  title         text,
  body          text NOT NULL,
  created_at    timestamptz NOT NULL,
  fetched_at    timestamptz NOT NULL DEFAULT now(),
  score         integer,
  comments      integer,
  parent_id     text,
  thread_id     text,
  content_hash  text NOT NULL,
  -- Post-level sentiment; the per-entity (targeted) sentiment lives on mentions.
  sentiment_label      text CHECK (sentiment_label IN ('positive', 'neutral', 'negative')),
  sentiment_score      real,
  sentiment_confidence real,
  model_version        text,
  -- Set when the same text was already stored from another source or id.
  duplicate_of  bigint REFERENCES posts (id) ON DELETE SET NULL,
  CONSTRAINT posts_source_external_id_key UNIQUE (source, external_id)
);
CREATE INDEX IF NOT EXISTS posts_content_hash_idx ON posts (content_hash);
CREATE INDEX IF NOT EXISTS posts_created_at_idx ON posts (created_at);

CREATE TABLE IF NOT EXISTS mentions (
  post_id        bigint NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
  entity_id      integer NOT NULL REFERENCES entities (id) ON DELETE CASCADE,
  created_at     timestamptz NOT NULL,
  source         text NOT NULL,
  -- False when the entity counts through a more specific one ("Sonnet 4.5" -> Anthropic).
  direct         boolean NOT NULL DEFAULT true,
  matched_text   text NOT NULL,
  start_offset   integer NOT NULL,
  end_offset     integer NOT NULL,
  label          text NOT NULL CHECK (label IN ('positive', 'neutral', 'negative')),
  score          real NOT NULL CHECK (score BETWEEN -1 AND 1),
  confidence     real NOT NULL CHECK (confidence BETWEEN 0 AND 1),
  model_version  text NOT NULL,
  engagement     integer NOT NULL DEFAULT 0,
  PRIMARY KEY (post_id, entity_id, created_at)
);
CREATE INDEX IF NOT EXISTS mentions_entity_time_idx ON mentions (entity_id, created_at DESC);

CREATE TABLE IF NOT EXISTS mention_aspects (
  post_id       bigint NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
  entity_id     integer NOT NULL REFERENCES entities (id) ON DELETE CASCADE,
  created_at    timestamptz NOT NULL,
  source        text NOT NULL,
  aspect        text NOT NULL,
  polarity      text NOT NULL CHECK (polarity IN ('positive', 'neutral', 'negative')),
  score         real NOT NULL CHECK (score BETWEEN -1 AND 1),
  confidence    real NOT NULL CHECK (confidence BETWEEN 0 AND 1),
  evidence      text NOT NULL,
  start_offset  integer NOT NULL,
  end_offset    integer NOT NULL,
  tier          text NOT NULL DEFAULT 'rules',
  PRIMARY KEY (post_id, entity_id, aspect, created_at)
);
CREATE INDEX IF NOT EXISTS mention_aspects_entity_time_idx ON mention_aspects (entity_id, created_at DESC);

-- Per entity x source x UTC hour: counts and the sums that let any larger bucket's mean and
-- variance be recombined exactly (never a mean of means).
CREATE TABLE IF NOT EXISTS sentiment_rollups (
  entity_id             integer NOT NULL REFERENCES entities (id) ON DELETE CASCADE,
  bucket                timestamptz NOT NULL,
  source                text NOT NULL,
  n                     integer NOT NULL DEFAULT 0,
  positive              integer NOT NULL DEFAULT 0,
  neutral               integer NOT NULL DEFAULT 0,
  negative              integer NOT NULL DEFAULT 0,
  score_sum             double precision NOT NULL DEFAULT 0,
  score_sq_sum          double precision NOT NULL DEFAULT 0,
  weight_sum            double precision NOT NULL DEFAULT 0,
  weighted_score_sum    double precision NOT NULL DEFAULT 0,
  weighted_score_sq_sum double precision NOT NULL DEFAULT 0,
  weight_sq_sum         double precision NOT NULL DEFAULT 0,
  engagement_sum        bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (entity_id, bucket, source)
);

CREATE TABLE IF NOT EXISTS collection_runs (
  id           bigserial PRIMARY KEY,
  source       text NOT NULL,
  kind         text NOT NULL CHECK (kind IN ('poll', 'backfill', 'import')),
  started_at   timestamptz NOT NULL DEFAULT now(),
  finished_at  timestamptz,
  status       text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'succeeded', 'failed', 'skipped')),
  fetched      integer NOT NULL DEFAULT 0,
  stored       integer NOT NULL DEFAULT 0,
  duplicates   integer NOT NULL DEFAULT 0,
  rejected     integer NOT NULL DEFAULT 0,
  error        text,
  details      jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX IF NOT EXISTS collection_runs_source_started_idx ON collection_runs (source, started_at DESC);

CREATE TABLE IF NOT EXISTS source_cursors (
  source      text NOT NULL,
  query_key   text NOT NULL,
  cursor      jsonb NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (source, query_key)
);

CREATE TABLE IF NOT EXISTS events (
  id           bigserial PRIMARY KEY,
  entity_id    integer REFERENCES entities (id) ON DELETE CASCADE,
  kind         text NOT NULL CHECK (kind IN ('release', 'incident', 'spike', 'note')),
  source       text NOT NULL,
  external_id  text NOT NULL,
  title        text NOT NULL,
  url          text,
  body         text,
  occurred_at  timestamptz NOT NULL,
  details      jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at   timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT events_identity_key UNIQUE (source, external_id, kind)
);
CREATE INDEX IF NOT EXISTS events_entity_time_idx ON events (entity_id, occurred_at DESC);
CREATE INDEX IF NOT EXISTS events_time_idx ON events (occurred_at DESC);
