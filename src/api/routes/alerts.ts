import { createRoute, z } from '@hono/zod-openapi';
import { renderAtomFeed } from '../../alerts/atom.ts';
import {
  addAlertRule,
  listAlertRuleViews,
  presentAlertRule,
  removeAlertRuleById,
  requireAlertRule,
  ruleDashboardLink,
  sendTestAlert,
} from '../../alerts/manage.ts';
import type { AlertMessage } from '../../alerts/message.ts';
import { AlertKind, NewAlertRuleInput } from '../../alerts/rules.ts';
import { EntityKind } from '../../core/entity.ts';
import { listDeliveries, listRuleAlerts } from '../../db/queries/alerts.ts';
import type { App, RouteDeps } from '../app.ts';
import { errorResponses, json } from '../errors.ts';
import { publicUrlOf } from '../public-url.ts';
import { instant, nullableInstant } from '../schemas.ts';

const AlertIdParam = z.object({
  id: z
    .string()
    .regex(/^[1-9]\d{0,8}$/, 'expected an alert rule id (a positive integer)')
    .transform(Number)
    .openapi({ param: { name: 'id', in: 'path' }, type: 'string', example: '3' }),
});

/** Fields alert rules and digest subscriptions share, described once. */
export const MaskedChannelField = z.string().openapi({
  description: 'the channel, masked: kind, host and the last four characters of its path or token; never the whole URL',
  example: 'slack https://hooks.slack.com/…/Xy9Z',
});
export const CreatedSecretField = z
  .string()
  .nullable()
  .openapi({ description: 'the generated signing secret, shown this once; null when the request gave one' });
export const CreatedAtField = instant('when it was created');

/** How the queued alerts of a rule, or digests of a subscription, ended (both go through the alert outbox). */
export const OutcomeCounts = {
  delivered: z.number().int().openapi({ description: 'of those, delivered' }),
  dead: z.number().int().openapi({ description: 'of those, given up' }),
};

/** One delivery attempt, of an alert or of a digest (both go through the alert outbox). */
export const DeliveryFields = {
  attempt: z.number().int().openapi({ description: 'which attempt this was for its alert or digest, from 1' }),
  attemptedAt: instant('when the attempt was made'),
  durationMs: z.number().int().openapi({ description: 'how long the attempt took, in milliseconds' }),
  statusCode: z
    .number()
    .int()
    .nullable()
    .openapi({ description: 'the HTTP or SMTP status the receiver answered; null when it did not answer (timeout, network error)' }),
  outcome: z.enum(['delivered', 'retry', 'dead', 'failed']).openapi({
    description: 'retry: will be tried again; dead: given up (retries spent or refused for good); failed: a test send that failed',
  }),
  cause: z.string().nullable().openapi({
    description:
      'why the attempt failed, in short (after "test: " for a test send); "test" for a test send that succeeded; null when delivered',
  }),
};
const headline = (what: string) =>
  z
    .string()
    .nullable()
    .openapi({ description: `the headline of the ${what}; null for a test send` });

