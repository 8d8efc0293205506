import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import { z } from 'zod';

const SLUGS = new Set([
  'openai', 'anthropic', 'google', 'meta', 'mistral-ai', 'deepseek-ai', 'alibaba-cloud', 'xai', 'microsoft',
  'github', 'amazon', 'jetbrains', 'sourcegraph', 'cognition', 'vercel', 'stackblitz', 'hugging-face',
  'chatgpt', 'gpt-5', 'gpt-4o', 'gpt-4-1', 'o3', 'claude', 'claude-opus', 'claude-sonnet', 'claude-haiku',
  'gemini', 'llama', 'mistral', 'deepseek', 'qwen', 'grok',
  'claude-code', 'codex-cli', 'gemini-cli', 'cursor', 'github-copilot', 'microsoft-copilot', 'windsurf', 'devin',
  'cline', 'roo-code', 'aider', 'zed', 'continue', 'kiro', 'amazon-q-developer', 'replit', 'v0', 'bolt-new',
  'lovable', 'jetbrains-ai', 'junie', 'tabnine', 'sourcegraph-cody', 'amp', 'ollama', 'lm-studio', 'openrouter',
]);
const SOURCES = ['hn', 'reddit', 'devto', 'discourse', 'github', 'stackexchange', 'lobsters', 'bluesky', 'mastodon', 'rss'] as const;
const ASPECTS = [
  'performance', 'cost', 'reliability', 'ux', 'speed', 'code_quality', 'context_window', 'limits', 'privacy', 'support', 'docs',
] as const;
const TAGS = ['hard:word', 'hard:form', 'hard:code', 'no-entity', 'comparison', 'contrast', 'negation', 'sarcasm', 'question'] as const;
const Polarity = z.enum(['positive', 'neutral', 'negative']);

const LabelledPost = z.strictObject({
  id: z.string().regex(/^p\d{4}$/),
  source: z.enum(SOURCES),
  text: z.string().min(1),
  entities: z.array(z.string()),
  aspects: z.record(z.string(), z.array(z.strictObject({ aspect: z.enum(ASPECTS), polarity: Polarity, evidence: z.string().min(1) }))),
  sentiment: z.record(z.string(), Polarity),
  tags: z.array(z.enum(TAGS)),
});
type LabelledPost = z.infer<typeof LabelledPost>;

const lines = readFileSync(new URL('./posts.jsonl', import.meta.url), 'utf8').split('\n').filter((line) => line.trim() !== '');
const posts: LabelledPost[] = lines.map((line) => LabelledPost.parse(JSON.parse(line)));

describe('labelled understand posts', () => {
  it('parses every line against the post schema', () => {
    expect(posts.length).toBe(lines.length);
    expect(posts.length).toBeGreaterThanOrEqual(320);
  });

  it('uses unique ids', () => {
    const ids = posts.map((post) => post.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('lists only tracked slugs, each once', () => {
    for (const post of posts) {
      expect(post.entities.filter((slug) => !SLUGS.has(slug)), post.id).toEqual([]);
      expect(new Set(post.entities).size, post.id).toBe(post.entities.length);
    }
  });

  it('labels aspects and sentiment for exactly the listed entities', () => {
    for (const post of posts) {
      expect(Object.keys(post.aspects).sort(), post.id).toEqual([...post.entities].sort());
      expect(Object.keys(post.sentiment).sort(), post.id).toEqual([...post.entities].sort());
    }
  });

  it('copies every aspect evidence verbatim from the text', () => {
    for (const post of posts) {
      for (const labels of Object.values(post.aspects)) {
        for (const label of labels) expect(post.text.includes(label.evidence), `${post.id}: ${label.evidence}`).toBe(true);
      }
    }
  });

  it('tags a post no-entity exactly when it lists no entity', () => {
    for (const post of posts) expect(post.tags.includes('no-entity'), post.id).toBe(post.entities.length === 0);
  });
});
