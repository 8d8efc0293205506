import { describe, expect, it } from 'vitest';
import { attributeLayer, countCues, findCues, type AttributionInput, type Cue } from './attribution.ts';

const DAY = 86_400_000;
const FROM = new Date(Date.UTC(2026, 2, 10));
const TO = new Date(FROM.getTime() + DAY);
const noCues = (): Record<Cue, { current: number; previous: number }> => ({
  dumber: { current: 0, previous: 0 },
  crash: { current: 0, previous: 0 },
  limits: { current: 0, previous: 0 },
  down: { current: 0, previous: 0 },
});

function input(overrides: Partial<AttributionInput>): AttributionInput {
  return {
    entityKind: 'tool',
    window: { from: FROM, to: TO },
    n: 100,
    previousN: 1000,
    aspects: [],
    cues: noCues(),
    events: [],
    ...overrides,
  };
}

describe('findCues', () => {
  it('reads each phrase family', () => {
    expect(findCues('Claude got so much dumber since Monday, it is lazy now')).toEqual(['dumber']);
    expect(findCues('The CLI crashes on start since 2.1.89')).toEqual(['crash']);
    expect(findCues('Hit the weekly limit by Tuesday, not paying this price')).toEqual(['limits']);
    expect(findCues('Is it down for everyone? 529 overloaded')).toEqual(['down']);
  });

  it('does not read "dumbed down" or "slowed down" as an outage', () => {
    expect(findCues('they dumbed down the model')).toEqual(['dumber']);
    expect(findCues('it slowed down a bit')).toEqual([]);
  });

  it('counts only negative mentions', () => {
    const counts = countCues([
      { text: 'API is down again', label: 'negative' },
      { text: 'glad it is not down', label: 'positive' },
      { text: 'rate limited all morning', label: 'negative' },
    ]);
    expect(counts).toEqual({ dumber: 0, crash: 0, limits: 1, down: 1 });
  });
});

describe('attributeLayer', () => {
  it('an incident near with "down" complaints and reliability complaints is an outage', () => {
    const cues = { ...noCues(), down: { current: 30, previous: 10 } };
    const result = attributeLayer(
      input({
        cues,
        aspects: [{ aspect: 'reliability', current: 25, previous: 20 }],
        events: [{ id: 7, kind: 'incident', title: 'Elevated errors on the API', occurredAt: new Date(FROM.getTime() + 3_600_000) }],
      }),
    );
    expect(result.layer).toBe('outage');
    expect(result.confidence).toBeGreaterThan(0.6);
    expect(result.evidence[0]).toMatchObject({ type: 'cue', name: 'down', layer: 'outage' });
    expect(result.evidence.some((e) => e.type === 'event' && e.eventId === 7)).toBe(true);
  });

  it('a wave of limits complaints is the quota', () => {
    const result = attributeLayer(
      input({ cues: { ...noCues(), limits: { current: 35, previous: 20 } }, aspects: [{ aspect: 'limits', current: 30, previous: 15 }] }),
    );
    expect(result).toMatchObject({ layer: 'quota' });
    expect(result.scores.quota).toBeGreaterThan(1);
  });

  it('code quality and "dumber" complaints are the model; crashes and one client version are the tool', () => {
    const model = attributeLayer(
      input({
        entityKind: 'model',
        cues: { ...noCues(), dumber: { current: 20, previous: 5 } },
        aspects: [{ aspect: 'code_quality', current: 25, previous: 30 }],
      }),
    );
    expect(model.layer).toBe('model');
    // Evidence reads as words, not as the aspect's slug.
    expect(model.evidence.map((e) => e.note).join(' ')).toContain('code quality complaints');
    const tool = attributeLayer(
      input({
        cues: { ...noCues(), crash: { current: 20, previous: 10 } },
        versions: [
          { version: '2.1.89', current: 15, previous: 0 },
          { version: '2.1.88', current: 2, previous: 10 },
        ],
      }),
    );
    expect(tool.layer).toBe('tool');
    expect(tool.evidence.find((e) => e.type === 'version')).toMatchObject({ name: '2.1.89', layer: 'tool' });
  });

  it('is unclear when the evidence is thin or split', () => {
    expect(attributeLayer(input({})).layer).toBe('unclear');
    // A rise within noise: 4 of 100 against 30 of 1000.
    expect(attributeLayer(input({ cues: { ...noCues(), limits: { current: 4, previous: 30 } } })).layer).toBe('unclear');
    const split = attributeLayer(
      input({ cues: { ...noCues(), limits: { current: 30, previous: 10 }, dumber: { current: 30, previous: 10 } } }),
    );
    expect(split.layer).toBe('unclear');
    expect(split.scores.quota).toBeGreaterThan(0.6);
  });

  it('an incident a week away is not near', () => {
    const result = attributeLayer(
      input({ events: [{ id: 1, kind: 'incident', title: 'old', occurredAt: new Date(FROM.getTime() - 7 * DAY) }] }),
    );
    expect(result.evidence).toEqual([]);
  });
});
