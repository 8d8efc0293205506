import { createRoute } from '@hono/zod-openapi';
import { NotFoundError } from '../../core/errors.ts';
import { findEntity } from '../../db/queries/entities.ts';
import type { Explanation as ExplanationResult } from '../../core/explain.ts';
import { explainEntityWindow, explainEvent } from '../../db/queries/explain.ts';
import type { App, RouteDeps } from '../app.ts';
import { errorResponses, json } from '../errors.ts';
import { EntitySlugParam } from '../schemas.ts';
import { EventIdParam, Explanation, ExplainQuery, planExplainWindow } from '../views/explain.ts';

/** An explanation scans the window's mentions, so it waits for a heavy-read slot like a series. */
const errors = errorResponses(400, 404, 429, 503);

export function registerExplainRoutes(app: App, deps: RouteDeps): void {
  /** The explanation with the LLM tier's summary of its posts, when the tier is configured. */
  const withSummary = async (explanation: ExplanationResult) => {
    const outcome = deps.summarizer
      ? await deps.summarizer.summarize({
          entity: explanation.entity,
          headline: explanation.headline,
          posts: explanation.posts.map((p) => ({ postId: p.postId, excerpt: p.excerpt, label: p.label })),
        })
      : null;
    return { ...explanation, summary: outcome?.summary ?? null };
  };

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/entities/{slug}/explain',
      operationId: 'explainEntityWindow',
      tags: ['explain'],
      summary:
        'Why the numbers moved in [from, to) (default: the last 7 days) against the window of the same length before: the change with its confidence, the posts that moved it most, the aspects and sources that moved, and releases, incidents and notes within two days',
      request: { params: EntitySlugParam, query: ExplainQuery },
      responses: { 200: { description: 'the explanation', content: json(Explanation) }, ...errors },
    }),
    async (c) => {
      const { slug } = c.req.valid('param');
      const query = c.req.valid('query');
      const { from, to } = planExplainWindow(query);
      const entity = await findEntity(deps.db, slug);
      if (!entity) throw new NotFoundError(`no entity with slug "${slug}"`);
      return deps.heavyReads.run(async () =>
        c.json(await withSummary(await explainEntityWindow(deps.db, { entityId: entity.id, from, to, source: query.source })), 200),
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/events/{id}/explain',
      operationId: 'explainEvent',
      tags: ['explain'],
      summary:
        "The explanation of one event: a spike's own bucket against the baseline the detector judged it by; a release, incident or note as the 7 days from it against the 7 days before",
      request: { params: EventIdParam },
      responses: {
        200: { description: 'the explanation', content: json(Explanation) },
        ...errors,
        400: { ...errors[400], description: 'invalid id, or an event tied to no entity (the message says which)' },
        404: { ...errors[404], description: 'unknown event, or its entity was removed' },
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      return deps.heavyReads.run(async () => c.json(await withSummary(await explainEvent(deps.db, id)), 200));
    },
  );
}
