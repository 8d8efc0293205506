// Types only: `import type` keeps every server module out of the bundle; the shapes are the
// server's own zod schemas, so a change there fails the web typecheck.
import type { z } from 'zod';
import type * as S from '../../../src/api/schemas.ts';
import type { Explanation as ExplanationSchema } from '../../../src/api/views/explain.ts';

export type Entity = z.infer<typeof S.Entity>;
export type EntityList = z.infer<typeof S.EntityList>;
export type EntitySummary = z.infer<typeof S.EntitySummary>;
export type EntityKind = Entity['kind'];
export type SeriesPoint = z.infer<typeof S.SeriesPointWithStart>;
export type EntityEvent = z.infer<typeof S.Event>;
export type Events = z.infer<typeof S.EventList>;
export type SentimentSeries = z.infer<typeof S.SentimentSeries>;
export type AspectScore = z.infer<typeof S.AspectScore>;
export type Aspects = z.infer<typeof S.AspectBreakdown>;
export type Breakdown = z.infer<typeof S.Breakdown>;
export type PostItem = z.infer<typeof S.PostItem>;
export type PostPage = z.infer<typeof S.PostPage>;
export type Compare = z.infer<typeof S.CompareResult>;
export type Explanation = z.infer<typeof ExplanationSchema>;

// GET /api/v1/sources declares its schema inside its route file; this mirrors it.
export interface SourceStatus {
  name: string;
  enabled: boolean;
  intervalSeconds: number | null;
  skipReason: string | null;
  lastRunAt: string | null;
  lastStatus: 'running' | 'succeeded' | 'failed' | 'skipped' | null;
  lastSuccessAt: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
  runs: number;
  itemsCollected: number;
  mentionsStored: number;
}
export interface SourceList {
  /** Whether the server runs the collection schedule. */
  collection: boolean;
  items: SourceStatus[];
}
