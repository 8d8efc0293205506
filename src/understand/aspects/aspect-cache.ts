import { createHash } from 'node:crypto';
import type { AspectFinding, TextSpan } from './types.ts';

/**
 * Where second-tier answers are kept. Async so a database table can stand behind it; the
 * in-memory LRU below is the default.
 */
export interface AspectCache {
  get(key: string): Promise<AspectFinding[] | undefined>;
  set(key: string, findings: AspectFinding[]): Promise<void>;
}

/** Bump when the prompt or the answer's meaning changes, so old cached answers stop matching. */
export const ASPECT_PROMPT_VERSION = 1;

export function hashAspectRequest(model: string, text: string, span: TextSpan): string {
  return createHash('sha256')
    .update(`v${ASPECT_PROMPT_VERSION}\u0000${model}\u0000${span.start}:${span.end}\u0000`)
    .update(text)
    .digest('hex');
}

export function createLruAspectCache(maxEntries = 10_000): AspectCache & { size(): number } {
  const entries = new Map<string, AspectFinding[]>();
  return {
    async get(key) {
      const found = entries.get(key);
      if (found === undefined) return undefined;
      // Re-inserting moves the key to the newest end of the Map's insertion order.
      entries.delete(key);
      entries.set(key, found);
      return found;
    },
    async set(key, findings) {
      entries.delete(key);
      entries.set(key, findings);
      while (entries.size > maxEntries) {
        const oldest = entries.keys().next();
        if (oldest.done) break;
        entries.delete(oldest.value);
      }
    },
    size: () => entries.size,
  };
}
