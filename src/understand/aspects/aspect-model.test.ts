import { describe, expect, it } from 'vitest';
import { decodeAspectArtifact, encodeAspectArtifact, loadAspectModel } from './aspect-artifact.ts';
import { aspectFeatures, aspectProbabilities, readAspects, readAspectsWith } from './aspect-model.ts';
import { trainAspectModel, type AspectExample } from './train-aspect-model.ts';
import type { AspectName, AspectPolarity, TextSpan } from './types.ts';

const spanOf = (text: string, name: string, from = 0): TextSpan => {
  const start = text.indexOf(name, from);
  return { start, end: start + name.length };
};

function example(text: string, expected: { aspect: AspectName; polarity: AspectPolarity }[]): AspectExample {
  return { features: aspectFeatures(text, [spanOf(text, 'Zed')], []), expected };
}

// A toy world the rules cannot read ("glorp" is no lexicon word): the model must learn it from labels.
const TOY: AspectExample[] = [];
for (let i = 0; i < 40; i++) {
  TOY.push(example(`Zed has a glorp on day ${i}. Nothing else to say.`, [{ aspect: 'docs', polarity: 'negative' }]));
  TOY.push(example(`Zed shipped release ${i} this morning. Nothing else to say.`, []));
}

describe('the learned aspect model', () => {
  it('learns an aspect from labels alone and reads its evidence from the scope that carries it', () => {
    const model = trainAspectModel(TOY, 'aspects-0');
    const text = 'Zed landed on my laptop today. Zed has a glorp again.';
    const findings = readAspects(model, text, [spanOf(text, 'Zed'), spanOf(text, 'Zed', 10)], []);
    expect(findings.map((f) => f.aspect)).toEqual(['docs']);
    expect(findings[0]).toMatchObject({ polarity: 'negative', evidence: { text: 'Zed has a glorp again.' }, tier: 'model' });
    expect(findings[0]!.score).toBeLessThan(0);
    // The evidence's offsets point at its text.
    expect(text.slice(findings[0]!.evidence.start, findings[0]!.evidence.end)).toBe(findings[0]!.evidence.text);
    expect(readAspects(model, 'Zed shipped release 99 today.', [{ start: 0, end: 3 }], [])).toEqual([]);
  });

  it('reads entity names as placeholders, so a name carries no aspect of its own', () => {
    const a = aspectFeatures('Zed is slow.', [{ start: 0, end: 3 }], []);
    const b = aspectFeatures('Kiro is slow.', [{ start: 0, end: 4 }], []);
    expect(b.keys).toEqual(a.keys);
    expect(b.values).toEqual(a.values);
    // Another entity's name is a different placeholder than the target's own.
    const other = aspectFeatures('Zed is slow.', [{ start: 20, end: 23 }], [{ start: 0, end: 3 }]);
    expect(other.keys).not.toEqual(a.keys);
  });

  it('keeps the rules findings as the rules read them and adds only what they missed', () => {
    const text = 'Zed is way too expensive at $40 a month. Zed has a glorp problem.';
    const spans = [spanOf(text, 'Zed'), spanOf(text, 'Zed', 5)];
    const features = aspectFeatures(text, spans, []);
    const cost = features.rules.find((f) => f.aspect === 'cost');
    expect(cost).toBeDefined();
    const model = trainAspectModel(TOY, 'aspects-0');
    const findings = readAspectsWith(model, features, text, spans);
    expect(findings.find((f) => f.aspect === 'cost')).toEqual(cost);
    expect(findings.find((f) => f.aspect === 'docs')).toMatchObject({
      polarity: 'negative',
      evidence: { text: 'Zed has a glorp problem.' },
    });
    // A threshold of 1 adds nothing: only the rules' findings are left.
    expect(readAspectsWith(model, features, text, spans, 1)).toEqual(features.rules);
  });

  it('survives encoding: the decoded model reads the same probabilities', () => {
    const model = trainAspectModel(TOY, 'aspects-0');
    const decoded = decodeAspectArtifact(encodeAspectArtifact(model, {}));
    for (const t of TOY.slice(0, 6)) {
      const [before, after] = [aspectProbabilities(model, t.features), aspectProbabilities(decoded, t.features)];
      after.forEach((p, i) => expect(p).toBeCloseTo(before[i]!, 3));
    }
    expect(decoded.polarity.bias).toEqual(model.polarity.bias);
  });

  it('ships a model that loads, and reading through it keeps a plain statement the rules read', () => {
    const model = loadAspectModel();
    expect(model.version).toMatch(/^aspects-\d+$/);
    const text = 'Cursor keeps crashing every time I open a large project.';
    expect(readAspects(model, text, [{ start: 0, end: 6 }], []).map((f) => f.aspect)).toContain('reliability');
  });
});
