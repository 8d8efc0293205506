import { createRoute, type z } from '@hono/zod-openapi';
import { NotFoundError } from '../../core/errors.ts';
import { findEntity, listEntities } from '../../db/queries/entities.ts';
import { addEntity, editEntity, removeEntity } from '../../pipeline/entities.ts';
import type { App, RouteDeps } from '../app.ts';
import { errorResponses, json } from '../errors.ts';
import { EntitiesQuery, Entity, EntityChangesBody, EntityList, EntitySlugParam, NewEntityBody } from '../schemas.ts';
import { presentEntities } from '../views/entities.ts';

/** The summary window an entity query asks for, and whether its sparklines are drawn (unless `sparkline=false`). */
function summaryOptions({ sparkline, ...window }: z.infer<typeof EntitiesQuery>) {
  return { window, sparklines: sparkline !== 'false' };
}

export function registerEntityRoutes(app: App, deps: RouteDeps): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/entities',
      operationId: 'listEntities',
      tags: ['entities'],
      summary: 'Every tracked entity with its summary over a window (default the last 7 days) against the window of the same length before',
      request: { query: EntitiesQuery },
      responses: { 200: { description: 'entities', content: json(EntityList) }, ...errorResponses(400, 429) },
    }),
    async (c) => {
      return c.json({ items: await presentEntities(deps.db, await listEntities(deps.db), summaryOptions(c.req.valid('query'))) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/entities/{slug}',
      operationId: 'getEntity',
      tags: ['entities'],
      summary: 'One entity with its summary over a window (default the last 7 days)',
      request: { params: EntitySlugParam, query: EntitiesQuery },
      responses: { 200: { description: 'the entity', content: json(Entity) }, ...errorResponses(400, 404, 429) },
    }),
    async (c) => {
      const { slug } = c.req.valid('param');
      const entity = await findEntity(deps.db, slug);
      if (!entity) throw new NotFoundError(`no entity with slug "${slug}"`);
      const [item] = await presentEntities(deps.db, [entity], {
        peers: await listEntities(deps.db),
        ...summaryOptions(c.req.valid('query')),
      });
      return c.json(item!, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/entities',
      operationId: 'addEntity',
      tags: ['entities'],
      summary: 'Add an entity (admin token)',
      security: [{ adminToken: [] }],
      middleware: deps.adminWrite,
      request: { body: { content: json(NewEntityBody), required: true } },
      responses: {
        201: { description: 'created', content: json(Entity) },
        ...errorResponses(400, 401, 403, 413, 429),
        409: { ...errorResponses(409)[409], description: 'slug taken' },
      },
    }),
    async (c) => {
      const created = await addEntity(deps.db, c.req.valid('json'));
      deps.log.info({ slug: created.slug }, 'entity added');
      const [item] = await presentEntities(deps.db, [created]);
      return c.json(item!, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/api/v1/entities/{slug}',
      operationId: 'editEntity',
      tags: ['entities'],
      summary:
        "Change an entity's name, parent, other names (aliases), context words or homepage (admin token); fields left out stay as they are, and seeding never reverts the change. Posts stored before are linked anew by `vibecheck rescore`",
      security: [{ adminToken: [] }],
      middleware: deps.adminWrite,
      request: { params: EntitySlugParam, body: { content: json(EntityChangesBody), required: true } },
      responses: { 200: { description: 'the entity as changed', content: json(Entity) }, ...errorResponses(400, 401, 403, 404, 413, 429) },
    }),
    async (c) => {
      const { slug } = c.req.valid('param');
      const changes = c.req.valid('json');
      const edited = await editEntity(deps.db, slug, changes);
      deps.log.info({ slug, fields: Object.keys(changes) }, 'entity edited');
      const [item] = await presentEntities(deps.db, [edited]);
      return c.json(item!, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api/v1/entities/{slug}',
      operationId: 'removeEntity',
      tags: ['entities'],
      summary: 'Stop tracking an entity (admin token); it stays removed across restarts and reseeding, its stored mentions are kept',
      security: [{ adminToken: [] }],
      // The token check only: a DELETE has no body for the JSON check to look at.
      middleware: deps.adminOnly,
      request: { params: EntitySlugParam },
      responses: { 204: { description: 'removed' }, ...errorResponses(400, 401, 403, 404, 429) },
    }),
    async (c) => {
      const { slug } = c.req.valid('param');
      await removeEntity(deps.db, slug);
      deps.log.info({ slug }, 'entity removed');
      return c.body(null, 204);
    },
  );
}
