/** A repeatable generator of numbers in [0, 1) (Mulberry32), for property tests and synthetic data. */
export function createSeededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Shuffles `items` in place (Fisher-Yates from the end), repeatably for a seeded `random`. */
export function shuffleInPlace<T>(items: T[], random: () => number): void {
  for (let i = items.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    const a = items[i] as T;
    items[i] = items[j] as T;
    items[j] = a;
  }
}

/** A shuffled copy of `items`, as shuffleInPlace orders it. */
export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  shuffleInPlace(out, random);
  return out;
}
