-- Reposts: the same text counts once only when it is plausibly the same post, not whenever two
-- people happen to write the same 40 characters. post_texts now holds repost keys (repostKeys in
-- src/db/queries/ingest.ts derives the same ones for new posts):
--   t:<content hash>                       any author, texts of 200 characters or more (a copy)
--   a:sha256(author \n content hash)       the same author, texts of 40 to 199 characters
--   u:sha256(url \n content hash)          the same link, top-level posts with texts under 200
-- each owned by the first post of its group. A writer claims keys with INSERT .. ON CONFLICT, so
-- concurrent writers of the same post still serialise on the key, as before.
DO $$
BEGIN
  IF EXISTS (
    SELECT 1 FROM information_schema.columns
    WHERE table_schema = current_schema() AND table_name = 'post_texts' AND column_name = 'content_hash'
  ) THEN
    ALTER TABLE post_texts RENAME COLUMN content_hash TO repost_key;
  END IF;
END
$$;

-- Posts flagged under the old rule that are not the same post as any earlier one under the new rule
-- count again. They were stored without mentions; clearing model_version makes `vibecheck rescore`
-- analyse them and rebuild the rollups they touch.
UPDATE posts p SET duplicate_of = NULL, model_version = NULL
WHERE p.duplicate_of IS NOT NULL
  AND NOT EXISTS (
    SELECT 1 FROM posts q
    WHERE q.content_hash = p.content_hash AND q.id < p.id
      AND (
        (length(p.body) >= 200 AND length(q.body) >= 200)
        OR (length(p.body) >= 40 AND length(q.body) >= 40 AND p.author = q.author)
        OR (p.parent_id IS NULL AND q.parent_id IS NULL AND p.url = q.url)
      )
  );

DELETE FROM post_texts;

INSERT INTO post_texts (repost_key, post_id)
SELECT DISTINCT ON (repost_key) repost_key, root
FROM (
  SELECT 't:' || content_hash AS repost_key, coalesce(duplicate_of, id) AS root, id
  FROM posts WHERE length(body) >= 200
  UNION ALL
  SELECT 'a:' || encode(sha256(convert_to(author || E'\n' || content_hash, 'UTF8')), 'hex'), coalesce(duplicate_of, id), id
  FROM posts WHERE author IS NOT NULL AND length(body) >= 40 AND length(body) < 200
  UNION ALL
  SELECT 'u:' || encode(sha256(convert_to(url || E'\n' || content_hash, 'UTF8')), 'hex'), coalesce(duplicate_of, id), id
  FROM posts WHERE url IS NOT NULL AND parent_id IS NULL AND length(body) < 200
) keys
ORDER BY repost_key, id
ON CONFLICT (repost_key) DO NOTHING;
