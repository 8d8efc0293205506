import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EntityRegistry } from '../../core/entity.ts';
import { createLinker, toLinkableEntities } from '../linking/index.ts';
import { extractVersion, extractVersions, issueTrackerOf, type VersionContext, type VersionTarget } from './extract-versions.ts';

const registry = EntityRegistry.parse(JSON.parse(readFileSync(new URL('../../../registry/entities.json', import.meta.url), 'utf8')));
const linker = createLinker(toLinkableEntities(registry));
const kinds = new Map(registry.entities.map((e) => [e.slug, e.kind]));

/** The real linker's mention of `slug` in the text, with the registry's kind for it. */
function targetOf(text: string, slug: string): VersionTarget {
  const mention = linker.link(text).find((m) => m.slug === slug);
  const kind = kinds.get(slug);
  if (!mention || !kind) throw new Error(`"${slug}" is not linked in: ${text}`);
  return { ...mention, kind };
}

/** The versions the text names for `slug`, read through the real linker's mention of it. */
function versionsOf(text: string, slug: string, context?: VersionContext): string[] {
  return extractVersions(text, targetOf(text, slug), context);
}

function versionOf(text: string, slug: string, context?: VersionContext): string | null {
  return extractVersion(text, targetOf(text, slug), context);
}

describe('model versions, normalised as the annotation guide says', () => {
  it.each([
    ['Sonnet 4.5 finally fixed my flaky tests', 'claude-sonnet', ['4.5']],
    ['I asked Claude 3.5 Sonnet to refactor the parser', 'claude-sonnet', ['3.5']],
    ['set the model to claude-sonnet-4-5-20250929 in the config', 'claude-sonnet', ['4.5']],
    ['claude-sonnet-4-20250514 is what the API returned', 'claude-sonnet', ['4']],
    ['Opus 4 was slow but careful.', 'claude-opus', ['4']],
    ['Opus 4.1. That is all I use now', 'claude-opus', ['4.1']],
    ['the 4.1 Opus release is much better at planning', 'claude-opus', ['4.1']],
    ['Claude 3 Haiku is cheap enough for tagging', 'claude-haiku', ['3']],
    ['Claude 4.0 is expected soon', 'claude', ['4']],
    ['GPT-5 is overhyped', 'gpt-5', ['5']],
    ['gpt-5.1-codex handled the migration', 'gpt-5', ['5.1']],
    ['I use gpt5 high for planning', 'gpt-5', ['5']],
    ['ChatGPT 5 keeps forgetting the schema', 'gpt-5', ['5']],
    ['Gemini 2.5 Pro has the longest context', 'gemini', ['2.5']],
    ['gemini-2.0-flash is fast', 'gemini', ['2']],
    ['I went back to Llama-3.1-8B for the fine-tune', 'llama', ['3.1']],
    ['Llama 3.1 70B runs fine on two cards', 'llama', ['3.1']],
    ['llama4 maverick was a letdown', 'llama', ['4']],
    ['Started from LLaMA 3.1-3.2 and moved on', 'llama', ['3.1', '3.2']],
    ['Qwen3-Coder is great at tool calls', 'qwen', ['3']],
    ['Qwen2.5 is still my default', 'qwen', ['2.5']],
    ['I tried Qwen3 (0.6B, 1.7B, 8B) without much luck', 'qwen', ['3']],
    ['Is qwen 2.5 or 3 better to use?', 'qwen', ['2.5', '3']],
    ['DeepSeek V3.1 is cheap', 'deepseek', ['v3.1']],
    ['ran deepseek-r1:14b locally', 'deepseek', ['r1']],
    ['I have been testing the api deepseek r1 with roo cline', 'deepseek', ['r1']],
    ["I'm working with Grok 4 fast in kilo code", 'grok', ['4']],
    ['jumped to Mistral 3 Small after that', 'mistral', ['3']],
    ['Opus 4/4.1 both over-engineer things', 'claude-opus', ['4', '4.1']],
    ['Mistral Small 3.1 beats it', 'mistral', ['3.1']],
    ['deepseek v3.0 was the first good one', 'deepseek', ['v3']],
  ])('%s -> %s %j', (text, slug, expected) => {
    expect(versionsOf(text, slug)).toEqual(expected);
  });

  it.each([
    ['Sonnet is my daily driver', 'claude-sonnet'],
    ['Llama 70B is too big for my laptop', 'llama'],
    ['llama 7b is fine for autocomplete', 'llama'],
    ['Mistral 7B still holds up', 'mistral'],
    ['Mixtral 8x7B was the last good one', 'mistral'],
    ['Not true for Mistral 2503 vs 2501', 'mistral'],
    ['QwQ-32B thinks forever', 'qwen'],
    ['Claude Max 20x is worth it', 'claude'],
    ['I use Opus for planning and Sonnet for the rest', 'claude-opus'],
    ['GPT-4o is still fine for chat', 'gpt-4o'],
    ['o3 is my go-to for math', 'o3'],
    ['Claude 2 days ago was better than today', 'claude'],
    ['Sonnet and 3 other models failed the test', 'claude-sonnet'],
    ['Code Llama never worked for me', 'llama'],
    ['switch over to Claude and Claude 1-shots the issue immediately', 'claude'],
    ['I had Claude Sonnet 1 million review my whole project', 'claude-sonnet'],
    ['Devstral Small 1.1 is decent for tool calls', 'mistral'],
  ])('no version: %s (%s)', (text, slug) => {
    expect(versionsOf(text, slug)).toEqual([]);
  });

  it('gives an implied ancestor no version of its own', () => {
    const text = 'Sonnet 4.5 is good';
    const claude = linker.link(text).find((m) => m.slug === 'claude')!;
    expect(claude.direct).toBe(false);
    expect(extractVersions(text, targetOf(text, 'claude'))).toEqual([]);
  });

  it('gives a vendor no version', () => {
    const text = 'Anthropic 4.5 launch day';
    const vendor = linker.link(text).find((m) => m.slug === 'anthropic')!;
    expect(extractVersions(text, { ...vendor, kind: 'vendor' })).toEqual([]);
  });
});

