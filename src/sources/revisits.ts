import { keepSince, type IdTimes } from './cursor.ts';

/**
 * What a poll cursor keeps to read comment trees again: tracked items (id -> created second) and
 * when each was last read or tried (id -> second; absent: never read).
 */
export interface RevisitState {
  tracked: IdTimes;
  revisited: IdTimes;
}

const compareIds = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The tracked items created at or after `sinceS`, the newest `max` of them, with their read times. */
export function trimRevisits(state: RevisitState, sinceS: number, max: number): RevisitState {
  const kept = Object.entries(keepSince(state.tracked, sinceS))
    .sort(([idA, a], [idB, b]) => b - a || compareIds(idA, idB))
    .slice(0, Math.max(0, max));
  const tracked: IdTimes = Object.fromEntries(kept);
  return { tracked, revisited: Object.fromEntries(Object.entries(state.revisited).filter(([id]) => Object.hasOwn(tracked, id))) };
}

/**
 * Up to `count` tracked items not in `skip` and not read after the second `readBefore`: never read
 * first, then least recently read, newer first on a tie.
 */
export function pickRevisits(state: RevisitState, skip: ReadonlySet<string>, readBefore: number, count: number): string[] {
  const readAt = (id: string): number => state.revisited[id] ?? -1;
  return Object.entries(state.tracked)
    .filter(([id]) => !skip.has(id) && readAt(id) <= readBefore)
    .sort(([idA, a], [idB, b]) => readAt(idA) - readAt(idB) || b - a || compareIds(idA, idB))
    .slice(0, Math.max(0, count))
    .map(([id]) => id);
}
