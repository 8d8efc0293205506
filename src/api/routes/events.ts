import { randomUUID } from 'node:crypto';
import { createRoute } from '@hono/zod-openapi';
import { NotFoundError, ValidationError } from '../../core/errors.ts';
import { planRange } from '../../core/series-window.ts';
import { storableEvent } from '../../core/storable.ts';
import { findEntity } from '../../db/queries/entities.ts';
import { listEvents, upsertEvent } from '../../db/queries/events.ts';
import type { App, RouteDeps } from '../app.ts';
import { errorResponses, json } from '../errors.ts';
import { Event, EventList, EventsQuery, NewEventBody } from '../schemas.ts';
import { presentEvent } from '../views/series.ts';

/** Events entered by hand are stored under this source; detectors and feeds use their own. */
export const MANUAL_EVENT_SOURCE = 'manual';

export function registerEventRoutes(app: App, deps: RouteDeps): void {
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
      operationId: 'listEvents',
      tags: ['events'],
      summary: 'Releases, incidents, notes and detected spikes in a window, oldest first (at most 1,000)',
      request: { query: EventsQuery },
      responses: {
        200: { description: 'events', content: json(EventList) },
        ...errorResponses(400, 404, 429),
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
      operationId: 'addEvent',
      tags: ['events'],
      summary: 'Add a release, incident or note by hand (admin token); the same externalId updates it',
      security: [{ adminToken: [] }],
      middleware: deps.adminWrite,
      request: { body: { content: json(NewEventBody), required: true } },
      responses: {
        201: { description: 'stored', content: json(Event) },
        ...errorResponses(400, 401, 403, 404, 413, 429),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      // The same edge as collected events: control and bidirectional characters out, a sane date.
      const event = storableEvent({
        kind: body.kind,
        source: MANUAL_EVENT_SOURCE,
        externalId: body.externalId ?? randomUUID(),
        title: body.title,
        url: body.url,
        body: body.body,
        occurredAt: body.occurredAt,
      });
      if (!event.ok) throw new ValidationError(event.reason);
      const stored = await upsertEvent(deps.db, { ...event.value, entityId: await entityId(body.entity), details: {} });
      deps.log.info({ id: stored.id, kind: stored.kind }, 'event added');
      return c.json(presentEvent(stored), 201);
    },
  );
}
