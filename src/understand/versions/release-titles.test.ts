import { describe, expect, it } from 'vitest';
import { findArrival, titleNamesVersion } from './release-titles.ts';

describe('titleNamesVersion', () => {
  it.each([
    ['Claude Code 2.0.55', '2.0.55'],
    ['Introducing Claude Sonnet 4.5', '4.5'],
    ['Cursor v1.4: agent todos', '1.4'],
    ['DeepSeek-R1 release', 'r1'],
    ['Claude Code 2.0 is here', '2'],
    ['GPT-5 system card', '5'],
  ])('%s names %s', (title, version) => {
    expect(titleNamesVersion(title, version)).toBe(true);
  });

  it.each([
    ['Claude Opus 4.1', '4'],
    ['Claude Code 2.0.55', '2.0.5'],
    ['40 new features', '4'],
    ['Pricing: 5x more usage', '5'],
    ['Claude Code 12.0.55', '2.0.55'],
    ['Release 1.45', '1.4'],
  ])('%s does not name %s', (title, version) => {
    expect(titleNamesVersion(title, version)).toBe(false);
  });
});

describe('findArrival', () => {
  it('picks the earliest event naming the version, whatever the order given', () => {
    const events = [
      { title: 'Sonnet 4.5 now in Bedrock', occurredAt: new Date('2025-10-02') },
      { title: 'Introducing Claude Sonnet 4.5', occurredAt: new Date('2025-09-29') },
      { title: 'Claude Sonnet 4 deprecation', occurredAt: new Date('2025-09-01') },
    ];
    expect(findArrival(events, '4.5')?.title).toBe('Introducing Claude Sonnet 4.5');
    expect(findArrival(events, '4')?.title).toBe('Claude Sonnet 4 deprecation');
    expect(findArrival(events, '3.7')).toBeNull();
  });
});
