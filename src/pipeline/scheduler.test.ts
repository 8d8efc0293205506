import { describe, expect, it } from 'vitest';
import type { Logger } from '../config/logger.ts';
import type { Source } from '../sources/types.ts';
import type { JobName } from './jobs.ts';
import { listPeriodicJobs, MAINTENANCE_JOBS, startScheduler, type JobRunner } from './scheduler.ts';
import type { ConfiguredSource } from './sources.ts';

const silent = { info: () => undefined, debug: () => undefined, error: () => undefined } as unknown as Logger;
const source = (name: 'hn' | 'github', enabled = true, intervalMs = 40): ConfiguredSource => ({
  source: { name, skipReason: () => null } as unknown as Source,
  intervalMs,
  enabled,
});

describe('listPeriodicJobs', () => {
  it('polls every enabled source and adds the maintenance jobs', () => {
    const jobs = listPeriodicJobs([source('hn'), source('github', false)]);
    expect(jobs.map((j) => [j.name, j.label])).toEqual([['source.poll', 'hn'], ...MAINTENANCE_JOBS.map((j) => [j.name, j.label])]);
    expect(jobs.find((j) => j.name === 'spikes.detect')?.intervalMs).toBe(3_600_000);
  });
});

describe('startScheduler', () => {
  it('starts a job again only after its previous run has ended and its interval passed', async () => {
    const starts: Array<{ name: JobName; at: number }> = [];
    let running = 0;
    let overlapped = false;
    const begin = Date.now();
    const runner: JobRunner = {
      run: (name) => {
        starts.push({ name, at: Date.now() - begin });
        running++;
        if (running > 1) overlapped = true;
        return new Promise((resolve) => setTimeout(() => resolve(running--), 60));
      },
      stop: async () => undefined,
    };
    const scheduler = startScheduler([{ label: 'hn', name: 'source.poll', payload: { source: 'hn' }, intervalMs: 40 }], runner, silent, 0);
    await new Promise((r) => setTimeout(r, 420));
    await scheduler.stop();
    expect(overlapped).toBe(false);
    expect(starts.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < starts.length; i++) expect(starts[i]!.at - starts[i - 1]!.at).toBeGreaterThanOrEqual(95);
  });
});
