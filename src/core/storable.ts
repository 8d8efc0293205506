/* eslint-disable no-control-regex -- finding control characters is what this module is for */
import type { NormalizedEvent, NormalizedPost } from './post.ts';
import { SourceName } from './post.ts';
import { EARLIEST_DATE } from './series-window.ts';

/**
 * The edge every value crosses before the database: text PostgreSQL can hold, dates in a range
 * the API can query, integers that fit an `integer` column. Import lines, every source's mapped
 * posts and events (through the ingestor) and the API's write bodies all go through here.
 */

export const INT32_MIN = -2_147_483_648;
export const INT32_MAX = 2_147_483_647;
/** Ids name a row; longer ones are garbage, and over about 2,700 bytes a btree index refuses them. */
export const MAX_ID_LENGTH = 512;
/** How far ahead of now a date may lie, and how an error says it. */
export interface FutureLimit {
  ms: number;
  words: string;
}
/** Upstream clocks run a little ahead; a post dated further ahead is wrong, not early. */
export const POST_FUTURE_LIMIT: FutureLimit = { ms: 24 * 3_600_000, words: 'a day' };
/** Events may be announced ahead (a scheduled release or deprecation), as far as the API reads ahead. */
export const EVENT_FUTURE_LIMIT: FutureLimit = { ms: 366 * 24 * 3_600_000, words: 'a year' };

// C0 controls but tab and line feed, DEL, C1 controls. NUL is among them: PostgreSQL text cannot hold it.
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g;
const CARRIAGE_RETURN = /\r\n?/g;
// Half of a surrogate pair without its other half: not a character, stored by drivers as U+FFFD.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
// Embeddings, overrides and isolates reorder what a reader sees ("Trojan Source"); marks (LRM, RLM) do not.
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069]/g;
const LINE_BREAKS_AND_TABS = /[\t\n\u2028\u2029]+/g;
// One test for everything a cleaner would change, so clean text (nearly all of it) is returned as is.
const NEEDS_TEXT_CLEANING = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\r\uD800-\uDFFF]/;
const NEEDS_NAME_CLEANING = /[\u0000-\u001F\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069\uD800-\uDFFF]/;

/** Text as stored: line breaks as \n, no NUL or other control characters but tab and \n, no lone surrogates. */
export function storableText(text: string): string {
  if (!NEEDS_TEXT_CLEANING.test(text)) return text;
  return text.replace(CARRIAGE_RETURN, '\n').replace(CONTROL, '').replace(LONE_SURROGATE, '\uFFFD');
}

/** A one-line name or title: storable text without bidirectional controls, line breaks and tabs as one space, trimmed. */
export function storableName(text: string): string {
  if (!NEEDS_NAME_CLEANING.test(text)) return text.trim();
  return storableText(text).replace(BIDI_CONTROL, '').replace(LINE_BREAKS_AND_TABS, ' ').trim();
}

const storableNameOrNull = (text: string | null): string | null => (text === null ? null : storableName(text) || null);

/** `value` rounded and held within a PostgreSQL integer; null stays null, and so does NaN. */
export function clampInteger(value: number | null, min = INT32_MIN, max = INT32_MAX): number | null {
  if (value === null || Number.isNaN(value)) return null;
  return Math.min(max, Math.max(min, Math.round(value)));
}

/** Why `date` cannot be stored (not a date, before 2000, too far ahead of `now`), naming `field`; null when it can. */
export function checkInstant(field: string, date: Date, now: Date, future: FutureLimit): string | null {
  const time = date.getTime();
  if (Number.isNaN(time)) return `${field}: not a valid date`;
  if (time < EARLIEST_DATE.getTime()) return `${field}: ${date.toISOString()} is before ${EARLIEST_DATE.toISOString().slice(0, 10)}`;
  if (time > now.getTime() + future.ms) return `${field}: ${date.toISOString()} is more than ${future.words} in the future`;
  return null;
}

/** Why `id` cannot identify a row (empty, too long, control characters); null when it can. */
function checkId(field: string, id: string): string | null {
  if (id.trim() === '') return `${field}: empty`;
  if (id.length > MAX_ID_LENGTH) return `${field}: longer than ${MAX_ID_LENGTH} characters`;
  if (storableName(id) !== id) return `${field}: contains control characters or surrounding spaces`;
  return null;
}

/** An optional reference to another item: control characters dropped; null when nothing usable is left. */
function storableReference(id: string | null): string | null {
  if (id === null) return null;
  const clean = storableName(id);
  return clean === '' || clean.length > MAX_ID_LENGTH ? null : clean;
}

