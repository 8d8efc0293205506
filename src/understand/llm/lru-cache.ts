/**
 * Where LLM answers are kept. Async so a database table can stand behind it; the in-memory LRU
 * below is the default.
 */
export interface AnswerCache<V> {
  get(key: string): Promise<V | undefined>;
  set(key: string, value: V): Promise<void>;
}

/** Keeps the `maxEntries` most recently used answers in memory. */
export function createLruCache<V>(maxEntries = 10_000): AnswerCache<V> & { size(): number } {
  const entries = new Map<string, V>();
  return {
    async get(key) {
      if (!entries.has(key)) return undefined;
      const found = entries.get(key) as V;
      // Re-inserting moves the key to the newest end of the Map's insertion order.
      entries.delete(key);
      entries.set(key, found);
      return found;
    },
    async set(key, value) {
      entries.delete(key);
      entries.set(key, value);
      while (entries.size > maxEntries) {
        const oldest = entries.keys().next();
        if (oldest.done) break;
        entries.delete(oldest.value);
      }
    },
    size: () => entries.size,
  };
}

/**
 * Shares one pending answer between identical requests: a second call with a key already in
 * flight gets the first call's promise instead of starting its own.
 */
export function createInFlight<T>(): (key: string, start: () => Promise<T>) => Promise<T> {
  const pending = new Map<string, Promise<T>>();
  return (key, start) => {
    const existing = pending.get(key);
    if (existing) return existing;
    const request = start().finally(() => pending.delete(key));
    pending.set(key, request);
    return request;
  };
}
