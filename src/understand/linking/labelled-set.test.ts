import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { EntityRegistry } from '../../core/entity.ts';
import { evaluateLinking } from './evaluate-linking.ts';
import { createLinker } from './linker.ts';
import { toLinkableEntities } from './registry-entities.ts';

const LabelledLine = z.object({ id: z.string(), text: z.string(), entities: z.array(z.string()) });

describe('linking on the labelled set (test/data/understand/posts.jsonl)', () => {
  it('reaches precision >= 0.95 and recall >= 0.90 on direct mentions', () => {
    const registry = EntityRegistry.parse(JSON.parse(readFileSync(new URL('../../../registry/entities.json', import.meta.url), 'utf8')));
    const linker = createLinker(toLinkableEntities(registry));
    const posts = readFileSync(new URL('../../../test/data/understand/posts.jsonl', import.meta.url), 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => LabelledLine.parse(JSON.parse(line)));
    expect(posts.length).toBeGreaterThanOrEqual(300);
    const report = evaluateLinking(posts, (text) => linker.link(text).filter((m) => m.direct));
    expect(report.precision).toBeGreaterThanOrEqual(0.95);
    expect(report.recall).toBeGreaterThanOrEqual(0.9);
  });
});
