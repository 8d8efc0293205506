import { createRoute, z } from '@hono/zod-openapi';
import {
  addDigestSubscription,
  listDigestSubscriptionViews,
  NewDigestSubscriptionInput,
  removeDigestSubscriptionById,
  sendDigestNow,
} from '../../alerts/subscriptions.ts';
import { listDeliveries } from '../../db/queries/alerts.ts';
import { findDigestSubscription } from '../../db/queries/digests.ts';
import { NotFoundError } from '../../core/errors.ts';
import type { App, RouteDeps } from '../app.ts';
import { errorResponses, json } from '../errors.ts';
import { publicUrlOf } from '../public-url.ts';
import { nullableInstant } from '../schemas.ts';
import { CreatedAtField, CreatedSecretField, DeliveryFields, MaskedChannelField, OutcomeCounts } from './alerts.ts';

const DigestIdParam = z.object({
  id: z
    .string()
    .regex(/^[1-9]\d{0,8}$/, 'expected a digest subscription id (a positive integer)')
    .transform(Number)
    .openapi({ param: { name: 'id', in: 'path' }, type: 'string', example: '4' }),
});

export const DigestSubscription = z
  .object({
    id: z.number().int().openapi({ description: 'the subscription id' }),
    name: z.string().openapi({ description: 'the subscription name: as given, or made from its cadence and selection' }),
    channel: MaskedChannelField,
    cadence: z
      .enum(['daily', 'weekly'])
      .openapi({ description: 'daily: the previous UTC day; weekly: the previous ISO week (Monday to Monday, UTC)' }),
    hourUtc: z.number().int().openapi({ description: 'the hour (UTC) after the period ends at which its digest goes out' }),
    entities: z.array(z.string()).openapi({ description: 'slugs of the entities the digest covers' }),
    kinds: z.array(z.enum(['model', 'tool', 'vendor'])).openapi({
      description: 'kinds of entity it covers, every entity of them (those added later too); with entities empty too, every entity',
    }),
    lastPeriod: z.string().nullable().openapi({ description: "the last period queued, '2026-03-14' or '2026-W11'", example: '2026-W11' }),
    createdAt: CreatedAtField,
    digests: z
      .object({
        sent: z.number().int().openapi({ description: 'digests queued for delivery' }),
        ...OutcomeCounts,
        lastSentAt: nullableInstant('when its latest digest was queued; null when none was'),
      })
      .openapi({ description: "the subscription's digests so far" }),
  })
  .openapi('DigestSubscription');

export const CreatedDigestSubscription = DigestSubscription.extend({ secret: CreatedSecretField }).openapi('CreatedDigestSubscription');

export const DigestDelivery = z
  .object({
    alertId: z.number().int().nullable().openapi({ description: 'the digest delivered (an alert of the outbox)' }),
    event: z
      .string()
      .nullable()
      .openapi({ description: "the digest's period, 'digest:2026-W11', or 'digest:manual:<time>' for `digests send`" }),
    headline: z.string().nullable().openapi({ description: 'the headline of the digest' }),
    ...DeliveryFields,
    status: z.enum(['pending', 'sending', 'delivered', 'dead']).nullable().openapi({ description: "the digest's delivery status now" }),
  })
  .openapi('DigestDelivery');

export const DigestSendResult = z
  .object({
    alertId: z.number().int().openapi({ description: 'the digest queued (an alert of the outbox); its attempts are in the deliveries' }),
    delivered: z.boolean().openapi({ description: 'whether the channel took it; when not, the outbox retries it as any digest' }),
    cause: z.string().nullable().openapi({ description: 'why it is not delivered yet; null when delivered' }),
  })
  .openapi('DigestSendResult');

export function registerDigestRoutes(app: App, deps: RouteDeps): void {
  app.openapi(
    createRoute({
      method: 'get',
      operationId: 'listDigestSubscriptions',
      path: '/api/v1/digests',
      tags: ['alerts'],
      summary: 'Digest subscriptions with their counts of digests sent, delivered and dead (admin token)',
      security: [{ adminToken: [] }],
      middleware: deps.adminOnly,
      responses: {
        200: {
          description: 'subscriptions',
          content: json(z.object({ items: z.array(DigestSubscription).openapi({ description: 'every subscription, oldest first' }) })),
        },
        ...errorResponses(401, 403, 429),
      },
    }),
    async (c) => c.json({ items: await listDigestSubscriptionViews(deps.db) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      operationId: 'addDigestSubscription',
      path: '/api/v1/digests',
      tags: ['alerts'],
      summary: 'Subscribe a channel to daily or weekly digests (admin token); without a secret, one is generated and returned this once',
      security: [{ adminToken: [] }],
      middleware: deps.adminWrite,
      request: {
        body: {
          content: json(NewDigestSubscriptionInput),
          required: true,
          description: 'entities and kinds both empty or left out: every entity; cadence defaults to daily, hourUtc to 8',
        },
      },
      responses: {
        201: { description: 'created', content: json(CreatedDigestSubscription) },
        ...errorResponses(400, 401, 403, 404, 413, 429),
      },
    }),
    async (c) => {
      const { subscription, secret } = await addDigestSubscription(deps.db, c.req.valid('json'));
      deps.log.info({ subscription: subscription.id, cadence: subscription.cadence }, 'digest subscription added');
      return c.json({ ...subscription, secret }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      operationId: 'listDigestDeliveries',
      path: '/api/v1/digests/{id}/deliveries',
      tags: ['alerts'],
      summary: "A subscription's latest delivery attempts, newest first (at most 100), failures with their cause (admin token)",
      security: [{ adminToken: [] }],
      middleware: deps.adminOnly,
      request: { params: DigestIdParam },
      responses: {
        200: {
          description: 'attempts',
          content: json(
            z.object({ items: z.array(DigestDelivery).openapi({ description: 'the latest attempts, newest first, at most 100' }) }),
          ),
        },
        ...errorResponses(400, 401, 403, 404, 429),
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      if ((await findDigestSubscription(deps.db, id)) === undefined) throw new NotFoundError(`no digest subscription with id ${id}`);
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
      method: 'post',
      operationId: 'sendDigestNow',
      path: '/api/v1/digests/{id}/send',
      tags: ['alerts'],
      summary:
        "Send the digest of the last day (daily) or 7 days (weekly) up to now through the subscription's channel, now (admin token); the schedule is untouched and the attempt is recorded with the deliveries",
      security: [{ adminToken: [] }],
      middleware: deps.adminOnly,
      request: { params: DigestIdParam },
      responses: {
        200: {
          description: 'whether the channel took it (delivered false: with the cause; the outbox retries it)',
          content: json(DigestSendResult),
        },
        ...errorResponses(400, 401, 403, 404, 413, 429),
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const outcome = await sendDigestNow(deps.db, id, {
        publicUrl: publicUrlOf(deps),
        smtp: deps.settings.smtp,
      });
      deps.log.info({ subscription: id, alert: outcome.alertId, delivered: outcome.delivered }, 'digest sent on request');
      return c.json(outcome, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      operationId: 'removeDigestSubscription',
      path: '/api/v1/digests/{id}',
      tags: ['alerts'],
      summary: 'Remove a digest subscription (admin token); digests it has not delivered yet are dropped',
      security: [{ adminToken: [] }],
      middleware: deps.adminOnly,
      request: { params: DigestIdParam },
      responses: { 204: { description: 'removed' }, ...errorResponses(400, 401, 403, 404, 429) },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      await removeDigestSubscriptionById(deps.db, id);
      deps.log.info({ subscription: id }, 'digest subscription removed');
      return c.body(null, 204);
    },
  );
}
