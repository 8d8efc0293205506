import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { makeContext, warningsIn, type LoggedLine } from '../../test/support/source-harness.ts';
import {
  isCursorObject,
  keepSince,
  readCursor,
  readPagedBackfillCursor,
  readPagedPollCursor,
  readWindowCursor,
  writePagedPollCursor,
} from './cursor.ts';
import type { CursorValue } from './types.ts';

const Cursor = z.object({ hw: z.number().int() });
const NOW = new Date('2026-03-02T12:00:00Z');

describe('readCursor', () => {
  it('returns null without a warning when nothing is stored', () => {
    const logs: LoggedLine[] = [];
    const ctx = makeContext([], NOW, logs);
    expect(readCursor(Cursor, undefined, ctx, 'q')).toBeNull();
    expect(readCursor(Cursor, null, ctx, 'q')).toBeNull();
    expect(logs).toEqual([]);
  });

  it('returns the parsed cursor when it has the right shape', () => {
    expect(readCursor(Cursor, { hw: 42 }, makeContext([], NOW), 'q')).toEqual({ hw: 42 });
  });

  it('ignores a cursor of the wrong shape and warns once', () => {
    const logs: LoggedLine[] = [];
    expect(readCursor(Cursor, { hw: 'soon' }, makeContext([], NOW, logs), 'search:zed')).toBeNull();
    expect(warningsIn(logs)).toEqual(['ignoring a stored cursor of the wrong shape']);
  });
});

describe('keepSince', () => {
  it('keeps the ids created at or after the second, dropping older ones', () => {
    expect(keepSince({ a: 9, b: 10, c: 11 }, 10)).toEqual({ b: 10, c: 11 });
    expect(keepSince({}, 10)).toEqual({});
  });
});

describe('cursor guards', () => {
  it('treats only objects of fields as cursor objects', () => {
    expect(isCursorObject({ a: 1 })).toBe(true);
    for (const value of [undefined, null, 3, 'x', true, [1, 2]]) expect(isCursorObject(value)).toBe(false);
  });

  it('reads a backfill cursor only when it was stored for the same window', () => {
    const stored = { since: 'S', until: 'U', page: 4, done: false };
    expect(readWindowCursor(stored, 'S', 'U')).toBe(stored);
    expect(readWindowCursor(stored, 'S', 'other')).toBeNull();
    expect(readWindowCursor([stored], 'S', 'U')).toBeNull();
  });

  it('reads a paged backfill cursor, page 1 when absent and done only when true', () => {
    expect(readPagedBackfillCursor({ since: 'S', until: 'U', page: 4, done: true }, 'S', 'U')).toEqual({ page: 4, done: true });
    expect(readPagedBackfillCursor({ since: 'S', until: 'U', done: 'yes' }, 'S', 'U')).toEqual({ page: 1, done: false });
    expect(readPagedBackfillCursor({ since: 'S2', until: 'U', page: 4 }, 'S', 'U')).toBeNull();
  });
});

describe('paged poll cursors', () => {
  const readId = (value: CursorValue | undefined): number | null =>
    isCursorObject(value) && typeof value.id === 'number' ? value.id : null;

  it('reads back what it wrote', () => {
    const cursor = { hwm: 5, walk: { top: 9, page: 3 } };
    const stored = writePagedPollCursor(cursor, (id) => ({ id }));
    expect(stored).toEqual({ hwm: { id: 5 }, walk: { top: { id: 9 }, page: 3 } });
    expect(readPagedPollCursor(stored, readId)).toEqual(cursor);
  });

  it('drops a walk whose top or page cannot be read, keeping the mark', () => {
    expect(readPagedPollCursor({ hwm: { id: 5 }, walk: { top: 'x', page: 3 } }, readId)).toEqual({ hwm: 5, walk: null });
    expect(readPagedPollCursor({ hwm: { id: 5 }, walk: { top: { id: 9 } } }, readId)).toEqual({ hwm: 5, walk: null });
    expect(readPagedPollCursor('garbage', readId)).toEqual({ hwm: null, walk: null });
  });
});
