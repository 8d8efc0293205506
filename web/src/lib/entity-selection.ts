import type { Entity } from '../api/types.ts';

/** Below this many mentions an entity's mean is not ranked against the others: it sorts after them. */
export const MIN_RANKED_MENTIONS = 10;
const unranked = (e: Entity): number => (e.summary.n >= MIN_RANKED_MENTIONS && e.summary.score !== null ? 0 : 1);

export const SORTS = {
  volume: { label: 'Most mentioned', compare: (a: Entity, b: Entity) => b.summary.n - a.summary.n },
  score: {
    label: 'Most positive',
    compare: (a: Entity, b: Entity) => unranked(a) - unranked(b) || (b.summary.score ?? -2) - (a.summary.score ?? -2),
  },
  lowest: {
    label: 'Most negative',
    compare: (a: Entity, b: Entity) => unranked(a) - unranked(b) || (a.summary.score ?? 2) - (b.summary.score ?? 2),
  },
  change: { label: 'Biggest change', compare: (a: Entity, b: Entity) => Math.abs(b.summary.change ?? 0) - Math.abs(a.summary.change ?? 0) },
  name: { label: 'Name', compare: (a: Entity, b: Entity) => a.name.localeCompare(b.name) },
} as const;
export type SortKey = keyof typeof SORTS;

export const isSortKey = (value: string | null): value is SortKey => value !== null && value in SORTS;

/** Entities matching the kind and search, sorted; ties broken by name so the order is stable. */
export function selectEntities(items: readonly Entity[], kind: string, search: string, sort: SortKey): Entity[] {
  const needle = search.trim().toLowerCase();
  return items
    .filter((e) => !kind || e.kind === kind)
    .filter(
      (e) =>
        !needle ||
        e.name.toLowerCase().includes(needle) ||
        e.slug.includes(needle) ||
        e.aliases.some((a) => a.toLowerCase().includes(needle)),
    )
    .sort((a, b) => SORTS[sort].compare(a, b) || a.name.localeCompare(b.name));
}

/**
 * Rows with data, and the quiet ones: no mention in the period, folded away so they do not fill the
 * table. A search shows every match, quiet or not.
 */
export function splitQuiet(rows: readonly Entity[], search: string): { active: Entity[]; quiet: Entity[] } {
  if (search.trim()) return { active: [...rows], quiet: [] };
  const isQuiet = (e: Entity): boolean => e.summary.n === 0;
  return { active: rows.filter((e) => !isQuiet(e)), quiet: rows.filter(isQuiet) };
}

/**
 * Per vendor, the names of its products with mentions in the period, most mentioned first: a
 * vendor's figures sum its products', and the table says which.
 */
export function listRollupParts(items: readonly Entity[]): Map<string, string[]> {
  const parts = new Map<string, Entity[]>();
  for (const e of items) {
    if (e.parent === null || e.summary.n === 0) continue;
    parts.set(e.parent, [...(parts.get(e.parent) ?? []), e]);
  }
  return new Map(
    [...parts].map(([parent, list]) => [
      parent,
      list.sort((a, b) => b.summary.n - a.summary.n || a.name.localeCompare(b.name)).map((e) => e.name),
    ]),
  );
}

/** The biggest significant changes, largest first. */
export function pickMovers(items: readonly Entity[], count = 6): Entity[] {
  return items
    .filter((e) => e.summary.significant && e.summary.change !== null)
    .sort((a, b) => Math.abs(b.summary.change ?? 0) - Math.abs(a.summary.change ?? 0))
    .slice(0, count);
}