describe('client versions, only when tied to the tool', () => {
  it.each([
    ['Update: Claude Code 2.0 dropped with Sonnet 4.5.', 'claude-code', ['2']],
    ['Cursor 1.4 broke my keybindings', 'cursor', ['1.4']],
    ['Cursor v1.0 was the first stable one', 'cursor', ['1']],
    ['Claude Code v2.0.14 keeps asking for permissions', 'claude-code', ['2.0.14']],
    ['this has happened since v0.9.2 of Cline', 'cline', ['0.9.2']],
    ['Environment - Claude Code version: 2.0.5 - Operating System: macOS 15.', 'claude-code', ['2.0.5']],
    ['## Environment - **Claude Code Version:** 2.0.55 - **Platform:** macOS', 'claude-code', ['2.0.55']],
    ['Claude CLI version: 2.0.53 on Linux', 'claude-code', ['2.0.53']],
    ['## Environment - **Claude Code CLI:** 2.0.62 - **OS:** macOS', 'claude-code', ['2.0.62']],
    ['ollama 0.12.3 fails to load the model', 'ollama', ['0.12.3']],
    ['Claude Code stopped working. `claude --version` → 1.0.51', 'claude-code', ['1.0.51']],
    ['Which Claude Code do you run? Mine prints 1.0.51 (Claude Code)', 'claude-code', ['1.0.51']],
  ])('%s -> %s %j', (text, slug, expected) => {
    expect(versionsOf(text, slug)).toEqual(expected);
  });

  it.each([
    ['As a long time CC 20x user I do care about Claude limits', 'claude-code'],
    ['Claude Code took 2.5 hours to finish the refactor', 'claude-code'],
    ['I run Cursor with VS Code 1.95 settings imported', 'cursor'],
    ['Cursor on Node 20 and macOS 15 works fine', 'cursor'],
    ['Cursor 3.5 Sonnet was the default back then', 'cursor'],
    ['Cursor costs $20 a month', 'cursor'],
    ['Crystal v0.3: parallel Codex sessions in Git worktrees', 'codex-cli'],
    ['Cursor 2 days ago was fine', 'cursor'],
    ['Can you do a review of Vercel V0 for landing pages?', 'v0'],
    ['Claude Code is at 50% of my weekly limit', 'claude-code'],
    ['Version: 2.0.55 of something, and Claude Code is fine', 'claude-code'],
  ])('no version: %s (%s)', (text, slug) => {
    expect(versionsOf(text, slug)).toEqual([]);
  });

  it("reads the /bug form's bare Version field only in the tool's own tracker", () => {
    const text = 'Claude Code hangs on start. Platform: darwin - Terminal: vscode - Version: 2.0.55 - Feedback ID: x';
    expect(versionsOf(text, 'claude-code')).toEqual([]);
    expect(versionsOf(text, 'claude-code', { url: 'https://github.com/anthropics/claude-code/issues/1' })).toEqual(['2.0.55']);
    expect(versionsOf(text, 'claude-code', { url: 'https://github.com/cline/cline/issues/1' })).toEqual([]);
  });

  it('prefers the form field over the last working version, and keeps both as named', () => {
    const text =
      "[BUG] Claude Code freezes ### What's Wrong? This started around 2.0.51. ### Last Working Version 2.0.49 ### Claude Code Version 2.0.55 ### Platform Anthropic API ### Operating System macOS 15.6.1";
    const url = 'https://github.com/anthropics/claude-code/issues/2';
    expect(versionsOf(text, 'claude-code', { url })).toEqual(['2.0.51', '2.0.49', '2.0.55']);
    expect(versionOf(text, 'claude-code', { url })).toBe('2.0.55');
  });

  it("reads what the reporter wrote in the form field of the tool's tracker", () => {
    const url = 'https://github.com/anthropics/claude-code/issues/5';
    expect(
      versionOf('Claude Code freezes ### Claude Code Version Claude Code v2.0.55 Opus 4.5 · Claude Max ### Platform API', 'claude-code', {
        url,
      }),
    ).toBe('2.0.55');
    expect(versionOf('Claude Code freezes ### Claude Code Version Version: 2.0.61 ### Platform API', 'claude-code', { url })).toBe(
      '2.0.61',
    );
    expect(
      versionOf('Claude Code freezes ### Claude Code Version Claude Code for VS Code (2.0.62) ### Platform API', 'claude-code', { url }),
    ).toBe('2.0.62');
    // Another heading's version is not the tool's.
    expect(versionsOf('Claude Code freezes ### Operating System Version 15.6.1 ### Platform API', 'claude-code', { url })).toEqual([]);
  });

  it("ignores a form's placeholder 0.0.0", () => {
    const text = 'Claude Code broke ### Last Working Version 0.0.0 ### Claude Code Version 2.0.61 ### Platform Other';
    expect(versionsOf(text, 'claude-code', { url: 'https://github.com/anthropics/claude-code/issues/4' })).toEqual(['2.0.61']);
  });

  it('does not take other software versions in a tracker issue', () => {
    const text =
      'Claude Code crashes ### Claude Code Version 2.0.55 - **Ghostty version:** 1.3.0 - macOS Version: 15.6.1 - VS Code 1.106.3';
    expect(versionsOf(text, 'claude-code', { url: 'https://github.com/anthropics/claude-code/issues/3' })).toEqual(['2.0.55']);
  });
});

describe('the one version stored on a mention', () => {
  it('takes the version named most often', () => {
    expect(versionOf('sonnet 4.5 is the best. sonnet 4.5 is cheap. better than sonnet 4 by far', 'claude-sonnet')).toBe('4.5');
  });

  it('is null when two versions are named equally (a comparison cannot be split)', () => {
    expect(versionOf('Opus 4 vs Opus 4.1: which one plans better?', 'claude-opus')).toBeNull();
  });

  it('is null when no version is named', () => {
    expect(versionOf('Cursor is slow today', 'cursor')).toBeNull();
  });
});

describe('issueTrackerOf', () => {
  it('names the tool of a known issue tracker and nothing else', () => {
    expect(issueTrackerOf('https://github.com/anthropics/claude-code/issues/13662')).toBe('claude-code');
    expect(issueTrackerOf('https://github.com/openai/codex/pull/5')).toBe('codex-cli');
    expect(issueTrackerOf('https://github.com/someone/claude-code/issues/1')).toBeNull();
    expect(issueTrackerOf('https://news.ycombinator.com/item?id=1')).toBeNull();
    expect(issueTrackerOf(null)).toBeNull();
  });
});
