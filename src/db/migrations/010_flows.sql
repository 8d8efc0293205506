-- Switching flows (issue 16): statements in a post that the author moved their use from one entity
-- to another (switch), went back to one (return) or added one next to another (adds), with the
-- reason they give as an aspect name. Either side may be an untracked tool (null), never both.
-- created_at and source are the post's, copied so the window and source filters need no join.
-- A rescore deletes a post's flows and writes them again.

CREATE TABLE IF NOT EXISTS post_flows (
  id              bigserial PRIMARY KEY,
  post_id         bigint NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
  from_entity_id  integer REFERENCES entities (id) ON DELETE CASCADE,
  to_entity_id    integer REFERENCES entities (id) ON DELETE CASCADE,
  kind            text NOT NULL CHECK (kind IN ('switch', 'return', 'adds')),
  reason          text,
  evidence        text NOT NULL,
  start_offset    integer NOT NULL,
  end_offset      integer NOT NULL,
  confidence      real NOT NULL CHECK (confidence BETWEEN 0 AND 1),
  created_at      timestamptz NOT NULL,
  source          text NOT NULL,
  CHECK (from_entity_id IS NOT NULL OR to_entity_id IS NOT NULL),
  CHECK (from_entity_id IS DISTINCT FROM to_entity_id)
);
-- The matrix reads a window, optionally narrowed to one entity on either side.
CREATE INDEX IF NOT EXISTS post_flows_time_idx ON post_flows (created_at);
CREATE INDEX IF NOT EXISTS post_flows_from_time_idx ON post_flows (from_entity_id, created_at);
CREATE INDEX IF NOT EXISTS post_flows_to_time_idx ON post_flows (to_entity_id, created_at);
-- Rescore replaces a post's flows.
CREATE INDEX IF NOT EXISTS post_flows_post_idx ON post_flows (post_id);
