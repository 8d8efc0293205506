import { OverloadedError } from '../core/errors.ts';

export interface HeavyReadOptions {
  /** Computed at once; the rest wait their turn. */
  concurrent: number;
  /** Allowed to wait; one more is refused with 503 and Retry-After. */
  queued: number;
  retryAfterSeconds?: number;
}

/**
 * Series, comparisons and exports build every point in memory and serialize it on the one event loop;
 * a few at a time keep /health and light reads answering within milliseconds and memory bounded.
 */
export const DEFAULT_HEAVY_READS: Readonly<HeavyReadOptions> = Object.freeze({ concurrent: 2, queued: 64 });

export interface HeavyReadGate {
  /** Runs `body` when a slot is free; throws OverloadedError when the waiting line is full. */
  run<T>(body: () => Promise<T>): Promise<T>;
}

export function createHeavyReadGate(options: HeavyReadOptions): HeavyReadGate {
  const retryAfter = options.retryAfterSeconds ?? 1;
  let active = 0;
  const waiting: Array<() => void> = [];
  return {
    async run(body) {
      if (active < options.concurrent) active += 1;
      else if (waiting.length < options.queued) await new Promise<void>((resolve) => waiting.push(resolve));
      else {
        throw new OverloadedError(
          `too many series, comparisons and exports at once (${active} running, ${waiting.length} waiting); retry in ${retryAfter} s`,
          retryAfter,
        );
      }
      try {
        return await body();
      } finally {
        // The slot passes straight to the next in line, so a newcomer cannot overtake it.
        const nextInLine = waiting.shift();
        if (nextInLine) nextInLine();
        else active -= 1;
      }
    },
  };
}
