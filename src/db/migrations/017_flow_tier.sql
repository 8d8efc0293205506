-- Which tier read each switching flow: 'rules' (src/understand/flows/extract-flows.ts) or 'llm' (the
-- optional endpoint, asked about posts with a movement cue or a flow the rules found). Every flow
-- stored so far came from the rules, which the default says. A rescore reads with the rules only, so
-- it writes a post's flows back as 'rules'.
--
-- post_flows is a plain table (no hypertable), so the CHECK goes inline; IF NOT EXISTS makes the
-- file safe to run where the column is there already.
ALTER TABLE post_flows ADD COLUMN IF NOT EXISTS tier text NOT NULL DEFAULT 'rules' CHECK (tier IN ('rules', 'llm'));
