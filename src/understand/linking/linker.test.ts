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
    expect(direct('Usain Bolt would still be slower than this build.')).toEqual([]);
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

describe('createLinker on the language of real posts', () => {
  it('does not take a zodiac sign, a cafe, an HTML entity or a vLLM engine version for a product', () => {
    expect(direct("As a Gemini I'm told I'm indecisive")).toEqual([]);
    expect(direct("Qwen is the name of my cousin's cafe")).toEqual([]);
    expect(direct('Fixes &amp; improvements: search &amp; replace, copy &amp; paste.')).toEqual([]);
    expect(direct('vLLM V0 engine is gone, V1 is the default now.')).toEqual([]);
    expect(direct("vLLM's v0 engine was faster for my batch jobs.")).toEqual([]);
  });

  it('links Grok said plainly, while the verb stays a verb', () => {
    expect(direct("Grok is fine for chat but I don't trust it for code")).toEqual(['grok']);
    expect(direct("I still don't grok how the borrow checker works.")).toEqual([]);
  });

  it('links lower-case product names from the words around them', () => {
    expect(direct('honestly i use cursor directly, no extensions')).toEqual(['cursor']);
    expect(direct('is there a plugin to hook it up to cursor?')).toEqual(['cursor']);
    expect(direct('finally switching from cursor after the pricing change')).toEqual(['cursor']);
    expect(direct('wow cursor 2.0 feels snappy')).toEqual(['cursor']);
    expect(direct('the new codex is wild, zero lint errors today')).toEqual(['codex-cli']);
    expect(direct('+1 for codex, it has been solid for me')).toEqual(['codex-cli']);
    expect(direct('70% codex 30% cc these days')).toEqual(['claude-code', 'codex-cli']);
    expect(direct('sonnet has been nerfed this week')).toEqual(['claude-sonnet']);
    expect(direct('how does kimi-k2 stack up against sonnet?')).toEqual(['claude-sonnet']);
    expect(direct('it is silly to burn opus on every small edit')).toEqual(['claude-opus']);
  });

  it('keeps the ordinary senses of those words', () => {
    expect(direct('I wrote a sonnet for her birthday, fourteen lines of iambic pentameter.')).toEqual([]);
    expect(direct('cc the whole team when you send the email')).toEqual([]);
    expect(direct('That whole thread was so meta.')).toEqual([]);
    expect(direct('Just google it, the answer is on the first page.')).toEqual([]);
    expect(direct('Google the exact error message and you will find the issue.')).toEqual([]);
  });

  it('reads model sizes glued to names and common spelling variants', () => {
    expect(direct('llama70b still beats qwen30b on my evals')).toEqual(['llama', 'qwen']);
    expect(direct('Qwen32b and qwen3coder30b both fit, I ran llama 7b too')).toEqual(['llama', 'qwen']);
    expect(direct('deep seek is cheap and chat gpt is not')).toEqual(['chatgpt', 'deepseek']);
    expect(direct('I route everything through open router')).toEqual(['openrouter']);
    expect(direct('I pay for GPT Plus and ChatGPTs app is fine')).toEqual(['chatgpt']);
    expect(direct('The Claude CLI keeps asking for permissions')).toEqual(['claude-code']);
    expect(direct('Claude Sonnets are the models I reach for')).toEqual(['claude-sonnet']);
    expect(direct('GPT\u20115.1 came out today')).toEqual(['gpt-5']);
    expect(direct('用cursor写代码，用Claude审查')).toEqual(['claude', 'cursor']);
  });

  it('reads "ChatGPT 5" as the GPT-5 model and "ChatGPT 3.5" as an untracked one', () => {
    expect(direct('ChatGPT 5 is slower, chatGPT 5.0 too, and ChatGPT-5.0-mini is cheap')).toEqual(['gpt-5']);
    expect(direct('It will be about as good as ChatGPT 3.5 was.')).toEqual([]);
    expect(direct('ChatGPT-4o is retired, the ChatGPT app stays')).toEqual(['chatgpt', 'gpt-4o']);
  });

  it('tells a vendor from its model when they share a name', () => {
    expect(direct('the deepseek team did a lot with little compute')).toEqual(['deepseek-ai']);
    expect(direct('the salaries of deepseek engineers are lower than in the West')).toEqual(['deepseek-ai']);
    expect(direct('DeepSeek disrupted the industry in January')).toEqual(['deepseek-ai']);
    expect(direct('I run DeepSeek locally on two 3090s and it is quick.')).toEqual(['deepseek']);
    expect(direct('Mistral does some good stuff, they ship open weights')).toEqual(['mistral-ai']);
    expect(direct('I use Mistral for extraction, it is a great model.')).toEqual(['mistral']);
    expect(direct('The Qwen team dropped a new model today')).toEqual(['alibaba-cloud']);
    expect(direct('Same goes for google, msft, and meta, all of them.')).toEqual(['google', 'meta', 'microsoft']);
  });

  it('reads a possessive, a plural pronoun or an organisational verb after a shared name as the company', () => {
    expect(direct("DeepSeek's founder ran a hedge fund before this.")).toEqual(['deepseek-ai']);
    expect(direct("DeepSeek's API was down for an hour.")).toEqual(['deepseek']);
    expect(direct('Starting next week DeepSeek will open-source five repos.')).toEqual(['deepseek-ai']);
    expect(direct('Mistral is already mostly owned by US investors.')).toEqual(['mistral-ai']);
  });

  it('ignores phrases that contain a name but name something else', () => {
    expect(direct('start llama-server with --jinja and point llama-swap at it')).toEqual([]);
    expect(direct("I'm new to local llama, which runner should I use?")).toEqual([]);
    expect(direct('Built a wrapper in Qwen Code yesterday.')).toEqual([]);
    expect(direct('Claude-code-router lets you swap models, and CC Router does too')).toEqual([]);
    expect(direct('Tried the Claude Agent SDK last night.')).toEqual([]);
    expect(direct('Share it through Google Docs or Google Drive.')).toEqual([]);
    expect(direct('### Claude Model Sonnet (default) ### Is this a regression?')).toEqual(['claude-sonnet']);
  });

  it('ignores subreddits, paths, dotfiles and command lines', () => {
    expect(direct('Ask on r/ChatGPT or r/codex or /r/OpenAI')).toEqual([]);
    expect(direct('ping @cursor and @codex in the PR, or install @openai/codex globally')).toEqual([]);
    expect(direct('register it as a server with: mcp-hub add helper -- codex mcp')).toEqual([]);
    expect(direct('my ~/.claude/settings.json and .cursorrules are in git')).toEqual([]);
    expect(direct('open the repo and run claude --resume to continue')).toEqual([]);
    expect(direct('pass --model Qwen/Qwen3-8B to the server')).toEqual([]);
    expect(direct('Loaded Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf without errors')).toEqual([]);
  });

  it('does not count a vendor written as part of its product name', () => {
    expect(direct('Tried anthropic sonnet 4.5 yesterday.')).toEqual(['claude-sonnet']);
    expect(direct('Served google/gemini-2.5-pro through the proxy.')).toEqual(['gemini']);
    expect(direct("Amazon's Kiro is still in preview.")).toEqual(['amazon', 'kiro']);
    expect(direct('Both anthropic/claude code plans have limits.')).toEqual(['anthropic', 'claude-code']);
  });

  it('reads "4.1" before Opus or Sonnet as their version, not GPT-4.1', () => {
    expect(direct("I'll stay on Claude until 4.1 Opus gets faster")).toEqual(['claude', 'claude-opus']);
  });

  it('lets user data declare non-mentions and words after a name', () => {
    const custom = createLinker([
      {
        slug: 'widget-ai',
        parent: null,
        aliases: [],
        name: 'Widget',
        disambiguation: Disambiguation.parse({
          ambiguousAliases: ['Widget'],
          context: ['assistant'],
          contextSuffix: ['wrote'],
          nonMentions: ['Widget Toolkit'],
          prior: -0.5,
        }),
      },
    ]);
    const found = (text: string) => custom.link(text).map((m) => m.slug);
    expect(found('Then Widget wrote the migration for me.')).toEqual(['widget-ai']);
    expect(found('Then Widget broke the layout.')).toEqual([]);
    expect(found('The Widget Toolkit ships with GTK.')).toEqual([]);
  });
});
