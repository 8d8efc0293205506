import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EntityRegistry } from '../../core/entity.ts';

const registry = EntityRegistry.parse(JSON.parse(readFileSync(new URL('../../../registry/entities.json', import.meta.url), 'utf8')));

/** The agreed slugs, kinds and parents (notes/entities.md). */
const AGREED: Array<[slug: string, kind: string, parent: string | null]> = [
  ...([
    'openai',
    'anthropic',
    'google',
    'meta',
    'mistral-ai',
    'deepseek-ai',
    'alibaba-cloud',
    'xai',
    'microsoft',
    'github',
    'amazon',
    'jetbrains',
    'sourcegraph',
    'cognition',
    'vercel',
    'stackblitz',
    'hugging-face',
  ].map((s) => [s, 'vendor', null]) as Array<[string, string, null]>),
  ['chatgpt', 'model', 'openai'],
  ['gpt-5', 'model', 'openai'],
  ['gpt-4o', 'model', 'openai'],
  ['gpt-4-1', 'model', 'openai'],
  ['o3', 'model', 'openai'],
  ['claude', 'model', 'anthropic'],
  ['claude-opus', 'model', 'claude'],
  ['claude-sonnet', 'model', 'claude'],
  ['claude-haiku', 'model', 'claude'],
  ['gemini', 'model', 'google'],
  ['llama', 'model', 'meta'],
  ['mistral', 'model', 'mistral-ai'],
  ['deepseek', 'model', 'deepseek-ai'],
  ['qwen', 'model', 'alibaba-cloud'],
  ['grok', 'model', 'xai'],
  ['claude-code', 'tool', 'anthropic'],
  ['codex-cli', 'tool', 'openai'],
  ['gemini-cli', 'tool', 'google'],
  ['cursor', 'tool', null],
  ['github-copilot', 'tool', 'github'],
  ['microsoft-copilot', 'tool', 'microsoft'],
  ['windsurf', 'tool', 'cognition'],
  ['devin', 'tool', 'cognition'],
  ['cline', 'tool', null],
  ['roo-code', 'tool', null],
  ['aider', 'tool', null],
  ['zed', 'tool', null],
  ['continue', 'tool', null],
  ['kiro', 'tool', 'amazon'],
  ['amazon-q-developer', 'tool', 'amazon'],
  ['replit', 'tool', null],
  ['v0', 'tool', 'vercel'],
  ['bolt-new', 'tool', 'stackblitz'],
  ['lovable', 'tool', null],
  ['jetbrains-ai', 'tool', 'jetbrains'],
  ['junie', 'tool', 'jetbrains'],
  ['tabnine', 'tool', null],
  ['sourcegraph-cody', 'tool', 'sourcegraph'],
  ['amp', 'tool', 'sourcegraph'],
  ['ollama', 'tool', null],
  ['lm-studio', 'tool', null],
  ['openrouter', 'tool', null],
];

describe('registry/entities.json', () => {
  it('holds exactly the agreed slugs with their kinds and parents', () => {
    const actual = registry.entities.map((e) => [e.slug, e.kind, e.parent]).sort();
    expect(actual).toEqual([...AGREED].sort());
  });

  it('has at least 40 entities, each with a display name and a homepage', () => {
    expect(registry.entities.length).toBeGreaterThanOrEqual(40);
    for (const e of registry.entities) {
      expect(e.name.trim().length, e.slug).toBeGreaterThan(0);
      expect(e.homepage, e.slug).toMatch(/^https:\/\//);
    }
  });

  it('has unique slugs, existing parents and no cycles', () => {
    const bySlug = new Map(registry.entities.map((e) => [e.slug, e]));
    expect(bySlug.size).toBe(registry.entities.length);
    for (const e of registry.entities) {
      const seen = new Set([e.slug]);
      let parent = e.parent;
      while (parent !== null) {
        expect(bySlug.has(parent), `${e.slug} -> ${parent}`).toBe(true);
        expect(seen.has(parent), `cycle through ${parent}`).toBe(false);
        seen.add(parent);
        parent = bySlug.get(parent)?.parent ?? null;
      }
    }
  });

  it('lets two entities share a surface form only when at most one claims it unambiguously', () => {
    const firmClaims = new Map<string, string[]>();
    for (const e of registry.entities) {
      const d = e.disambiguation;
      const ambiguous = new Set([...d.ambiguousAliases, ...(d.strictAliases ?? [])].map((a) => a.toLowerCase()));
      const firm = new Set([e.name, ...e.aliases].map((a) => a.toLowerCase()).filter((a) => !ambiguous.has(a)));
      for (const alias of firm) firmClaims.set(alias, [...(firmClaims.get(alias) ?? []), e.slug]);
    }
    const shared = [...firmClaims].filter(([, slugs]) => slugs.length > 1);
    expect(shared).toEqual([]);
  });

  it('gives every ambiguous alias context words to resolve it with', () => {
    for (const e of registry.entities) {
      const d = e.disambiguation;
      if (d.ambiguousAliases.length + (d.strictAliases ?? []).length > 0) {
        expect(d.context.length, e.slug).toBeGreaterThan(0);
      }
    }
  });
});
