-- Which tier produced each mention's sentiment: 'local' (the committed model) or 'llm' (the
-- optional endpoint, asked about mentions the local model was unsure of). Every stored mention was
-- scored locally, which the default says.
--
-- Two statements, not one: on a TimescaleDB hypertable the constraint added to the table reaches
-- every chunk, and with compression enabled TimescaleDB refuses ADD COLUMN with an inline CHECK
-- while accepting NOT NULL with a constant default (no table rewrite on PostgreSQL 11+); recent
-- versions also accept the separate ADD CONSTRAINT. The guard keeps the file safe to run where the
-- constraint already exists.
ALTER TABLE mentions ADD COLUMN IF NOT EXISTS sentiment_tier text NOT NULL DEFAULT 'local';

DO $$
BEGIN
  IF NOT EXISTS (
    SELECT 1 FROM pg_constraint
    WHERE conrelid = 'mentions'::regclass AND conname = 'mentions_sentiment_tier_check'
  ) THEN
    ALTER TABLE mentions ADD CONSTRAINT mentions_sentiment_tier_check CHECK (sentiment_tier IN ('local', 'llm'));
  END IF;
END
$$;
