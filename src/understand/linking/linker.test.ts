import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Disambiguation, EntityRegistry } from '../../core/entity.ts';
import { createLinker } from './linker.ts';
import { toLinkableEntities } from './registry-entities.ts';

const registry = EntityRegistry.parse(JSON.parse(readFileSync(new URL('../../../registry/entities.json', import.meta.url), 'utf8')));
const linker = createLinker(toLinkableEntities(registry));

const direct = (text: string): string[] =>
  linker
    .link(text)
    .filter((m) => m.direct)
    .map((m) => m.slug)
    .sort();

describe('createLinker with the shipped registry', () => {
  it('links a model version to its family directly and to the family and vendor indirectly, with offsets', () => {
    const text = 'Honestly Sonnet 4.5 is my default now.';
    const mentions = linker.link(text);
    expect(mentions.map((m) => [m.slug, m.direct])).toEqual([
      ['claude-sonnet', true],
      ['claude', false],
      ['anthropic', false],
    ]);
    for (const m of mentions) {
      expect(text.slice(m.start, m.end)).toBe('Sonnet 4.5');
      expect(m.matchedText).toBe('Sonnet 4.5');
      expect(m.spans).toEqual([{ start: 9, end: 19 }]);
    }
  });

  it('reports the first span and every span of an entity mentioned several times', () => {
    const text = 'Claude Code wrote it, claude-code tested it, and ClaudeCode shipped it.';
    const [mention] = linker.link(text).filter((m) => m.direct);
    expect(mention?.slug).toBe('claude-code');
    expect(mention?.matchedText).toBe('Claude Code');
    expect(mention?.spans.map((s) => text.slice(s.start, s.end))).toEqual(['Claude Code', 'claude-code', 'ClaudeCode']);
  });

  it('recognises spelling variants of names and versions', () => {
    expect(direct('I ran gh copilot suggest in the terminal.')).toEqual(['github-copilot']);
    expect(direct('GPT-5 vs gpt5 vs GPT 5, same model.')).toEqual(['gpt-5']);
    expect(direct('Claude 3.7 Sonnet was better at this than claude-3-5-sonnet-20241022.')).toEqual(['claude-sonnet']);
    expect(direct('Opus 4.1 is pricey.')).toEqual(['claude-opus']);
    expect(direct('gpt-4o-mini is cheap, GPT-4.1 is smarter.')).toEqual(['gpt-4-1', 'gpt-4o']);
    expect(direct('o3-mini and o3-pro both count as o3 for us.')).toEqual(['o3']);
    expect(direct('Qwen3-Coder and Qwen2.5 both run locally.')).toEqual(['qwen']);
    expect(direct('Gemini 2.5 Pro handles long context.')).toEqual(['gemini']);
  });

  it('respects word boundaries but accepts possessives', () => {
    expect(direct("Cursor's tab completion is still the best part.")).toEqual(['cursor']);
    expect(direct('Both cursors blink out of sync on my second monitor.')).toEqual([]);
    expect(direct('Install llama.cpp and run the server.')).toEqual([]);
  });

  it('tells the editor Cursor from the text cursor', () => {
    expect(direct('the blinking cursor in my terminal is mocking me')).toEqual([]);
    expect(direct('Move the cursor to the end of the line and press tab.')).toEqual([]);
    expect(direct('Switched from Copilot to Cursor last month and the agent is much better.')).toEqual(['cursor', 'github-copilot']);
    expect(direct('In Claude Code the cursor jumps to the bottom whenever output streams.')).toEqual(['claude-code']);
  });

  it('ignores Gemini the zodiac sign and the NASA programme', () => {
    expect(direct("As a Gemini I can't pick one hobby, says my horoscope.")).toEqual([]);
    expect(direct('Gemini 4 astronauts performed the first American spacewalk.')).toEqual([]);
    expect(direct('Gemini rewrote the parser and the tests pass.')).toEqual(['gemini']);
  });

  it('tells GitHub Copilot, Microsoft Copilot and a generic copilot apart', () => {
    expect(direct('The captain handed the controls to the copilot during the landing.')).toEqual([]);
    expect(direct('We are building an AI copilot for accountants.')).toEqual([]);
    expect(direct('Copilot suggestions in VS Code got worse after the update.')).toEqual(['github-copilot']);
    expect(direct('Copilot in Excel summarised the spreadsheet for my manager.')).toEqual(['microsoft-copilot']);
  });

  it('treats Continue, Amp, Bolt and Lovable as ordinary words unless the text says otherwise', () => {
    expect(direct('Continue reading below for the benchmark results.')).toEqual([]);
    expect(direct('I use the Continue extension with Ollama for local autocomplete.')).toEqual(['continue', 'ollama']);
    expect(direct('My guitar Amp hums when the fridge kicks in.')).toEqual([]);
    expect(direct("Usain Bolt would still be slower than this build.")).toEqual([]);
    expect(direct('Bolt.new generated the whole landing page in one prompt.')).toEqual(['bolt-new']);
    expect(direct('The dog is so lovable.')).toEqual([]);
    expect(direct('I prototyped the MVP in Lovable and then moved it to Supabase.')).toEqual(['lovable']);
  });

  it('does not take people named Claude, Devin, Junie or Kiro for the products', () => {
    expect(direct('Claude Monet painted water lilies.')).toEqual([]);
    expect(direct('Jean-Claude Van Damme did the splits between two trucks.')).toEqual([]);
    expect(direct('My coworker Devin said he would review the PR tomorrow.')).toEqual([]);
    expect(direct('Claude refactored my reducer and added tests.')).toEqual(['claude']);
  });

  it('reads "grok", "windsurf", "llama", "mistral" and "zed" in their ordinary senses', () => {
    expect(direct("I still don't grok monads.")).toEqual([]);
    expect(direct('We went to windsurf at the lake, great waves.')).toEqual([]);
    expect(direct('The llama at the petting zoo spat at me.')).toEqual([]);
    expect(direct('The mistral wind blew all night in Provence.')).toEqual([]);
    expect(direct("Zed's dead, baby. Zed's dead.")).toEqual([]);
    expect(direct('I moved from VS Code to Zed and the editor feels instant.')).toEqual(['zed']);
  });

  it('links CC to Claude Code only with strong context', () => {
    expect(direct('Please CC me on the email to the vendor.')).toEqual([]);
    expect(direct('CC: the release team')).toEqual([]);
    expect(direct('Claude Code (CC from now on) is great; CC with Opus handles refactors well.')).toEqual(['claude-code', 'claude-opus']);
  });

  it('does not take ozone or a compiler flag for o3', () => {
    expect(direct('O3 levels in the city were high today.')).toEqual([]);
    expect(direct('Compile with -O3 and the loop vectorises.')).toEqual([]);
  });

  it('ignores names inside code blocks, inline code and URLs', () => {
    const text = [
      'Here is my setup:',
      '```',
      'cursor --install claude-code',
      '```',
      'and `gemini --model x` plus https://cursor.com/pricing as a link.',
      '',
      '    ollama run llama3',
    ].join('\n');
    expect(direct(text)).toEqual([]);
  });

  it('does not count "OpenAI-compatible" as a mention of OpenAI', () => {
    expect(direct('Point it at any OpenAI-compatible endpoint.')).toEqual([]);
  });

  it('links both the vendor and its model when a shared name is used as the company', () => {
    expect(direct('DeepSeek published V3.1 today.')).toEqual(['deepseek', 'deepseek-ai']);
    expect(direct('DeepSeek V3 is cheap for batch jobs.')).toEqual(['deepseek']);
  });

  it('works from data: an entity added by a user is linked with its aliases and context', () => {
    const custom = createLinker([
      { slug: 'acme', parent: null, aliases: [], name: 'Acme Labs', disambiguation: Disambiguation.parse({}) },
      {
        slug: 'widget-ai',
        parent: 'acme',
        aliases: ['WidgetAI'],
        name: 'Widget',
        disambiguation: Disambiguation.parse({ ambiguousAliases: ['Widget'], context: ['assistant'], antiContext: ['gui'] }),
      },
    ]);
    const found = (text: string) => custom.link(text).map((m) => `${m.slug}:${m.direct}`);
    expect(found('WidgetAI wrote my tests.')).toEqual(['widget-ai:true', 'acme:false']);
    expect(found('The Widget assistant answered quickly.')).toEqual(['widget-ai:true', 'acme:false']);
    expect(found('Every GUI widget needs a label.')).toEqual([]);
    expect(found('Acme Labs raised money.')).toEqual(['acme:true']);
  });

  it('reads a versioned name as the model unless the text says otherwise', () => {
    expect(direct('sonnet 4 keeps apologizing')).toEqual(['claude-sonnet']);
    expect(direct("Sonnet 18 is Shakespeare's best-known poem.")).toEqual([]);
  });

  it('keeps one sense of a name per post', () => {
    expect(direct('The Gemini capsule flew before Apollo. Gemini 7 stayed up for two weeks.')).toEqual([]);
  });

  it('lets a vendor named in the post pick between competing senses of a product name', () => {
    expect(direct('Microsoft pushed Copilot into Notepad now.')).toEqual(['microsoft', 'microsoft-copilot']);
    expect(direct('GitHub rolled out Copilot code review to everyone.')).toEqual(['github', 'github-copilot']);
  });

  it('returns nothing for empty text', () => {
    expect(linker.link('')).toEqual([]);
  });
});
