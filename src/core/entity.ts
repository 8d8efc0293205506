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
    /** Surface forms that count only when the surrounding text supports this entity. */
    ambiguousAliases: z.array(z.string()).default([]),
    /** Words near an ambiguous alias that point at this entity ("editor", "IDE", "agent"). */
    context: z.array(z.string()).default([]),
    /** Words near an ambiguous alias that point at another sense ("zodiac", "mouse"). */
    antiContext: z.array(z.string()).default([]),
    /** Aliases that must match with exactly this capitalisation. */
    caseSensitiveAliases: z.array(z.string()).default([]),
    /** Aliases that count only with a context word nearby or an unambiguous mention elsewhere ("CC"). */
    strictAliases: z.array(z.string()).optional(),
    /** Starting score of an ambiguous alias: high when the entity is the usual sense in developer text. */
    prior: z.number().optional(),
    /** The ambiguous alias is also a first name: capitalisation says nothing about which sense is meant. */
    personLike: z.boolean().optional(),
    /** Words right before an ambiguous alias that point at another sense ("the" cursor, "don't" grok). */
    antiPrefix: z.array(z.string()).optional(),
    /** Words right before an ambiguous alias that point at this entity ("in" Cursor, "use" Zed). */
    contextPrefix: z.array(z.string()).optional(),
    /** Words right after an ambiguous alias that point at another sense (cursor "position"). */
    antiSuffix: z.array(z.string()).optional(),
    /** Words right after an ambiguous alias that point at this entity (cursor "can", Mistral "CEO"). */
    contextSuffix: z.array(z.string()).optional(),
    /**
     * Phrases that contain a name of this entity but name something else ("Qwen Code", "llama-server"):
     * matched like aliases; where one is the longest match this entity is not linked (nor anything,
     * unless another entity's alias matches as long).
     */
    nonMentions: z.array(z.string()).optional(),
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

/** What a user supplies to add an entity (CLI flags or POST /api/v1/entities). */
export const NewEntityInput = z.object({
  slug: EntitySlug,
  // storableName: no control or bidirectional characters, one line, trimmed.
  name: z.string().overwrite(storableName).min(1).max(100),
  kind: EntityKind,
  parent: EntitySlug.nullable().default(null),
  aliases: z.array(z.string().overwrite(storableName).min(1).max(100)).max(50).default([]),
  disambiguation: Disambiguation,
  homepage: z
    .url({ protocol: /^https?$/ })
    .nullable()
    .default(null),
});
export type NewEntityInput = z.infer<typeof NewEntityInput>;

/**
 * What a user may change on a tracked entity (PATCH /api/v1/entities/{slug}): any of these, at least
 * one. `aliases` and `context` replace the lists; the linker's other rules stay as they are.
 */
export const EntityChanges = z
  .strictObject({
    name: NewEntityInput.shape.name.optional(),
    parent: EntitySlug.nullable().optional(),
    aliases: NewEntityInput.shape.aliases.unwrap().optional(),
    context: z.array(z.string().overwrite(storableName).min(1).max(100)).max(100).optional(),
    homepage: NewEntityInput.shape.homepage.unwrap().nullable().optional(),
  })
  .refine((changes) => Object.values(changes).some((value) => value !== undefined), 'name at least one field to change');
export type EntityChanges = z.infer<typeof EntityChanges>;
