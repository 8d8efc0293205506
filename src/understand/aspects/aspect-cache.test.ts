import { describe, expect, it } from 'vitest';
import { createLruAspectCache, hashAspectRequest } from './aspect-cache.ts';

describe('createLruAspectCache', () => {
  it('evicts the least recently used entry when full', async () => {
    const cache = createLruAspectCache(2);
    await cache.set('a', []);
    await cache.set('b', []);
    await cache.get('a');
    await cache.set('c', []);
    expect(await cache.get('b')).toBeUndefined();
    expect(await cache.get('a')).toEqual([]);
    expect(cache.size()).toBe(2);
  });
});

describe('hashAspectRequest', () => {
  it('differs by model, text and span', () => {
    const base = hashAspectRequest('m', 'text', { start: 0, end: 2 });
    expect(hashAspectRequest('m2', 'text', { start: 0, end: 2 })).not.toBe(base);
    expect(hashAspectRequest('m', 'text!', { start: 0, end: 2 })).not.toBe(base);
    expect(hashAspectRequest('m', 'text', { start: 1, end: 2 })).not.toBe(base);
    expect(hashAspectRequest('m', 'text', { start: 0, end: 2 })).toBe(base);
  });
});
