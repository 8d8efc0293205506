import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json = ColumnType<unknown, string, string>;
/** A column the database fills with its default when an insert leaves it out. */
type WithDefault<T> = ColumnType<T, T | undefined, T>;
/** bigint columns come back as numbers (safe below 2^53, see client.ts). */
type BigId = number;

export interface EntitiesTable {
  id: Generated<number>;
  slug: string;
  name: string;
  kind: 'model' | 'tool' | 'vendor';
  parent_id: number | null;
  aliases: string[];
  disambiguation: Json;
  homepage: string | null;
  origin: ColumnType<'registry' | 'user', 'registry' | 'user' | undefined, 'registry' | 'user'>;
  user_modified: ColumnType<boolean, boolean | undefined, boolean>;
  removed_at: Date | null;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export interface PostsTable {
  id: Generated<number>;
  source: string;
  external_id: string;
  url: string | null;
  author: string | null;
  title: string | null;
  body: string;
  created_at: Timestamp;
  fetched_at: DefaultTimestamp;
  score: number | null;
  comments: number | null;
  parent_id: string | null;
  thread_id: string | null;
  content_hash: string;
  sentiment_label: 'positive' | 'neutral' | 'negative' | null;
  sentiment_score: number | null;
  sentiment_confidence: number | null;
  model_version: string | null;
  duplicate_of: BigId | null;
}

export interface MentionsTable {
  post_id: BigId;
  entity_id: number;
  created_at: Timestamp;
  source: string;
  direct: boolean;
  matched_text: string;
  start_offset: number;
  end_offset: number;
  label: 'positive' | 'neutral' | 'negative';
  score: number;
  confidence: number;
  model_version: string;
  engagement: number;
  /** Which tier produced the sentiment: the local model or the optional LLM tier. */
  sentiment_tier: WithDefault<'local' | 'llm'>;
  /** The version the post names for the entity ("4.5", "r1", "2.0.55"; migration 011), null when none. */
  version: WithDefault<string | null>;
}

export interface MentionAspectsTable {
  post_id: BigId;
  entity_id: number;
  created_at: Timestamp;
  source: string;
  aspect: string;
  polarity: 'positive' | 'neutral' | 'negative';
  score: number;
  confidence: number;
  evidence: string;
  start_offset: number;
  end_offset: number;
  /** Who found the aspect: `rules`, `model` (the learned model's addition to the rules) or `llm`. */
  tier: string;
}

/** Switching flows (migration 010): one row per statement of movement in a post; either side may be null, never both. */
export interface PostFlowsTable {
  id: Generated<number>;
  post_id: BigId;
  from_entity_id: number | null;
  to_entity_id: number | null;
  kind: 'switch' | 'return' | 'adds';
  reason: string | null;
  evidence: string;
  start_offset: number;
  end_offset: number;
  confidence: number;
  created_at: Timestamp;
  source: string;
  /** Which tier read the flow: the rules, or the optional LLM tier (migration 017). */
  tier: WithDefault<'rules' | 'llm'>;
}

export interface SentimentRollupsTable {
  entity_id: number;
  bucket: Timestamp;
  source: string;
  n: number;
  positive: number;
  neutral: number;
  negative: number;
  score_sum: number;
  score_sq_sum: number;
  weight_sum: number;
  weighted_score_sum: number;
  weighted_score_sq_sum: number;
  weight_sq_sum: number;
  engagement_sum: BigId;
}

/** Filled by a trigger on sentiment_rollups (migration 003): the same sums per UTC day, for long windows. */
export interface SentimentRollupsDailyTable extends Omit<SentimentRollupsTable, 'bucket'> {
  day: Timestamp;
}

/** The first post of each repost key (migration 005, re-keyed in 007): a later post with the key is a repost of it. */
export interface PostTextsTable {
  repost_key: string;
  post_id: BigId;
}

export interface CollectionRunsTable {
  id: Generated<number>;
  source: string;
  kind: 'poll' | 'backfill' | 'import';
  started_at: DefaultTimestamp;
  finished_at: WithDefault<Date | null>;
  status: WithDefault<'running' | 'succeeded' | 'failed' | 'skipped'>;
  fetched: WithDefault<number>;
  stored: WithDefault<number>;
  duplicates: WithDefault<number>;
  rejected: WithDefault<number>;
  error: WithDefault<string | null>;
  details: Json;
}

export interface SourceCursorsTable {
  source: string;
  query_key: string;
  cursor: Json;
  updated_at: DefaultTimestamp;
}

export interface EventsTable {
  id: Generated<number>;
  entity_id: number | null;
  kind: 'release' | 'incident' | 'spike' | 'note' | 'regression';
  source: string;
  external_id: string;
  title: string;
  url: string | null;
  body: string | null;
  occurred_at: Timestamp;
  details: Json;
  created_at: DefaultTimestamp;
}

export interface SchemaMigrationsTable {
  version: number;
  name: string;
  checksum: string;
  applied_at: DefaultTimestamp;
}

export interface AlertRulesTable {
  id: Generated<number>;
  name: string;
  kind: 'shift' | 'spike' | 'aspect' | 'mention' | 'regression' | 'digest';
  /** Null for a digest subscription's delivery rule (its entities are in digest_subscriptions) and a rule on a kind of entity. */
  entity_id: number | null;
  /** A rule on every entity of this kind; evaluation judges the rules made from it, one per entity. */
  entity_kind: WithDefault<'model' | 'tool' | 'vendor' | null>;
  /** The kind rule this entity's rule was made from. */
  parent_id: WithDefault<number | null>;
  source: string | null;
  aspect: string | null;
  polarity: 'positive' | 'neutral' | 'negative' | null;
  min_engagement: number | null;
  include_words: WithDefault<string[]>;
  exclude_words: WithDefault<string[]>;
  metric: string | null;
  direction: WithDefault<'up' | 'down' | 'both'>;
  threshold: number | null;
  window_hours: WithDefault<number>;
  min_mentions: WithDefault<number>;
  channel: string;
  secret: string;
  cooldown_minutes: WithDefault<number>;
  max_per_day: WithDefault<number>;
  enabled: WithDefault<boolean>;
  state: ColumnType<unknown, string | undefined, string>;
  created_at: DefaultTimestamp;
  removed_at: WithDefault<Date | null>;
}

export interface AlertsTable {
  id: Generated<number>;
  rule_id: number;
  event_key: string;
  status: 'queued' | 'suppressed';
  reason: string | null;
  idempotency_key: string;
  message: Json;
  fired_at: DefaultTimestamp;
}

export interface AlertOutboxTable {
  alert_id: BigId;
  status: WithDefault<'pending' | 'sending' | 'delivered' | 'dead'>;
  attempts: WithDefault<number>;
  next_attempt_at: DefaultTimestamp;
  lease_until: WithDefault<Date | null>;
  leased_by: WithDefault<string | null>;
  last_error: WithDefault<string | null>;
  delivered_at: WithDefault<Date | null>;
  updated_at: DefaultTimestamp;
}

export interface AlertDeliveriesTable {
  id: Generated<number>;
  rule_id: number;
  alert_id: BigId | null;
  attempt: number;
  attempted_at: DefaultTimestamp;
  duration_ms: number;
  status_code: number | null;
  outcome: 'delivered' | 'retry' | 'dead' | 'failed';
  cause: string | null;
}

export interface DigestSubscriptionsTable {
  rule_id: number;
  entities: WithDefault<string[]>;
  kinds: WithDefault<string[]>;
  cadence: 'daily' | 'weekly';
  hour_utc: WithDefault<number>;
  last_period: WithDefault<string | null>;
}

export interface DB {
  entities: EntitiesTable;
  posts: PostsTable;
  mentions: MentionsTable;
  mention_aspects: MentionAspectsTable;
  post_flows: PostFlowsTable;
  sentiment_rollups: SentimentRollupsTable;
  sentiment_rollups_daily: SentimentRollupsDailyTable;
  post_texts: PostTextsTable;
  collection_runs: CollectionRunsTable;
  source_cursors: SourceCursorsTable;
  events: EventsTable;
  schema_migrations: SchemaMigrationsTable;
  alert_rules: AlertRulesTable;
  alerts: AlertsTable;
  alert_outbox: AlertOutboxTable;
  alert_deliveries: AlertDeliveriesTable;
  digest_subscriptions: DigestSubscriptionsTable;
}
