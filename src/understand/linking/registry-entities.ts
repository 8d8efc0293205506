import type { EntityRegistry } from '../../core/entity.ts';
import type { LinkableEntity } from './linker.ts';

export function toLinkableEntities(registry: EntityRegistry): LinkableEntity[] {
  return registry.entities.map((e) => ({
    slug: e.slug,
    parent: e.parent,
    aliases: e.aliases,
    name: e.name,
    disambiguation: e.disambiguation,
  }));
}
