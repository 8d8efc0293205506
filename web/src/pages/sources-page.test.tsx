import { describe, expect, it } from 'vitest';
import type { SourceStatus } from '../api/types.ts';
import { describeSourceHealth } from './sources-page.tsx';

const source = (patch: Partial<SourceStatus>): SourceStatus => ({
  name: 'reddit',
  enabled: true,
  intervalSeconds: 300,
  skipReason: null,
  lastRunAt: '2026-12-01T00:00:00Z',
  lastStatus: 'succeeded',
  lastSuccessAt: '2026-12-01T00:00:00Z',
  lastError: null,
  lastErrorAt: null,
  runs: 3,
  itemsCollected: 10,
  mentionsStored: 12,
  firstMentionDay: '2026-11-01',
  lastMentionDay: '2026-12-01',
  ...patch,
});

describe('describeSourceHealth', () => {
  it('calls a source skipped when it has a reason or its last run was skipped, never healthy', () => {
    expect(describeSourceHealth(source({ skipReason: 'REDDIT_CLIENT_ID is not set' })).text).toBe('Skipped');
    expect(describeSourceHealth(source({ lastStatus: 'skipped' })).text).toBe('Skipped');
    expect(describeSourceHealth(source({})).text).toBe('Healthy');
  });

  it('tells failing, running, never-run, disabled and manual sources apart', () => {
    expect(describeSourceHealth(source({ lastStatus: 'failed' })).text).toBe('Failing');
    expect(describeSourceHealth(source({ lastStatus: 'running' })).text).toBe('Running');
    expect(describeSourceHealth(source({ lastStatus: null, runs: 0 })).text).toBe('Not run yet');
    expect(describeSourceHealth(source({ enabled: false })).text).toBe('Disabled');
    expect(describeSourceHealth(source({ enabled: false, intervalSeconds: null })).text).toBe('Manual runs');
    expect(describeSourceHealth(source({ name: 'import', enabled: false, intervalSeconds: null, runs: 2 })).text).toBe('Imports');
    // A source with no collector here and no runs: its posts were imported (youtube, say), so it is not "disabled".
    expect(describeSourceHealth(source({ enabled: false, intervalSeconds: null, runs: 0, lastStatus: null })).text).toBe('Imported only');
  });
});
