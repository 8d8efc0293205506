-- The first post of each text, claimed by a unique key. Repost detection used to look for an
-- earlier post with the same content hash, which two writers committing at the same moment (worker
-- processes, serve beside an import) could not see of each other: both copies counted. A writer now
-- claims the hash with INSERT .. ON CONFLICT; one holding the same text waits for the first to
-- commit and then finds it. The key replaces the plain index on posts.content_hash.
CREATE TABLE IF NOT EXISTS post_texts (
  content_hash  text PRIMARY KEY,
  post_id       bigint NOT NULL REFERENCES posts (id) ON DELETE CASCADE
);

INSERT INTO post_texts (content_hash, post_id)
SELECT DISTINCT ON (content_hash) content_hash, id
FROM posts
WHERE duplicate_of IS NULL AND length(body) >= 40
ORDER BY content_hash, id
ON CONFLICT (content_hash) DO NOTHING;

DROP INDEX IF EXISTS posts_content_hash_idx;
