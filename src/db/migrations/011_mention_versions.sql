-- The version the author names for the mentioned entity: a model generation ("4.5", "r1") or a
-- client release ("2.0.55"), normalised by src/understand/versions; null when the post names none.
-- Rows stored before this migration stay null until `vibecheck rescore` reads them again.
--
-- A nullable column with no default: no table rewrite, and TimescaleDB accepts it on a compressed
-- hypertable. The partial index serves per-version reads of one entity over a window.
ALTER TABLE mentions ADD COLUMN IF NOT EXISTS version text;

CREATE INDEX IF NOT EXISTS mentions_entity_version_time_idx
  ON mentions (entity_id, version, created_at)
  WHERE version IS NOT NULL;
