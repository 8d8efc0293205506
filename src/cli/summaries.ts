/** Every command's one-line summary, here so `vibecheck --help` lists them without loading any command's code. */
export const COMMAND_SUMMARIES = {
  serve: 'migrate, seed entities, serve the API and dashboard, and run the collection schedule and jobs',
  worker: 'run queued jobs (polls, backfills, batches, rollups, rescores, spike detection) from a PostgreSQL server',
  collect: 'run collectors now; --once runs one pass and prints a per-source summary',
  backfill: 'collect history for a time window; resumable (run it again to continue)',
  import: 'import posts from JSON Lines (- for stdin): link, score, store, update rollups',
  sentiment: 'the developer-text sentiment model',
  rescore: 're-run linking and scoring with the current model version, local model and rules only (resumable)',
  spikes:
    'find spikes and regressions over past days and store them as events (the schedule judges the last 14 days; run this after importing history)',
  db: 'database migrations',
  entities: 'manage tracked entities',
  doctor: 'check configuration, database, migrations and sources, one line each',
  export: 'print the sentiment series and posts of one entity (JSON, or one CSV table)',
  digest:
    'print the digest of a period: movers with their change and confidence, spikes with their explanation, releases and incidents, the most discussed posts',
  preview: 'fetch what one poll of SOURCE would fetch now, map it and print every item; nothing is stored',
  alerts: 'manage alert rules and run them',
  digests: 'manage daily and weekly digest subscriptions, sent through the alert channels',
} as const;
