import { createHash } from 'node:crypto';
import { createLruCache, type AnswerCache } from '../llm/lru-cache.ts';
import type { AspectFinding, TextSpan } from './types.ts';

/** Where second-tier aspect answers are kept; the in-memory LRU below is the default. */
export type AspectCache = AnswerCache<AspectFinding[]>;

/** Bump when the prompt or the answer's meaning changes, so old cached answers stop matching. */
export const ASPECT_PROMPT_VERSION = 3;

export function hashAspectRequest(model: string, text: string, span: TextSpan): string {
  return createHash('sha256')
    .update(`v${ASPECT_PROMPT_VERSION}\u0000${model}\u0000${span.start}:${span.end}\u0000`)
    .update(text)
    .digest('hex');
}

export function createLruAspectCache(maxEntries = 10_000): AspectCache & { size(): number } {
  return createLruCache<AspectFinding[]>(maxEntries);
}
