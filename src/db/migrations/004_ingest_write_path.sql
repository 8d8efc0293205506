-- The write path of ingest, made cheaper (measured with EXPLAIN ANALYZE on a 500-post batch).
--
-- 1. The daily rollups are written by the same statement that adds to the hourly ones
--    (insertAnalysed, addToRollups, rebuildRollups): one set-based upsert per batch instead of a
--    PL/pgSQL call per hourly row, which cost a fifth of an import's database time.
DROP TRIGGER IF EXISTS sentiment_rollups_daily_sync ON sentiment_rollups;
DROP FUNCTION IF EXISTS sentiment_rollups_to_daily();

-- 2. Foreign-key checks on the high-volume rows were 40% of the time of the statement that stores
--    a batch's mentions, aspects and rollups: one check per row per key. The checks kept are the
--    one that matters, every mention belongs to a stored post. The ones dropped guarded nothing
--    reachable: entities are never deleted (removing one sets removed_at), and aspects are written
--    in the same statement as their mention (ingest) or transaction (rescore).
ALTER TABLE mentions DROP CONSTRAINT IF EXISTS mentions_entity_id_fkey;
ALTER TABLE mention_aspects DROP CONSTRAINT IF EXISTS mention_aspects_entity_id_fkey;
ALTER TABLE mention_aspects DROP CONSTRAINT IF EXISTS mention_aspects_post_id_fkey;
ALTER TABLE sentiment_rollups DROP CONSTRAINT IF EXISTS sentiment_rollups_entity_id_fkey;
ALTER TABLE sentiment_rollups_daily DROP CONSTRAINT IF EXISTS sentiment_rollups_daily_entity_id_fkey;
