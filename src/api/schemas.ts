import { z } from '@hono/zod-openapi';
import { NewEntityInput } from '../core/entity.ts';

export const EntitySlugParam = z.object({
  slug: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'expected an entity slug (lowercase letters, digits, dashes)')
    .openapi({ param: { name: 'slug', in: 'path' }, example: 'claude-code' }),
});

export const EntitySummary = z
  .object({
    window: z.string().openapi({ example: '7d', description: 'length of the current and of the previous window' }),
    n: z.number().int().openapi({ description: 'mentions in the current window' }),
    previousN: z.number().int(),
    score: z.number().nullable().openapi({ description: 'mean sentiment score in [-1, 1], null without mentions' }),
    scoreLow: z.number().nullable(),
    scoreHigh: z.number().nullable(),
    previousScore: z.number().nullable(),
    change: z.number().nullable(),
    significant: z.boolean().openapi({ description: 'the change is beyond noise (Welch t-test, 95%)' }),
    netSentiment: z.number().nullable(),
  })
  .openapi('EntitySummary');

export const Entity = z
  .object({
    slug: z.string(),
    name: z.string(),
    kind: z.enum(['model', 'tool', 'vendor']),
    parent: z.string().nullable(),
    aliases: z.array(z.string()),
    homepage: z.string().nullable(),
    origin: z.enum(['registry', 'user']),
    summary: EntitySummary,
  })
  .openapi('Entity');

export const EntityList = z.object({ items: z.array(Entity) }).openapi('EntityList');

/** The core schema used as it is: the same rules validate the CLI and the API. */
export const NewEntityBody = NewEntityInput;