/** Only http(s) links are kept: anything else would be a dead or dangerous link in the dashboard. */
function storableUrl(url: string | null): string | null {
  if (url === null) return null;
  const clean = storableName(url);
  if (clean.length > 2048 || /\s/.test(clean)) return null;
  return /^https?:\/\/[^/?#\s]/i.test(clean) ? clean : null;
}

export type Storable<T> = { ok: true; value: T } | { ok: false; reason: string };

/**
 * A post the database will take: text cleaned, counts clamped to integers, or the reason it is
 * refused (an identity that is not one, a date outside 2000..now + 1 day), naming the field.
 */
export function storablePost(post: NormalizedPost, now = new Date()): Storable<NormalizedPost> {
  if (!SourceName.safeParse(post.source).success) return { ok: false, reason: 'source: lowercase letters, digits and dashes (at most 32)' };
  const refused = checkId('externalId', String(post.externalId)) ?? checkInstant('createdAt', post.createdAt, now, POST_FUTURE_LIMIT);
  if (refused) return { ok: false, reason: refused };
  return {
    ok: true,
    value: {
      source: post.source,
      externalId: String(post.externalId),
      url: storableUrl(post.url),
      author: storableNameOrNull(post.author),
      title: storableNameOrNull(post.title),
      body: storableText(post.body),
      createdAt: post.createdAt,
      score: clampInteger(post.score),
      comments: clampInteger(post.comments, 0),
      parentId: storableReference(post.parentId),
      threadId: storableReference(post.threadId),
    },
  };
}

/** An event the database will take, or why not; events may lie up to a year ahead. */
export function storableEvent(event: NormalizedEvent, now = new Date()): Storable<NormalizedEvent> {
  if (!SourceName.safeParse(event.source).success)
    return { ok: false, reason: 'source: lowercase letters, digits and dashes (at most 32)' };
  const title = storableName(event.title);
  const refused =
    checkId('externalId', String(event.externalId)) ??
    (title === '' ? 'title: empty' : null) ??
    checkInstant('occurredAt', event.occurredAt, now, EVENT_FUTURE_LIMIT);
  if (refused) return { ok: false, reason: refused };
  return {
    ok: true,
    value: {
      ...event,
      externalId: String(event.externalId),
      title,
      url: storableUrl(event.url),
      body: event.body === null ? null : storableText(event.body),
    },
  };
}

const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeapYear = (year: number): boolean => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
const daysInMonth = (year: number, month: number): number => (month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month - 1]!);

/**
 * An ISO 8601 date (`2026-01-31`, midnight UTC) or date-time (`2026-01-31T12:00`, with seconds,
 * fractions and `Z` or an offset; none means UTC) read as the instant it names, or why it names
 * none. Unlike Date.parse, a day the month does not have is an error, not the next month.
 */
export function parseIsoInstant(value: string): { ok: true; value: Date } | { ok: false; reason: string } {
  const match = ISO_DATE_TIME.exec(value.trim());
  if (!match) return { ok: false, reason: 'expected an ISO 8601 date or date-time such as 2026-01-31 or 2026-01-31T12:00:00Z' };
  const [, y, mo, d, h = '00', mi = '00', s = '00', fraction = '', zone = 'Z'] = match;
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s].map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12) return { ok: false, reason: `month ${mo} does not exist` };
  if (day < 1 || day > daysInMonth(year, month)) return { ok: false, reason: `${y}-${mo} has no day ${d}` };
  if (hour > 23 || minute > 59 || second > 59) return { ok: false, reason: `${h}:${mi}:${s} is not a time of day` };
  let offsetMinutes = 0;
  if (zone.toUpperCase() !== 'Z') {
    const digits = zone.slice(1).replace(':', '');
    const [oh, om] = [Number(digits.slice(0, 2)), Number(digits.slice(2) || '0')];
    if (oh > 23 || om > 59) return { ok: false, reason: `${zone} is not a time zone offset` };
    offsetMinutes = (zone.startsWith('-') ? -1 : 1) * (oh * 60 + om);
  }
  const ms = fraction ? Math.floor(Number(`0${fraction}`) * 1000) : 0;
  // setUTCFullYear: Date.UTC reads years 0-99 as 1900-1999.
  const date = new Date(Date.UTC(2000, month - 1, day, hour, minute, second, ms));
  date.setUTCFullYear(year);
  return { ok: true, value: new Date(date.getTime() - offsetMinutes * 60_000) };
}

// Everything a terminal could act on or hide: C0 and C1 controls, DEL, bidirectional controls, lone surrogates.
const UNPRINTABLE =
  /[\u0000-\u001F\u007F-\u009F\u200E\u200F\u061C\u202A-\u202E\u2066-\u2069\u2028\u2029]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** `text` safe to print: every control character written as an escape (\n, \t, \u001b), so input can never drive a terminal. */
export function escapeControls(text: string): string {
  return text.replace(UNPRINTABLE, (c) =>
    c === '\n' ? '\\n' : c === '\r' ? '\\r' : c === '\t' ? '\\t' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
