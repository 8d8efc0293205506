import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EntityRegistry } from '../../core/entity.ts';
import { createLinker, toLinkableEntities } from '../linking/index.ts';
import { extractFlows } from './extract-flows.ts';
import { mentionOccurrences } from './mentions.ts';

const registry = EntityRegistry.parse(JSON.parse(readFileSync(new URL('../../../registry/entities.json', import.meta.url), 'utf8')));
const linker = createLinker(toLinkableEntities(registry));

const flowsOf = (text: string) => extractFlows(text, mentionOccurrences(linker.link(text)));
/** "kind from->to reason" per flow, the way the labels compare. */
const read = (text: string): string[] => flowsOf(text).map((f) => `${f.kind} ${f.from ?? '-'}->${f.to ?? '-'} ${f.reason ?? '-'}`);

describe('extractFlows: statements of movement', () => {
  it.each([
    ['I switched from Cursor to Claude Code last month because of the pricing.', 'switch cursor->claude-code cost'],
    ['Switched from Cursor to CC, the limits on Cursor were killing me.', 'switch cursor->claude-code limits'],
    ['We moved our whole team off Copilot onto Cursor because it was faster.', 'switch github-copilot->cursor speed'],
    ['I replaced Copilot with Cursor and never looked back.', 'switch github-copilot->cursor -'],
    ['Ditched Copilot for Codex CLI since it is cheaper.', 'switch github-copilot->codex-cli cost'],
    ['Codex has completely replaced Claude Code for me.', 'switch claude-code->codex-cli -'],
    ['Finally cancelled Cursor and moved to Claude Code.', 'switch cursor->claude-code -'],
    ['I now use Claude Code instead of Cursor.', 'switch cursor->claude-code -'],
    ['Migrated from Windsurf to Cursor over the weekend, Windsurf kept crashing.', 'switch windsurf->cursor reliability'],
  ])('%s', (text, expected) => {
    expect(read(text)).toEqual([expected]);
  });

  it('reads a move with no named destination as a switch to null', () => {
    expect(read('Cancelled my Cursor subscription today.')).toEqual(['switch cursor->- -']);
    expect(read('Uninstalled Copilot, it kept crashing.')).toEqual(['switch github-copilot->- reliability']);
    expect(read('Done with Windsurf. The credits system is a rip off.')).toEqual(['switch windsurf->- cost']);
    expect(read("I'm cancelling Copilot at the end of the month.")).toEqual(['switch github-copilot->- -']);
    expect(read('I switched from Cursor to vim and never looked back.')).toEqual(['switch cursor->- -']);
  });

  it('reads a cancellation that names nothing as leaving the entity the post is about', () => {
    expect(read('Cursor raised prices again. I cancelled my subscription today.')).toEqual(['switch cursor->- cost']);
    expect(read('Yeah I cancelled and am not coming back. Anthropic is losing subscribers, the rate limits are brutal.')).toEqual([
      'switch anthropic->- limits',
    ]);
    expect(read('Cursor raised prices again. Should I cancel?')).toEqual([]);
    expect(read('Cursor raised prices again. Many people cancelled.')).toEqual([]);
    expect(read('Cursor raised prices. I cancelled my gym membership too.')).toEqual([]);
  });

  it('reads a move to something with no named origin as a switch from null', () => {
    expect(read('Finally switched to Claude Code.')).toEqual(['switch -->claude-code -']);
    expect(read('I switched the model to Sonnet in Cursor.')).toEqual(['switch -->claude-sonnet -']);
  });

  it('takes the origin of a move to Y from the entity named just before it', () => {
    expect(read('I started with Cursor a few months ago... switched to Claude Pro. Have not turned back.')).toEqual([
      'switch cursor->claude -',
    ]);
    expect(read('GPT-5 is so slow. Used it all day, I am going back to Claude tomorrow.')).toEqual(['return gpt-5->claude speed']);
    // Never within one family: Claude before Claude Code is not an origin.
    expect(read('Claude is great. I switched to Claude Code last week.')).toEqual(['switch -->claude-code -']);
  });

  it('reads going back as a return, with what was left when the text names it', () => {
    expect(read('Went back to Cursor after a week of Kiro.')).toEqual(['return kiro->cursor -']);
    expect(read("I'm back to Claude Code after trying Codex for two weeks.")).toEqual(['return codex-cli->claude-code -']);
    expect(read('Switched from Codex back to Claude Code, the rate limits were better.')).toEqual(['return codex-cli->claude-code limits']);
  });

  it('reads a deliberate pair as adds: from the kept entity to the added one', () => {
    expect(read('I use Codex alongside Claude Code for reviews.')).toEqual(['adds claude-code->codex-cli -']);
    expect(read('Kept Claude Max and added Codex for reviews.')).toEqual(['adds claude->codex-cli -']);
  });

  it('reads a tool kept as a complement, a fallback or an addition as adds', () => {
    expect(read('I have Cursor and use GPT-5 extensively, as a complement to Claude Code.')).toEqual(['adds claude-code->gpt-5 -']);
    expect(read("Right now I'm switching between them with Claude Code being the primary and Codex the fallback.")).toEqual([
      'adds claude-code->codex-cli -',
    ]);
    // "got worse" names no aspect, but it judges how well Claude Code works: performance, as the annotators read it.
    expect(read('Claude Code got worse lately. Ended up integrating Codex as well.')).toEqual(['adds claude-code->codex-cli performance']);
  });

  it('reads "X -> Y" on a line of its own as a switch', () => {
    expect(read('Cursor -> Claude Code\n\nHere is my experience after a month.')).toEqual(['switch cursor->claude-code -']);
  });

  it('gives the exact words of the statement as evidence, with offsets into the text', () => {
    const text = 'Long story short: I switched from Cursor to Claude Code in May.';
    const [flow] = flowsOf(text);
    expect(flow?.evidence.text).toBe('switched from Cursor to Claude Code');
    expect(text.slice(flow!.evidence.start, flow!.evidence.end)).toBe(flow!.evidence.text);
    expect(flow!.confidence).toBeGreaterThan(0.5);
  });

  it('finds several flows in one post, one per statement', () => {
    const text = 'Cancelled Windsurf in March. Then I went back to Cursor. Now I use Codex alongside Cursor.';
    expect(read(text)).toEqual(['switch windsurf->- -', 'return windsurf->cursor -', 'adds cursor->codex-cli -']);
  });
});

