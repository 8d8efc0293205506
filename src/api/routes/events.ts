import { randomUUID } from 'node:crypto';
import { createRoute } from '@hono/zod-openapi';
import { NotFoundError } from '../../core/errors.ts';
import { planRange } from '../../core/series-window.ts';
import { findEntity } from '../../db/queries/entities.ts';
import { listEvents, upsertEvent } from '../../db/queries/events.ts';
import type { App, AppDeps } from '../app.ts';
import { requireAdmin } from '../auth.ts';
import { ErrorBody } from '../errors.ts';
import { Event, EventList, EventsQuery, NewEventBody } from '../schemas.ts';
import { presentEvent } from '../views/series.ts';

const json = <T>(schema: T) => ({ 'application/json': { schema } });

/** Events entered by hand are stored under this source; detectors and feeds use their own. */
export const MANUAL_EVENT_SOURCE = 'manual';

export function registerEventRoutes(app: App, deps: AppDeps): void {
  const entityId = async (slug: string | null | undefined): Promise<number | null> => {
    if (slug === null || slug === undefined) return null;
    const entity = await findEntity(deps.db, slug);
    if (!entity) throw new NotFoundError(`no entity with slug "${slug}"`);
    return entity.id;
  };

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/events',
      tags: ['events'],
      summary: 'Releases, incidents, notes and detected spikes in a window, oldest first (at most 1,000)',
      request: { query: EventsQuery },
      responses: {
        200: { description: 'events', content: json(EventList) },
        400: { description: 'invalid parameter', content: json(ErrorBody) },
        404: { description: 'unknown entity', content: json(ErrorBody) },
        429: { description: 'rate limited', content: json(ErrorBody) },
      },
    }),
    async (c) => {
      const query = c.req.valid('query');
      const id = await entityId(query.entity);
      const { from, to } = planRange(query);
      const items = await listEvents(deps.db, { entityIds: id === null ? undefined : [id], from, to, kind: query.kind });
      return c.json({ items: items.map(presentEvent) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/events',
      tags: ['events'],
      summary: 'Add a release, incident or note by hand (admin token); the same externalId updates it',
      security: [{ adminToken: [] }],
      middleware: [requireAdmin(deps.settings.adminToken)] as const,
      request: { body: { content: json(NewEventBody), required: true } },
      responses: {
        201: { description: 'stored', content: json(Event) },
        400: { description: 'invalid body (the message names the field)', content: json(ErrorBody) },
        401: { description: 'no admin token', content: json(ErrorBody) },
        403: { description: 'wrong admin token', content: json(ErrorBody) },
        404: { description: 'unknown entity', content: json(ErrorBody) },
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const stored = await upsertEvent(deps.db, {
        entityId: await entityId(body.entity),
        kind: body.kind,
        source: MANUAL_EVENT_SOURCE,
        externalId: body.externalId ?? randomUUID(),
        title: body.title,
        url: body.url,
        body: body.body,
        occurredAt: body.occurredAt,
        details: {},
      });
      deps.log.info({ id: stored.id, kind: stored.kind }, 'event added');
      return c.json(presentEvent(stored), 201);
    },
  );
}
