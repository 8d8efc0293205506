-- Mention alert rules look for posts fetched since their cursor: an index on fetched_at answers that
-- from the few new posts instead of every mention of the last two days.
CREATE INDEX IF NOT EXISTS posts_fetched_at_idx ON posts (fetched_at);
