import type { NormalizedPost } from '../core/post.ts';
import type { PageYield } from './batching.ts';
import { IdTimes, keepSince } from './cursor.ts';
import type { Rejection } from './types.ts';

/** Options of a source that reads comment trees again; each source documents its own defaults. */
export interface RevisitOptions {
  /** Items a poll yielded have their trees read again this long after creation. */
  revisitWindowMs?: number;
  /** Items remembered for revisits per query, newest kept. */
  maxTracked?: number;
  /** Trees read again per query and poll, least recently read first (0 turns revisits off). */
  revisitsPerPoll?: number;
  /** A tree read (or tried) less than this long ago is not read again yet. */
  revisitAfterMs?: number;
}

/**
 * Poll-cursor fields: tracked items (id -> created second) and when each was last read or tried
 * (id -> second; absent: never read). Default empty, so cursors stored before them still parse.
 */
export const RevisitCursorFields = { tracked: IdTimes.default({}), revisited: IdTimes.default({}) };

export interface RevisitState {
  tracked: IdTimes;
  revisited: IdTimes;
}

/** One comment tree: its comments naming a term, or why it could not be read (`gone`: deleted). */
export type TreeRead =
  { kind: 'read'; posts: NormalizedPost[]; rejected: Rejection[]; fetched: number } | { kind: 'failed' } | { kind: 'gone' };

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

/**
 * Reads again the trees of the tracked items due (not those in `skip`, first read this poll), for
 * comments written since: what they hold, and the cursor recording the reads, for one batch, so a
 * crash re-reads at most these. A deleted item stops being tracked. Null when nothing is due.
 */
export async function revisitDue<C extends RevisitState>(
  cursor: C,
  skip: ReadonlySet<string>,
  nowS: number,
  budget: { afterS: number; perPoll: number },
  read: (id: string) => Promise<TreeRead>,
): Promise<{ found: PageYield; cursor: C } | null> {
  const due = pickRevisits(cursor, skip, nowS - budget.afterS, budget.perPoll);
  if (due.length === 0) return null;
  const tracked = { ...cursor.tracked };
  const revisited = { ...cursor.revisited };
  const found: PageYield = { posts: [], rejected: [], fetched: 0 };
  for (const id of due) {
    const tree = await read(id);
    revisited[id] = nowS;
    if (tree.kind === 'gone') {
      delete tracked[id];
      delete revisited[id];
    }
    if (tree.kind !== 'read') continue;
    found.fetched += tree.fetched;
    found.posts.push(...tree.posts);
    found.rejected.push(...tree.rejected);
  }
  return { found, cursor: { ...cursor, tracked, revisited } };
}
