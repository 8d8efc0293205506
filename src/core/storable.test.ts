import { describe, expect, it } from 'vitest';
import type { NormalizedEvent, NormalizedPost } from './post.ts';
import {
  clampInteger,
  escapeControls,
  INT32_MAX,
  INT32_MIN,
  parseIsoInstant,
  storableEvent,
  storableName,
  storablePost,
  storableText,
} from './storable.ts';

const NOW = new Date('2026-03-10T12:00:00Z');

const post = (extra: Partial<NormalizedPost> = {}): NormalizedPost => ({
  source: 'hn',
  externalId: '1',
  url: 'https://news.ycombinator.com/item?id=1',
  author: 'someone',
  title: 'A title',
  body: 'Cursor keeps crashing on large repos.',
  createdAt: new Date('2026-03-01T12:00:00Z'),
  score: 5,
  comments: 2,
  parentId: null,
  threadId: '1',
  ...extra,
});

const event = (extra: Partial<NormalizedEvent> = {}): NormalizedEvent => ({
  kind: 'release',
  source: 'rss',
  externalId: 'v1',
  title: 'Cursor 2.0',
  url: null,
  body: null,
  occurredAt: new Date('2026-03-01T00:00:00Z'),
  ...extra,
});

describe('storableText', () => {
  it('removes NUL and the other control characters but keeps tabs and line breaks', () => {
    expect(storableText('a\u0000b\u0007c\u001bd\u007fe\u009bf\tg\nh')).toBe('abcdef\tg\nh');
  });

  it('turns CRLF and lone CR into LF', () => {
    expect(storableText('one\r\ntwo\rthree')).toBe('one\ntwo\nthree');
  });

  it('replaces a lone surrogate with U+FFFD and keeps pairs (emoji)', () => {
    expect(storableText('a\uD800b \uDC00 😀')).toBe('a\uFFFDb \uFFFD 😀');
  });

  it('returns clean text unchanged, bidirectional characters included (bodies quote RTL text)', () => {
    const text = 'Claude Code is great \u202Ereversed\u202C and עברית';
    expect(storableText(text)).toBe(text);
  });
});

describe('storableName', () => {
  it('removes bidirectional embeddings, overrides and isolates, keeps marks', () => {
    expect(storableName('user\u202Egnp.exe\u202C')).toBe('usergnp.exe');
    expect(storableName('\u2066a\u2067b\u2068c\u2069')).toBe('abc');
    expect(storableName('a\u200Fb')).toBe('a\u200Fb');
  });

  it('puts a name on one line, trimmed, without control characters', () => {
    expect(storableName('  Cursor\n2.0\t\tlaunch\u0000 ')).toBe('Cursor 2.0 launch');
  });
});

describe('clampInteger', () => {
  it('holds values within a PostgreSQL integer, rounding, with null and NaN as null', () => {
    expect(clampInteger(2 ** 31)).toBe(INT32_MAX);
    expect(clampInteger(-(2 ** 40))).toBe(INT32_MIN);
    expect(clampInteger(Number.POSITIVE_INFINITY)).toBe(INT32_MAX);
    expect(clampInteger(12.6)).toBe(13);
    expect(clampInteger(-3, 0)).toBe(0);
    expect(clampInteger(null)).toBeNull();
    expect(clampInteger(Number.NaN)).toBeNull();
  });
});

describe('storablePost', () => {
  it('cleans text, names and counts, keeping a clean post as it is', () => {
    expect(storablePost(post(), NOW)).toEqual({ ok: true, value: post() });
    const cleaned = storablePost(
      post({ body: 'bad\u0000body', title: 'Ti\u202Etle', author: 'ev\u202Eil', score: 2 ** 31, comments: 2 ** 40, parentId: 'p\u00001' }),
      NOW,
    );
    expect(cleaned).toEqual({
      ok: true,
      value: post({ body: 'badbody', title: 'Title', author: 'evil', score: INT32_MAX, comments: INT32_MAX, parentId: 'p1' }),
    });
  });

  it('drops links that are not http(s) and empty names', () => {
    const result = storablePost(post({ url: 'javascript:alert(1)', author: '\u202E', title: '  ' }), NOW);
    expect(result).toMatchObject({ ok: true, value: { url: null, author: null, title: null } });
  });

  it('refuses dates before 2000 (year 0000 and 0001 included), invalid, or more than a day ahead, naming createdAt', () => {
    expect(storablePost(post({ createdAt: new Date('0000-01-01T00:00:00Z') }), NOW)).toEqual({
      ok: false,
      reason: 'createdAt: 0000-01-01T00:00:00.000Z is before 2000-01-01',
    });
    expect(storablePost(post({ createdAt: new Date('0001-01-01T00:00:00Z') }), NOW)).toMatchObject({
      ok: false,
      reason: /^createdAt: 0001-01-01/,
    });
    expect(storablePost(post({ createdAt: new Date('nonsense') }), NOW)).toEqual({ ok: false, reason: 'createdAt: not a valid date' });
    expect(storablePost(post({ createdAt: new Date('2026-03-11T13:00:00Z') }), NOW)).toEqual({
      ok: false,
      reason: 'createdAt: 2026-03-11T13:00:00.000Z is more than a day in the future',
    });
    expect(storablePost(post({ createdAt: new Date('2026-03-11T11:00:00Z') }), NOW).ok).toBe(true);
    expect(storablePost(post({ createdAt: new Date('2000-01-01T00:00:00Z') }), NOW).ok).toBe(true);
  });

  it('refuses an identity that is not one: empty, too long, with control characters, a bad source name', () => {
    expect(storablePost(post({ externalId: ' ' }), NOW)).toEqual({ ok: false, reason: 'externalId: empty' });
    expect(storablePost(post({ externalId: 'x'.repeat(513) }), NOW)).toEqual({
      ok: false,
      reason: 'externalId: longer than 512 characters',
    });
    expect(storablePost(post({ externalId: 'a\u0000b' }), NOW)).toMatchObject({ ok: false, reason: /^externalId: contains control/ });
    expect(storablePost(post({ source: 'Bad Source' }), NOW)).toMatchObject({ ok: false, reason: /^source: / });
  });
});

