import { describe, expect, it } from 'vitest';
import { describeCoverage, describeSchedule, toNewDigest, type DigestDraft } from './digests-section.tsx';

const draft = (patch: Partial<DigestDraft>): DigestDraft => ({
  cadence: 'weekly',
  hourUtc: '8',
  covers: '',
  channel: ' https://hooks.example/x ',
  name: '',
  ...patch,
});

describe('toNewDigest', () => {
  it('sends what the form says: every entity, a kind, or one entity; the hour and a name only when given', () => {
    expect(toNewDigest(draft({}))).toEqual({ channel: 'https://hooks.example/x', cadence: 'weekly', hourUtc: 8 });
    expect(toNewDigest(draft({ covers: 'kind:tool', hourUtc: '', cadence: 'daily' }))).toEqual({
      channel: 'https://hooks.example/x',
      cadence: 'daily',
      kinds: ['tool'],
    });
    expect(toNewDigest(draft({ covers: 'cursor', name: '  Cursor weekly ', hourUtc: '0' }))).toEqual({
      channel: 'https://hooks.example/x',
      cadence: 'weekly',
      entities: ['cursor'],
      hourUtc: 0,
      name: 'Cursor weekly',
    });
  });
});

describe('describeSchedule and describeCoverage', () => {
  it('say when digests go out and what period each covers', () => {
    expect(describeSchedule({ cadence: 'weekly', hourUtc: 7 })).toBe('weekly, Mondays at 07:00 UTC, for the ISO week before');
    expect(describeSchedule({ cadence: 'daily', hourUtc: 18 })).toBe('daily at 18:00 UTC, for the UTC day before');
  });

  it('name the entities, the kinds, or every entity', () => {
    const nameOf = (slug: string) => ({ cursor: 'Cursor', 'claude-code': 'Claude Code' })[slug] ?? slug;
    expect(describeCoverage({ entities: ['cursor', 'claude-code', 'gone'], kinds: [] }, nameOf)).toBe('Cursor, Claude Code, gone');
    expect(describeCoverage({ entities: [], kinds: ['model', 'tool'] }, nameOf)).toBe('every model, every tool');
    expect(describeCoverage({ entities: [], kinds: [] }, nameOf)).toBe('every entity');
  });
});
