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

const AlertIdParam = z.object({
  id: z
    .string()
    .regex(/^[1-9]\d{0,8}$/, 'expected an alert rule id (a positive integer)')
    .transform(Number)
    .openapi({ param: { name: 'id', in: 'path' }, type: 'string', example: '3' }),
});

export const AlertRule = z
  .object({
    id: z.number().int(),
    name: z.string(),
    kind: AlertKind,
    entity: z.string().nullable().openapi({ description: 'the entity watched; null for a rule on a kind of entity' }),
    entityKind: EntityKind.nullable().openapi({
      description: 'a rule on every entity of this kind, those added later included; null for a rule on one entity',
    }),
    entities: z.number().int().openapi({ description: 'how many entities the rule watches now' }),
    channel: z.string().openapi({
      description: 'the channel, masked: kind, host and the last four characters of its path or token; never the whole URL',
      example: 'slack https://hooks.slack.com/…/Xy9Z',
    }),
    filters: z.object({
      source: z.string().nullable(),
      aspect: z.string().nullable(),
      polarity: z.enum(['positive', 'neutral', 'negative']).nullable(),
      minEngagement: z.number().int().nullable(),
      include: z.array(z.string()),
      exclude: z.array(z.string()),
    }),
    metric: z
      .string()
      .nullable()
      .openapi({ description: 'shift: mean or net; aspect: share or polarity; spike: volume, negativity or null for both' }),
    direction: z.enum(['up', 'down', 'both']),
    threshold: z.number().nullable().openapi({ description: 'the least change that fires (shift, aspect)' }),
    windowHours: z.number().int().openapi({ description: 'the window compared with the one of the same length before it (shift, aspect)' }),
    minMentions: z.number().int(),
    cooldownMinutes: z.number().int(),
    maxPerDay: z.number().int(),
    enabled: z.boolean(),
    createdAt: z.string(),
    alerts: z.object({
      fired: z.number().int(),
      delivered: z.number().int(),
      dead: z.number().int(),
      pending: z.number().int(),
      lastFiredAt: z.string().nullable(),
    }),
  })
  .openapi('AlertRule');

export const CreatedAlertRule = AlertRule.extend({
  secret: z.string().nullable().openapi({ description: 'the generated signing secret, shown this once; null when the request gave one' }),
}).openapi('CreatedAlertRule');

export const Delivery = z
  .object({
    alertId: z.number().int().nullable().openapi({ description: 'null for a test send' }),
    event: z.string().nullable(),
    headline: z.string().nullable(),
    attempt: z.number().int(),
    attemptedAt: z.string(),
    durationMs: z.number().int(),
    statusCode: z.number().int().nullable(),
    outcome: z.enum(['delivered', 'retry', 'dead', 'failed']).openapi({
      description: 'retry: will be tried again; dead: given up (retries spent or refused for good); failed: a test send that failed',
    }),
    cause: z.string().nullable(),
    status: z.enum(['pending', 'sending', 'delivered', 'dead']).nullable().openapi({ description: "the alert's delivery status now" }),
  })
  .openapi('AlertDelivery');

export const TestResult = z
  .object({
    ok: z.boolean(),
    status: z.number().int().nullable(),
    retryable: z.boolean().nullable(),
    cause: z.string().nullable(),
    durationMs: z.number().int(),
  })
  .openapi('AlertTestResult');

/** Admin reads and bodiless writes: the token only (the JSON body check is for writes with a body). */

export function registerAlertRoutes(app: App, deps: RouteDeps): void {
  const publicUrl = deps.settings.publicUrl ?? 'http://127.0.0.1:8080';

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
        200: { description: 'rules', content: json(z.object({ items: z.array(AlertRule) })) },
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
        200: { description: 'attempts', content: json(z.object({ items: z.array(Delivery) })) },
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
