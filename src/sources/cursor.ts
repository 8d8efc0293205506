import { z } from 'zod';
import type { CollectContext, CursorValue } from './types.ts';

/** Ids with the second each was created at: what a poll already stored inside its overlap window. */
export const IdTimes = z.record(z.string(), z.number().int());
export type IdTimes = z.infer<typeof IdTimes>;

/** The entries of `ids` created at or after the second `since`. */
export function keepSince(ids: IdTimes, since: number): IdTimes {
  return Object.fromEntries(Object.entries(ids).filter(([, second]) => second >= since));
}

/** The stored cursor of `queryKey` parsed by `schema`; null when none is stored or (logged) it has the wrong shape. */
export function readCursor<S extends z.ZodType>(
  schema: S,
  stored: CursorValue | undefined,
  ctx: CollectContext,
  queryKey: string,
): z.infer<S> | null {
  if (stored === undefined || stored === null) return null;
  const parsed = schema.safeParse(stored);
  if (parsed.success) return parsed.data;
  ctx.log.warn({ queryKey, cursor: stored }, 'ignoring a stored cursor of the wrong shape');
  return null;
}

/** True when a stored cursor value is an object of fields (not nothing, a scalar or a list). */
export function isCursorObject(value: CursorValue | undefined): value is { [key: string]: CursorValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A backfill cursor's fields when it was stored for this same window (ISO `since`/`until`); otherwise null. */
export function readWindowCursor(value: CursorValue | undefined, since: string, until: string): { [key: string]: CursorValue } | null {
  if (!isCursorObject(value)) return null;
  return value.since === since && value.until === until ? value : null;
}

/** A backfill cursor that pages through the window: the next page (1 when absent) and whether it finished. */
export function readPagedBackfillCursor(
  value: CursorValue | undefined,
  since: string,
  until: string,
): { page: number; done: boolean } | null {
  const fields = readWindowCursor(value, since, until);
  if (!fields) return null;
  return { page: typeof fields.page === 'number' ? fields.page : 1, done: fields.done === true };
}

/** The poll cursor of a source that walks pages newest first: the mark of the last finished walk, and an unfinished walk. */
export interface PagedPollCursor<Mark> {
  hwm: Mark | null;
  walk: { top: Mark; page: number } | null;
}

/** A stored paged poll cursor, its marks read by `readMark`; a walk whose top cannot be read is dropped. */
export function readPagedPollCursor<Mark>(
  value: CursorValue | undefined,
  readMark: (value: CursorValue | undefined) => Mark | null,
): PagedPollCursor<Mark> {
  if (!isCursorObject(value)) return { hwm: null, walk: null };
  const hwm = readMark(value.hwm);
  const walk = value.walk;
  if (isCursorObject(walk) && typeof walk.page === 'number') {
    const top = readMark(walk.top);
    if (top) return { hwm, walk: { top, page: walk.page } };
  }
  return { hwm, walk: null };
}

/** A paged poll cursor as it is stored, each mark written by `writeMark`. */
export function writePagedPollCursor<Mark>(cursor: PagedPollCursor<Mark>, writeMark: (mark: Mark) => CursorValue): CursorValue {
  return {
    hwm: cursor.hwm ? writeMark(cursor.hwm) : null,
    walk: cursor.walk ? { top: writeMark(cursor.walk.top), page: cursor.walk.page } : null,
  };
}