export const AlertRule = z
  .object({
    id: z.number().int().openapi({ description: 'the rule id' }),
    name: z.string().openapi({ description: 'the rule name: as given, or "<entity or kind>: <kind> <metric> <aspect>"' }),
    kind: AlertKind.describe(
      'shift: the mean or net score moved; aspect: the share or polarity of an aspect moved; spike: the spike detector fired; mention: a new matching post; regression: the regression detector fired',
    ),
    entity: z.string().nullable().openapi({ description: 'the entity watched; null for a rule on a kind of entity' }),
    entityKind: EntityKind.nullable().openapi({
      description: 'a rule on every entity of this kind, those added later included; null for a rule on one entity',
    }),
    entities: z.number().int().openapi({ description: 'how many entities the rule watches now' }),
    channel: MaskedChannelField,
    filters: z
      .object({
        source: z.string().nullable().openapi({ description: 'only mentions from this source; null for every source' }),
        aspect: z
          .string()
          .nullable()
          .openapi({ description: 'the aspect watched (aspect rules) or required (mention rules); null for any' }),
        polarity: z
          .enum(['positive', 'neutral', 'negative'])
          .nullable()
          .openapi({ description: 'mention rules: only posts with this label toward the entity; null for any' }),
        minEngagement: z
          .number()
          .int()
          .nullable()
          .openapi({ description: 'mention rules: only posts with at least this engagement (points plus replies); null for any' }),
        include: z.array(z.string()).openapi({
          description: 'mention rules: only posts whose title or body contains one of these (case-insensitive); empty for any',
        }),
        exclude: z
          .array(z.string())
          .openapi({ description: 'mention rules: no post whose title or body contains one of these (case-insensitive)' }),
      })
      .openapi({ description: 'which mentions the rule reads' }),
    metric: z
      .string()
      .nullable()
      .openapi({ description: 'shift: mean or net; aspect: share or polarity; spike: volume, negativity or null for both' }),
    direction: z.enum(['up', 'down', 'both']).openapi({ description: 'the moves that fire: rises, drops or both' }),
    threshold: z.number().nullable().openapi({ description: 'the least change that fires (shift, aspect)' }),
    windowHours: z.number().int().openapi({ description: 'the window compared with the one of the same length before it (shift, aspect)' }),
    minMentions: z
      .number()
      .int()
      .openapi({ description: 'mentions each of the two windows needs before a shift or aspect rule judges the change' }),
    cooldownMinutes: z
      .number()
      .int()
      .openapi({ description: 'minutes after an alert before the rule may alert again (for each entity it watches); 0 for none' }),
    maxPerDay: z.number().int().openapi({ description: 'at most this many alerts in 24 hours (for each entity it watches)' }),
    enabled: z.boolean().openapi({ description: 'whether the rule is judged' }),
    createdAt: CreatedAtField,
    alerts: z
      .object({
        fired: z.number().int().openapi({ description: 'alerts the rule raised and queued for delivery' }),
        ...OutcomeCounts,
        pending: z.number().int().openapi({ description: 'of those, waiting to be sent or being sent' }),
        lastFiredAt: nullableInstant('when its latest alert was raised; null when none was'),
      })
      .openapi({ description: "the rule's alerts so far, over every entity it watches" }),
  })
  .openapi('AlertRule');

export const CreatedAlertRule = AlertRule.extend({ secret: CreatedSecretField }).openapi('CreatedAlertRule');

export const Delivery = z
  .object({
    alertId: z.number().int().nullable().openapi({ description: 'the alert delivered; null for a test send' }),
    event: z.string().nullable().openapi({
      description:
        'what the alert is about, as its key: shift:<metric>:<direction>:<window end>, aspect:<aspect>:<metric>:<direction>:<window end>, spike:<kind>:<direction>:<day>, mention:<post id> or regression:<event id at its source>; null for a test send',
    }),
    headline: headline('alert'),
    ...DeliveryFields,
    status: z.enum(['pending', 'sending', 'delivered', 'dead']).nullable().openapi({ description: "the alert's delivery status now" }),
  })
  .openapi('AlertDelivery');

export const TestResult = z
  .object({
    ok: z.boolean().openapi({ description: 'whether the channel accepted the sample' }),
    status: z
      .number()
      .int()
      .nullable()
      .openapi({ description: 'the HTTP or SMTP status the channel answered; null when it did not answer' }),
    retryable: z
      .boolean()
      .nullable()
      .openapi({ description: 'when it failed: whether a retry could succeed (429, 5xx, timeouts, SMTP 4xx); null when ok' }),
    cause: z.string().nullable().openapi({ description: 'why it failed, in short; null when ok' }),
    durationMs: DeliveryFields.durationMs,
  })
  .openapi('AlertTestResult');

/** Admin reads and bodiless writes: the token only (the JSON body check is for writes with a body). */

