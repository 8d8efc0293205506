-- vibecheck:no-transaction
-- Mention alert rules look for posts fetched since their cursor: an index on fetched_at answers that
-- from the few new posts instead of every mention of the last two days. Built CONCURRENTLY, outside a
-- transaction, so a large database keeps taking posts while it builds. (A build that fails leaves an
-- invalid index that IF NOT EXISTS then keeps: `DROP INDEX CONCURRENTLY posts_fetched_at_idx` and
-- migrate again.)
CREATE INDEX CONCURRENTLY IF NOT EXISTS posts_fetched_at_idx ON posts (fetched_at);
