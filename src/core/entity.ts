import { z } from 'zod';
import { storableName } from './storable.ts';

export const EntityKind = z.enum(['model', 'tool', 'vendor']);
export type EntityKind = z.infer<typeof EntityKind>;

export const EntitySlug = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lowercase letters, digits and dashes, starting with a letter or digit');

/**
 * How the linker tells this entity apart from ordinary words and other senses of its names.
 * Owned by the linker (src/understand/linking); stored as JSON so the database schema does not
 * change when the linker learns a new kind of rule.
 */
export const Disambiguation = z
  .object({
    ambiguousAliases: z
      .array(z.string())
      .default([])
      .describe('surface forms that count only when the surrounding text supports this entity'),
    context: z.array(z.string()).default([]).describe('words near an ambiguous alias that point at this entity ("editor", "IDE", "agent")'),
    antiContext: z.array(z.string()).default([]).describe('words near an ambiguous alias that point at another sense ("zodiac", "mouse")'),
    caseSensitiveAliases: z.array(z.string()).default([]).describe('aliases that must match with exactly this capitalisation'),
    strictAliases: z
      .array(z.string())
      .optional()
      .describe('aliases that count only with a context word nearby or an unambiguous mention elsewhere ("CC")'),
    prior: z
      .number()
      .optional()
      .describe('starting score of an ambiguous alias: high when the entity is the usual sense in developer text'),
    personLike: z
      .boolean()
      .optional()
      .describe('the ambiguous alias is also a first name: capitalisation says nothing about which sense is meant'),
    antiPrefix: z
      .array(z.string())
      .optional()
      .describe('words right before an ambiguous alias that point at another sense ("the" cursor, "don\'t" grok)'),
    contextPrefix: z
      .array(z.string())
      .optional()
      .describe('words right before an ambiguous alias that point at this entity ("in" Cursor, "use" Zed)'),
    antiSuffix: z
      .array(z.string())
      .optional()
      .describe('words right after an ambiguous alias that point at another sense (cursor "position")'),
    contextSuffix: z
      .array(z.string())
      .optional()
      .describe('words right after an ambiguous alias that point at this entity (cursor "can", Mistral "CEO")'),
    nonMentions: z
      .array(z.string())
      .optional()
      .describe(
        'phrases that contain a name of this entity but name something else ("Qwen Code", "llama-server"): matched like aliases; where one is the longest match this entity is not linked (nor anything, unless another entity\'s alias matches as long)',
      ),
  })
  .default({ ambiguousAliases: [], context: [], antiContext: [], caseSensitiveAliases: [] });
export type Disambiguation = z.infer<typeof Disambiguation>;

export const RegistryEntity = z.object({
  slug: EntitySlug,
  name: z.string().min(1).max(100),
  kind: EntityKind,
  parent: EntitySlug.nullable().default(null),
  aliases: z.array(z.string().min(1)).default([]),
  disambiguation: Disambiguation,
  homepage: z.url().nullable().default(null),
});
export type RegistryEntity = z.infer<typeof RegistryEntity>;

export const EntityRegistry = z.object({
  version: z.number().int().positive(),
  entities: z.array(RegistryEntity),
});
export type EntityRegistry = z.infer<typeof EntityRegistry>;

/** What a user supplies to add an entity (CLI flags or POST /api/v1/entities), described for the OpenAPI document. */
export const NewEntityInput = z.object({
  slug: EntitySlug.describe('the slug: 1-63 lowercase letters, digits and dashes, starting with a letter or digit'),
  // storableName: no control or bidirectional characters, one line, trimmed.
  name: z.string().overwrite(storableName).min(1).max(100).describe('the name shown, 1-100 characters on one line'),
  kind: EntityKind.describe('model, tool or vendor'),
  parent: EntitySlug.nullable()
    .default(null)
    .describe(
      "the parent entity's slug (such as a tool's vendor), whose counts include this entity's mentions; null (the default) for none",
    ),
  aliases: z
    .array(z.string().overwrite(storableName).min(1).max(100))
    .max(50)
    .default([])
    .describe('other names that link a post to this entity: at most 50, each 1-100 characters'),
  disambiguation: Disambiguation.describe(
    'how the linker tells this entity apart from ordinary words and other senses of its names; every field may be left out',
  ),
  homepage: z
    .url({ protocol: /^https?$/ })
    .nullable()
    .default(null)
    .describe('the http(s) URL of its homepage; null (the default) for none'),
});
export type NewEntityInput = z.infer<typeof NewEntityInput>;

/**
 * What a user may change on a tracked entity (PATCH /api/v1/entities/{slug}): any of these, at least
 * one. `aliases` and `context` replace the lists; the linker's other rules stay as they are.
 */
export const EntityChanges = z
  .strictObject({
    name: NewEntityInput.shape.name.optional().describe('a new name shown, 1-100 characters on one line'),
    parent: EntitySlug.nullable().optional().describe("the parent entity's slug; null to have none"),
    aliases: NewEntityInput.shape.aliases
      .unwrap()
      .optional()
      .describe('the other names that link a post to this entity, replacing the list: at most 50, each 1-100 characters'),
    context: z
      .array(z.string().overwrite(storableName).min(1).max(100))
      .max(100)
      .optional()
      .describe('the words that confirm an ambiguous name means this entity, replacing the list: at most 100'),
    homepage: NewEntityInput.shape.homepage.unwrap().nullable().optional().describe('the http(s) URL of its homepage; null to have none'),
  })
  .refine((changes) => Object.values(changes).some((value) => value !== undefined), 'name at least one field to change');
export type EntityChanges = z.infer<typeof EntityChanges>;
