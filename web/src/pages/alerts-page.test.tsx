import { describe, expect, it } from 'vitest';
import { toNewAlertRule } from './alerts-page.tsx';

const base = {
  entity: 'cursor',
  channel: ' https://example.com/hook ',
  name: '',
  metric: '',
  threshold: '',
  windowHours: '',
  source: '',
  aspect: '',
  polarity: '',
  include: '',
  exclude: '',
};

describe('toNewAlertRule', () => {
  it('sends only the fields a kind takes, and only those filled in', () => {
    expect(toNewAlertRule({ ...base, kind: 'spike', threshold: '0.3', polarity: 'negative', include: 'x' })).toEqual({
      kind: 'spike',
      entity: 'cursor',
      channel: 'https://example.com/hook',
    });
    expect(toNewAlertRule({ ...base, kind: 'shift', metric: 'net', threshold: '0.25', windowHours: '48', source: 'hn' })).toEqual({
      kind: 'shift',
      entity: 'cursor',
      channel: 'https://example.com/hook',
      metric: 'net',
      threshold: 0.25,
      windowHours: 48,
      source: 'hn',
    });
  });

  it('sends a rule on every entity of a kind as entityKind, without an entity', () => {
    expect(toNewAlertRule({ ...base, kind: 'spike', entity: 'kind:model' })).toEqual({
      kind: 'spike',
      entityKind: 'model',
      channel: 'https://example.com/hook',
    });
  });

  it('gives a mention rule its post filters, words split on commas', () => {
    expect(
      toNewAlertRule({
        ...base,
        kind: 'mention',
        metric: 'mean',
        polarity: 'negative',
        include: 'limits, quota,',
        exclude: 'ad',
        aspect: 'cost',
      }),
    ).toEqual({
      kind: 'mention',
      entity: 'cursor',
      channel: 'https://example.com/hook',
      aspect: 'cost',
      polarity: 'negative',
      include: ['limits', 'quota'],
      exclude: ['ad'],
    });
  });
});
