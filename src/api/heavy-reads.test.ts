import { describe, expect, it } from 'vitest';
import { OverloadedError } from '../core/errors.ts';
import { createHeavyReadGate } from './heavy-reads.ts';

const deferred = () => {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
};
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('createHeavyReadGate', () => {
  it('runs at most `concurrent` bodies at once and starts the waiting ones first come, first served', async () => {
    const gate = createHeavyReadGate({ concurrent: 2, queued: 10 });
    const started: number[] = [];
    const releases = Array.from({ length: 5 }, deferred);
    const runs = releases.map((release, i) =>
      gate.run(async () => {
        started.push(i);
        await release.promise;
        return i;
      }),
    );
    await tick();
    expect(started).toEqual([0, 1]);
    releases[1]!.resolve();
    await tick();
    expect(started).toEqual([0, 1, 2]);
    for (const release of releases) release.resolve();
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3, 4]);
    expect(started).toEqual([0, 1, 2, 3, 4]);
  });

  it('refuses with OverloadedError and its Retry-After once the waiting line is full', async () => {
    const gate = createHeavyReadGate({ concurrent: 1, queued: 1, retryAfterSeconds: 3 });
    const release = deferred();
    const running = gate.run(() => release.promise);
    const waiting = gate.run(async () => 'waited');
    const refused = gate.run(async () => 'never');
    await expect(refused).rejects.toThrow(/^too many series, comparisons and exports at once \(1 running, 1 waiting\); retry in 3 s$/);
    await expect(refused).rejects.toBeInstanceOf(OverloadedError);
    await expect(refused).rejects.toMatchObject({ code: 'overloaded', retryAfterSeconds: 3 });
    release.resolve();
    await running;
    expect(await waiting).toBe('waited');
  });

  it('frees the slot when a body throws', async () => {
    const gate = createHeavyReadGate({ concurrent: 1, queued: 0 });
    await expect(
      gate.run(async () => {
        throw new Error('query failed');
      }),
    ).rejects.toThrow('query failed');
    expect(await gate.run(async () => 'ok')).toBe('ok');
  });
});
