import { createHash } from 'node:crypto';

/**
 * An answer book: the answers some reader (a model run elsewhere, or people) gave to the prompts the
 * LLM tiers send, so a tier's accuracy can be measured and re-measured without the endpoint
 * (`replay-endpoint.ts`). A book holds no post text: an answer's evidence quotes are stored as
 * offsets into the prompt they answer and restored from it when replayed.
 */

/** The key of one request: its system and user messages. */
export function promptKey(system: string, user: string): string {
  return createHash('sha256').update(system).update('\u0000').update(user).digest('hex').slice(0, 32);
}

/**
 * Offsets into the user prompt, standing in for a quote; `unmarked` when they count in the prompt
 * with its mention markers ([[ ]]) taken out, as a quote of a marked mention is given.
 */
interface QuoteAt {
  at: [number, number];
  unmarked?: true;
}

const unmark = (text: string): string => text.replaceAll('[[', '').replaceAll(']]', '');

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** `value` with `replace` applied to the value of every `evidence` key, at any depth. */
function mapEvidence(value: Json, replace: (quote: Json) => Json): Json {
  if (Array.isArray(value)) return value.map((item) => mapEvidence(item, replace));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === 'evidence' ? replace(v) : mapEvidence(v, replace)]));
}

/**
 * The answer `content` (the JSON a tier asked for) with each evidence quote replaced by its offsets
 * in `user` (or in `user` without its mention markers, for a quote of a marked mention). A quote
 * found in neither stays out of the book: it becomes "" (which every tier rejects, as it would have
 * rejected the quote), and is counted in `missing`.
 */
export function packAnswer(user: string, content: string): { stored: Json; missing: number } {
  let missing = 0;
  const stored = mapEvidence(JSON.parse(content) as Json, (quote) => {
    if (typeof quote !== 'string' || quote.length === 0) return quote;
    const at = user.indexOf(quote);
    if (at >= 0) return { at: [at, at + quote.length] } satisfies QuoteAt as unknown as Json;
    const unmarkedAt = unmark(user).indexOf(quote);
    if (unmarkedAt >= 0) return { at: [unmarkedAt, unmarkedAt + quote.length], unmarked: true } satisfies QuoteAt as unknown as Json;
    missing++;
    return '';
  });
  return { stored, missing };
}

/** The answer as first given, its quotes read back from `user`. */
export function unpackAnswer(user: string, stored: Json): string {
  return JSON.stringify(
    mapEvidence(stored, (quote) => {
      const stored = quote as unknown as QuoteAt | null;
      if (!Array.isArray(stored?.at)) return quote;
      return (stored.unmarked ? unmark(user) : user).slice(stored.at[0], stored.at[1]);
    }),
  );
}

export interface BookEntry {
  key: string;
  answer: Json;
}

export type AnswerBook = Map<string, Json>;

export const readAnswerBook = (entries: readonly BookEntry[]): AnswerBook => new Map(entries.map((e) => [e.key, e.answer]));

/** The book's answer to one request, as first given, or undefined when it has none. */
export function answerFor(book: AnswerBook, system: string, user: string): string | undefined {
  const stored = book.get(promptKey(system, user));
  return stored === undefined ? undefined : unpackAnswer(user, stored);
}
