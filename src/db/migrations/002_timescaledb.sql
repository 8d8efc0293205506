-- Hypertables when TimescaleDB is installed on the server; a no-op everywhere else
-- (plain PostgreSQL, PGlite), so the same migrations run unchanged on every target.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb') THEN
    CREATE EXTENSION IF NOT EXISTS timescaledb;
    PERFORM create_hypertable('mentions', 'created_at', chunk_time_interval => interval '7 days',
                              if_not_exists => true, migrate_data => true);
    PERFORM create_hypertable('mention_aspects', 'created_at', chunk_time_interval => interval '7 days',
                              if_not_exists => true, migrate_data => true);
    PERFORM create_hypertable('sentiment_rollups', 'bucket', chunk_time_interval => interval '30 days',
                              if_not_exists => true, migrate_data => true);
  END IF;
END
$$;
