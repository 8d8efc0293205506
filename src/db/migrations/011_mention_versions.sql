-- The version the author names for the mentioned entity: a model generation ("4.5", "r1") or a
-- client release ("2.0.55"), normalised by src/understand/versions; null when the post names none.
--
-- A nullable column with no default: no table rewrite, and TimescaleDB accepts it on a compressed
-- hypertable. The partial index serves per-version reads of one entity over a window.
ALTER TABLE mentions ADD COLUMN IF NOT EXISTS version text;

CREATE INDEX IF NOT EXISTS mentions_entity_version_time_idx
  ON mentions (entity_id, version, created_at)
  WHERE version IS NOT NULL;

-- Mentions stored before this column have no version yet. Posts that could name one (a digit in
-- their text) lose their model version, so `vibecheck rescore` reads them again and fills it; the
-- sentiment model is unchanged, so their scores come back the same.
UPDATE posts SET model_version = NULL
WHERE model_version IS NOT NULL
  AND duplicate_of IS NULL
  AND (body ~ '[0-9]' OR title ~ '[0-9]')
  AND EXISTS (SELECT 1 FROM mentions m WHERE m.post_id = posts.id);