export function registerAlertRoutes(app: App, deps: RouteDeps): void {
  const publicUrl = publicUrlOf(deps);

  app.openapi(
    createRoute({
      method: 'get',
      operationId: 'listAlertRules',
      path: '/api/v1/alerts',
      tags: ['alerts'],
      summary: 'Alert rules with their counts of alerts fired, delivered, dead and waiting (admin token)',
      security: [{ adminToken: [] }],
      middleware: deps.adminOnly,
      responses: {
        200: {
          description: 'rules',
          content: json(z.object({ items: z.array(AlertRule).openapi({ description: 'every alert rule, oldest first' }) })),
        },
        ...errorResponses(401, 403, 429),
      },
    }),
    async (c) => c.json({ items: await listAlertRuleViews(deps.db) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      operationId: 'addAlertRule',
      path: '/api/v1/alerts',
      tags: ['alerts'],
      summary: 'Add an alert rule (admin token); without a secret, one is generated and returned this once',
      security: [{ adminToken: [] }],
      middleware: deps.adminWrite,
      request: { body: { content: json(NewAlertRuleInput), required: true } },
      responses: { 201: { description: 'created', content: json(CreatedAlertRule) }, ...errorResponses(400, 401, 403, 404, 413, 429) },
    }),
    async (c) => {
      const { rule, secret, secretGenerated } = await addAlertRule(deps.db, c.req.valid('json'));
      deps.log.info({ rule: rule.id, kind: rule.kind, entity: rule.entity?.slug, entityKind: rule.entityKind }, 'alert rule added');
      return c.json({ ...presentAlertRule(rule), secret: secretGenerated ? secret : null }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      operationId: 'removeAlertRule',
      path: '/api/v1/alerts/{id}',
      tags: ['alerts'],
      summary: 'Remove an alert rule (admin token); alerts it has not delivered yet are dropped',
      security: [{ adminToken: [] }],
      middleware: deps.adminOnly,
      request: { params: AlertIdParam },
      responses: { 204: { description: 'removed' }, ...errorResponses(400, 401, 403, 404, 429) },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      await removeAlertRuleById(deps.db, id);
      deps.log.info({ rule: id }, 'alert rule removed');
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      operationId: 'testAlertRule',
      path: '/api/v1/alerts/{id}/test',
      tags: ['alerts'],
      summary: "Send a sample alert through the rule's channel now (admin token); the attempt is recorded with the deliveries",
      security: [{ adminToken: [] }],
      middleware: deps.adminOnly,
      request: { params: AlertIdParam },
      responses: {
        200: { description: 'what the channel answered (ok false: it failed, with the cause)', content: json(TestResult) },
        ...errorResponses(400, 401, 403, 404, 413, 429),
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const outcome = await sendTestAlert(deps.db, id, { publicUrl, smtp: deps.settings.smtp });
      return c.json(
        {
          ok: outcome.ok,
          status: outcome.ok ? outcome.status : (outcome.status ?? null),
          retryable: outcome.ok ? null : outcome.retryable,
          cause: outcome.ok ? null : outcome.cause,
          durationMs: Math.round(outcome.durationMs),
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      operationId: 'listAlertDeliveries',
      path: '/api/v1/alerts/{id}/deliveries',
      tags: ['alerts'],
      summary: "A rule's latest delivery attempts, newest first (at most 100), failures with their cause (admin token)",
      security: [{ adminToken: [] }],
      middleware: deps.adminOnly,
      request: { params: AlertIdParam },
      responses: {
        200: {
          description: 'attempts',
          content: json(z.object({ items: z.array(Delivery).openapi({ description: 'the latest attempts, newest first, at most 100' }) })),
        },
        ...errorResponses(400, 401, 403, 404, 429),
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      await requireAlertRule(deps.db, id);
      const items = (await listDeliveries(deps.db, id, 100)).map(({ eventKey, attemptedAt, durationMs, ...rest }) => ({
        ...rest,
        event: eventKey,
        attemptedAt: attemptedAt.toISOString(),
        durationMs: Math.round(durationMs),
      }));
      return c.json({ items }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      operationId: 'getAlertFeed',
      path: '/api/v1/alerts/{id}/feed.atom',
      tags: ['alerts'],
      summary: "A rule's latest alerts (at most 50) as an Atom feed, for feed readers",
      request: { params: AlertIdParam },
      responses: {
        200: { description: 'Atom 1.0', content: { 'application/atom+xml': { schema: z.string() } } },
        ...errorResponses(400, 404, 429),
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const rule = await requireAlertRule(deps.db, id);
      const alerts = await listRuleAlerts(deps.db, id, { limit: 50 });
      const body = renderAtomFeed({
        rule: { id: rule.id, name: rule.name },
        selfUrl: `${publicUrl}/api/v1/alerts/${rule.id}/feed.atom`,
        dashboardUrl: ruleDashboardLink(publicUrl, rule),
        alerts: alerts.map((alert) => alert.message as AlertMessage),
      });
      return c.body(body, 200, { 'Content-Type': 'application/atom+xml; charset=utf-8' });
    },
  );
}
