// Types only: `import type` keeps every server module out of the bundle; the shapes are the
// server's own zod schemas, so a change there fails the web typecheck.
import type { z } from 'zod';
import type * as S from '../../../src/api/schemas.ts';
import type * as AlertsRoute from '../../../src/api/routes/alerts.ts';
import type * as DigestsRoute from '../../../src/api/routes/digests.ts';
import type { NewAlertRuleInput } from '../../../src/alerts/rules.ts';
import type { NewDigestSubscriptionInput } from '../../../src/alerts/subscriptions.ts';
import type * as SourcesRoute from '../../../src/api/routes/sources.ts';
import type * as VersionsRoute from '../../../src/api/routes/versions.ts';
import type * as FlowsRoute from '../../../src/api/routes/flows.ts';
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

export type SourceStatus = z.infer<typeof SourcesRoute.SourceStatus>;
export type SourceList = z.infer<typeof SourcesRoute.SourceList>;
export type SourcePreview = z.infer<typeof SourcesRoute.SourcePreview>;
export type SourcePreviewItem = z.infer<typeof SourcesRoute.PreviewItem>;

/** What `POST /api/v1/entities` accepts (defaults left out). */
export type NewEntity = z.input<typeof S.NewEntityBody>;
/** What `PATCH /api/v1/entities/{slug}` accepts. */
export type EntityChanges = z.input<typeof S.EntityChangesBody>;
/** What `POST /api/v1/events` accepts (defaults left out). */
export type NewEvent = z.input<typeof S.NewEventBody>;
export type AlertRule = z.infer<typeof AlertsRoute.AlertRule>;
export type CreatedAlertRule = z.infer<typeof AlertsRoute.CreatedAlertRule>;
export type AlertDelivery = z.infer<typeof AlertsRoute.Delivery>;
export type AlertTestResult = z.infer<typeof AlertsRoute.TestResult>;
export type NewAlertRule = z.input<typeof NewAlertRuleInput>;
export interface AlertRuleList {
  items: AlertRule[];
}
export type DigestSubscription = z.infer<typeof DigestsRoute.DigestSubscription>;
export type CreatedDigestSubscription = z.infer<typeof DigestsRoute.CreatedDigestSubscription>;
export type DigestDelivery = z.infer<typeof DigestsRoute.DigestDelivery>;
export type DigestSendResult = z.infer<typeof DigestsRoute.DigestSendResult>;
/** What `POST /api/v1/digests` accepts (defaults left out). */
export type NewDigestSubscription = z.input<typeof NewDigestSubscriptionInput>;

export type VersionBreakdown = z.infer<typeof VersionsRoute.VersionBreakdown>;
export type VersionRow = VersionBreakdown['items'][number];

export type FlowMatrix = z.infer<typeof FlowsRoute.FlowMatrix>;
export type FlowItem = FlowMatrix['items'][number];
export type FlowPostItem = z.infer<typeof FlowsRoute.FlowPostItem>;
export type FlowPostPage = z.infer<typeof FlowsRoute.FlowPostPage>;