describe('storableEvent', () => {
  it('cleans the title and body and allows dates up to a year ahead', () => {
    const result = storableEvent(
      event({ title: 'Cursor\u202E 2.0\n', body: 'notes\u0000', occurredAt: new Date('2026-12-01T00:00:00Z') }),
      NOW,
    );
    expect(result).toEqual({
      ok: true,
      value: event({ title: 'Cursor 2.0', body: 'notes', occurredAt: new Date('2026-12-01T00:00:00Z') }),
    });
  });

  it('refuses an empty title and dates outside 2000..now + 1 year, naming the field', () => {
    expect(storableEvent(event({ title: '\u0000' }), NOW)).toEqual({ ok: false, reason: 'title: empty' });
    expect(storableEvent(event({ occurredAt: new Date('1999-12-31T23:59:59Z') }), NOW)).toMatchObject({
      ok: false,
      reason: /^occurredAt: .* before 2000-01-01$/,
    });
    expect(storableEvent(event({ occurredAt: new Date('2027-04-01T00:00:00Z') }), NOW)).toMatchObject({
      ok: false,
      reason: /more than a year in the future$/,
    });
  });
});

describe('parseIsoInstant', () => {
  const instant = (value: string) => {
    const parsed = parseIsoInstant(value);
    return parsed.ok ? parsed.value.toISOString() : parsed.reason;
  };

  it('reads dates as midnight UTC and date-times without an offset as UTC', () => {
    expect(instant('2026-01-31')).toBe('2026-01-31T00:00:00.000Z');
    expect(instant('2026-01-31T12:30')).toBe('2026-01-31T12:30:00.000Z');
    expect(instant('2026-01-31T12:30:15.123456Z')).toBe('2026-01-31T12:30:15.123Z');
    expect(instant('2026-01-31T12:30:00+02:00')).toBe('2026-01-31T10:30:00.000Z');
    expect(instant('2026-01-31T12:30:00-0530')).toBe('2026-01-31T18:00:00.000Z');
  });

  it('refuses a day the month does not have instead of rolling into the next month', () => {
    expect(instant('2026-02-30')).toBe('2026-02 has no day 30');
    expect(instant('2026-02-31')).toBe('2026-02 has no day 31');
    expect(instant('2026-04-31T00:00:00Z')).toBe('2026-04 has no day 31');
    expect(instant('2026-02-29')).toBe('2026-02 has no day 29');
    expect(instant('2028-02-29')).toBe('2028-02-29T00:00:00.000Z');
    expect(instant('2000-02-29')).toBe('2000-02-29T00:00:00.000Z');
    expect(instant('2100-02-29')).toBe('2100-02 has no day 29');
  });

  it('refuses months, times and offsets that do not exist', () => {
    expect(instant('2026-13-01')).toBe('month 13 does not exist');
    expect(instant('2026-00-10')).toBe('month 00 does not exist');
    expect(instant('2026-01-01T24:00:00Z')).toBe('24:00:00 is not a time of day');
    expect(instant('2026-01-01T10:00:00+25:00')).toBe('+25:00 is not a time zone offset');
    expect(instant('yesterday')).toMatch(/^expected an ISO 8601 date/);
    expect(instant('2026-1-1')).toMatch(/^expected an ISO 8601 date/);
  });

  it('reads years 0000-0099 as themselves, not 1900-1999 or 2000-2099', () => {
    expect(instant('0001-01-01')).toBe('0001-01-01T00:00:00.000Z');
    expect(instant('0099-12-31T00:00:00Z')).toBe('0099-12-31T00:00:00.000Z');
  });
});

describe('escapeControls', () => {
  it('writes control, bidirectional and lone surrogate characters as escapes, leaving other text alone', () => {
    expect(escapeControls('red \u001b[31m bell \u0007 nul \u0000 csi \u009b')).toBe('red \\u001b[31m bell \\u0007 nul \\u0000 csi \\u009b');
    expect(escapeControls('a\nb\tc\rd')).toBe('a\\nb\\tc\\rd');
    expect(escapeControls('evil\u202Etxt.exe \uD800')).toBe('evil\\u202etxt.exe \\ud800');
    expect(escapeControls('Grüße, 日本語, 😀')).toBe('Grüße, 日本語, 😀');
  });
});