describe('extractFlows: fallbacks, pairs, chains and sides named elsewhere', () => {
  it.each([
    // A tool turned to when the main one is in trouble: adds from the main one, the trouble is the reason.
    ['I use Codex when Claude Code gets stuck.', ['adds claude-code->codex-cli performance']],
    ['When Cursor hits a wall, I bring in Claude Code.', ['adds cursor->claude-code performance']],
    // "Claude" next to "Claude Code" in a Claude Code user's words is Claude Code.
    ["I mainly rely on Claude Code, but when Claude can't figure it out I switch to Gemini.", ['adds claude-code->gemini performance']],
    // Pairs named in no order: the first named is the kept one.
    ['I use both Cursor and Windsurf these days.', ['adds cursor->windsurf -']],
    ['Then I started cross checking between Claude and GPT-5 for everything.', ['adds claude->gpt-5 -']],
    [
      "I'm using Codex in Cursor while running Claude Code in the terminal.",
      ['adds claude-code->codex-cli -', 'adds claude-code->cursor -'],
    ],
    ['Claude Code is my main tool. Also, I use Gemini for long documents.', ['adds claude-code->gemini -']],
    // No way back: X is left for the tool used since.
    ["After a month with Claude Code I can't go back to Cursor.", ['switch cursor->claude-code -']],
    ['Tried Windsurf for a week and promptly went back to Cursor.', ['return windsurf->cursor -']],
    ['Cursor kept changing its pricing, so I ended up re-subscribing to Copilot.', ['return cursor->github-copilot cost']],
    // A cancellation's destination from its reason or the next sentence.
    ['Cancelled my Cursor sub because Claude Code is just better now.', ['switch cursor->claude-code performance']],
    ['Cancelled my $200 Cursor subscription and upgraded to Claude Max.', ['switch cursor->claude -']],
    ["Update: I dumped Claude and I'm all aboard the ChatGPT train.", ['switch claude->chatgpt -']],
    ['Finally ditched Cursor too, Claude Code is awesome.', ['switch cursor->claude-code -']],
    ['I stopped using GPT-4o, replaced it with Qwen 3.', ['switch gpt-4o->qwen -']],
    ['I just canceled my Codex subscription and am going back to CC.', ['return codex-cli->claude-code -']],
    ['So I decided to give Codex a try. I cancelled my Cursor subscription.', ['switch cursor->codex-cli -']],
    // Several entities on one side: one flow each.
    ['Switched from Cursor to Claude Code + Codex.', ['switch cursor->claude-code -', 'switch cursor->codex-cli -']],
    ["Gemini Pro + Opus were my setup. I've since switched to Codex.", ['switch gemini->codex-cli -', 'switch claude-opus->codex-cli -']],
    // A chain: each step leaves where the one before went.
    ["Started with Llama, moved to Mistral, now I'm on Qwen.", ['switch llama->mistral -', 'switch mistral->qwen -']],
    // An origin named after the move, in its reason.
    ['I switched to Codex because my employer paid for Claude Code.', ['switch claude-code->codex-cli -']],
    // A past move with "when" is an event, not a habit.
    ['I dropped Cursor when the pricing changed.', ['switch cursor->- cost']],
    ["The output got worse and that's when I switched to Claude Code from Cursor.", ['switch cursor->claude-code performance']],
  ])('%s', (text, expected) => {
    expect(read(text)).toEqual(expected);
  });

  it('reads a Max plan named alone as Claude', () => {
    expect(read('Cancelled my Max plan. Codex just works.').map((f) => f.split(' ').slice(0, 2).join(' '))).toEqual([
      'switch claude->codex-cli',
    ]);
  });

  it.each([
    ['advice about a fallback', 'When Claude gets stuck, you should try Codex.'],
    ['a question about a fallback', 'When Claude gets stuck, does Codex do better?'],
    ['a hypothetical fallback', 'If Claude gets stuck I might use Codex.'],
    ['tried both', "I've tried both Cursor and Windsurf."],
    ['a question about both', 'Should I use both Cursor and Copilot?'],
    ['half a move alone', 'I upgraded to Claude Max.'],
    ['a tool used now, nothing before', "Now I'm on Claude Code."],
    ['no way back, said to others', "You can't go back to Cursor after using Claude Code."],
    ['no way back, other people', 'People say they can never go back to Cursor after trying Claude Code.'],
    ['buying a plan, not leaving one', 'Just dropped a Max subscription on it, excited to try.'],
    ['a present habit with when', 'I switch to Codex when I need a review.'],
    ['a release, not a drop', 'DeepSeek suddenly dropped V3.'],
    ["a thing of X's cancelled", 'I cancelled the Hugging Face download after a minute.'],
    ['a maybe', 'The next step is maybe dropping Claude Code completely.'],
  ])('not a flow: %s: %s', (_why, text) => {
    expect(read(text)).toEqual([]);
  });
});

