import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COLLECTOR_NAMES, EnvSchema } from '../src/config/settings.ts';
import { COLLECTOR_SOURCES } from '../src/core/post.ts';

describe('.env.example', () => {
  const text = readFileSync(new URL('../.env.example', import.meta.url), 'utf8');

  it('documents every variable the settings schema reads', () => {
    const documented = new Set([...text.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]));
    const missing = Object.keys(EnvSchema.shape).filter((name) => !documented.has(name));
    expect(missing).toEqual([]);
  });

  it('parses as a valid configuration when its uncommented lines are used', () => {
    const env = Object.fromEntries([...text.matchAll(/^([A-Z][A-Z0-9_]+)=(.*)$/gm)].map((m) => [m[1], m[2]]));
    expect(() => EnvSchema.parse(env)).not.toThrow();
  });
});

describe('source names', () => {
  it('are spelled the same in config and core', () => {
    expect([...COLLECTOR_NAMES]).toEqual([...COLLECTOR_SOURCES]);
  });
});
