// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createConnection, LONGEST_PAUSE_MS, pauseAfter } from './connection.ts';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('pauseAfter', () => {
  it('doubles from one second and stops growing at thirty', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 40].map(pauseAfter)).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, LONGEST_PAUSE_MS]);
  });
});

describe('createConnection', () => {
  it('once a request goes unanswered, checks again with growing pauses until the server answers, then counts a return', async () => {
    const answers = [false, false, true];
    const probe = vi.fn(async () => answers.shift() ?? true);
    const connection = createConnection(probe);
    const seen: boolean[] = [];
    connection.subscribe(() => seen.push(connection.get().reachable));
    connection.markUnreachable();
    connection.markUnreachable();
    expect(connection.get()).toMatchObject({ reachable: false, failures: 0, epoch: 0 });
    await vi.advanceTimersByTimeAsync(999);
    expect(probe).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(probe).toHaveBeenCalledTimes(1);
    expect(connection.get()).toMatchObject({ reachable: false, failures: 1 });
    await vi.advanceTimersByTimeAsync(1999);
    expect(probe).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(probe).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(4000);
    expect(probe).toHaveBeenCalledTimes(3);
    expect(connection.get()).toMatchObject({ reachable: true, failures: 0, epoch: 1, nextCheckAt: null });
    expect(seen.at(-1)).toBe(true);
    // Back for good: no more checks.
    await vi.advanceTimersByTimeAsync(60_000);
    expect(probe).toHaveBeenCalledTimes(3);
  });

  it('an answered request ends the checks at once; checkNow does not wait out the pause', async () => {
    const probe = vi.fn(async () => false);
    const connection = createConnection(probe);
    connection.markUnreachable();
    connection.checkNow();
    await vi.advanceTimersByTimeAsync(0);
    expect(probe).toHaveBeenCalledTimes(1);
    connection.markReachable();
    expect(connection.get()).toMatchObject({ reachable: true, epoch: 1 });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(probe).toHaveBeenCalledTimes(1);
  });
});