describe('extractFlows: what is not a flow', () => {
  it.each([
    ['trying or comparing', 'I tried Cursor and Windsurf this week.'],
    ['comparing', 'Cursor vs Claude Code: which is better for refactors?'],
    ['testing', 'Testing Codex this week against Claude Code.'],
    ['a question', 'Should I switch from Cursor to Claude Code?'],
    ['a question to others', 'Has anyone moved from Windsurf to Cursor?'],
    ['a question without an opener', 'Worth switching to Claude Code from Cursor?'],
    ['an intention', 'Thinking of switching to Codex.'],
    ['an intention, considering', 'I am considering moving from Cursor to Windsurf.'],
    ['a maybe', 'I might cancel my Cursor subscription.'],
    ['a plan', "I'm planning to switch from Copilot to Cursor next quarter."],
    ['a wish', 'I want to switch to Claude Code but my company pays for Copilot.'],
    ['a conditional threat', "If they raise the price again I'm switching to Windsurf."],
    ['a conditional with "or"', 'One more price rise and I am out, unless Cursor fixes it.'],
    ['a hypothetical', 'I would switch to Codex if it had a plan mode.'],
    ['advice', 'You should switch to Claude Code.'],
    ['an imperative', 'Switch to Claude Code, you will not regret it.'],
    ['advice, just', 'Just cancel Cursor and use Claude Code.'],
    ['a trend about others', 'Everyone is leaving Cursor for Claude Code.'],
    ['a trend about users', 'Cursor users are switching to Claude Code in droves.'],
    ['someone else', 'My friend thinks he should move to Windsurf.'],
    ['a third person', 'He switched from Cursor to Windsurf and regrets it.'],
    ['a vendor moving a product', 'Anthropic moved Claude Code to a new pricing model.'],
    ['a denial', 'I never switched from Cursor.'],
    ['a negated move', "I didn't cancel Copilot, it's still fine."],
    ['a model used in a tool', 'I use Sonnet in Cursor.'],
    ['a tool as a setting', 'I use Claude Code with Opus most days.'],
    ['no tracked entity', 'I switched from vim to emacs last year.'],
    ['a plain opinion', 'Claude Code is better than Cursor for big refactors.'],
    ['a future release', 'Cursor will move to usage based pricing next month.'],
    ['a tried switch', 'I tried switching to Windsurf but it was too slow.'],
    ['a habit', 'I switch to Claude or Gemini when I want something quick.'],
    ['a habit, keep', 'I keep returning to Cursor for small edits.'],
    ['a workflow step', 'I plan with Cursor and execute with Sonnet. Then back to GPT-5 to review.'],
    ['advice to add', 'Use Codex as a backup for Claude Code, trust me.'],
    ['a question about a pair', 'Anyone using Codex as a fallback for Claude Code?'],
    ['a plan tied to an event', "As soon as it's on OpenRouter I'm cancelling Claude."],
  ])('%s: %s', (_why, text) => {
    expect(read(text)).toEqual([]);
  });

  it('never invents a flow from an entity to itself', () => {
    expect(read('I switched from Cursor to Cursor Pro.')).toEqual([]);
  });

  it('returns nothing for a text without mentions, whatever it says', () => {
    expect(extractFlows('I switched from X to Y because it was cheaper.', [])).toEqual([]);
  });

  it('keeps untrusted text inert: markup in a post is evidence text, not structure', () => {
    const text = 'I switched from Cursor to <script>alert(1)</script> Claude Code.';
    for (const flow of flowsOf(text)) expect(text.slice(flow.evidence.start, flow.evidence.end)).toBe(flow.evidence.text);
  });
});
