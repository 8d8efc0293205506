import { describe, expect, it } from 'vitest';
import { combineAspects } from './combine-aspects.ts';
import { extractAspects, isUnsure } from './extract-aspects.ts';
import { ASPECT_NAMES, type AspectFinding, type TextSpan } from './types.ts';

function spanOf(text: string, name: string, from = 0): TextSpan {
  const start = text.indexOf(name, from);
  if (start < 0) throw new Error(`"${name}" not in text`);
  return { start, end: start + name.length };
}

function aspectsOf(text: string, name: string, others: string[] = []): Record<string, string> {
  const found = extractAspects(text, spanOf(text, name), { otherMentions: others.map((o) => spanOf(text, o)) });
  return Object.fromEntries(found.map((f) => [f.aspect, f.polarity]));
}

describe('extractAspects', () => {
  it('does not read an entity\'s own name as an aspect ("Claude Code" is not code quality)', () => {
    const text = 'Codex -> Claude Code, I used to love it. Codex writes good code.';
    const first = spanOf(text, 'Codex');
    const second = spanOf(text, 'Codex', first.end);
    const claudeCode = spanOf(text, 'Claude Code');
    const aspects = (span: TextSpan, others: TextSpan[]) => extractAspects(text, span, { otherMentions: others }).map((f) => f.aspect);
    expect(aspects(claudeCode, [first, second])).not.toContain('code_quality');
    expect(aspects(second, [first, claudeCode])).toContain('code_quality');
  });

  it('skips issue-form headings and empty fields ("### What\'s Wrong?", "_No response_")', () => {
    const text = "### What's Wrong?\nClaude Code exits after the first prompt.\n\n### Support contact\n\n_No response_";
    expect(aspectsOf(text, 'Claude Code')).not.toHaveProperty('support');
    expect(aspectsOf(text, 'Claude Code')).not.toHaveProperty('code_quality');
  });

  it('reads a price with a monthly amount as a cost mention', () => {
    expect(aspectsOf('Cursor is $200/month for the Ultra plan.', 'Cursor')).toHaveProperty('cost');
  });

  it('reads "rate limited" as negative limits, not the neutral topic "limit"', () => {
    expect(aspectsOf('Claude Code got me rate limited twice before lunch.', 'Claude Code')).toMatchObject({ limits: 'negative' });
  });

  it('reads "hallucinates" as negative performance', () => {
    expect(aspectsOf('GPT-4o hallucinates API methods that never existed.', 'GPT-4o')).toMatchObject({ performance: 'negative' });
  });

  it('reads "blazing fast" as positive speed', () => {
    expect(aspectsOf('Gemini Flash is blazing fast on small edits.', 'Gemini')).toMatchObject({ speed: 'positive' });
  });

  it('reads "200k context" as a context window mention that is not negative', () => {
    const found = aspectsOf('Sonnet ships with a 200k context.', 'Sonnet');
    expect(found).toHaveProperty('context_window');
    expect(found.context_window).not.toBe('negative');
  });

  it('flips polarity under negation: "not expensive" and "never crashes"', () => {
    expect(aspectsOf('Honestly Aider is not expensive at all.', 'Aider')).toMatchObject({ cost: 'positive' });
    expect(aspectsOf('Zed never crashes on me, even on huge files.', 'Zed')).toMatchObject({ reliability: 'positive' });
  });

  it('judges a bare topic by the words next to it', () => {
    expect(aspectsOf('Windsurf pricing is outrageous now.', 'Windsurf')).toMatchObject({ cost: 'negative' });
    expect(aspectsOf('The Tabnine docs are excellent.', 'Tabnine')).toMatchObject({ docs: 'positive' });
    expect(aspectsOf('The Modelfile docs for Ollama could be better.', 'Ollama')).toMatchObject({ docs: 'negative' });
  });

  it('reads direction words by what more of the thing means: higher prices bad, bigger context good', () => {
    expect(aspectsOf('Copilot raised the price again, the price is higher than ever.', 'Copilot')).toMatchObject({ cost: 'negative' });
    expect(aspectsOf('Gemini has a much bigger context window than I need.', 'Gemini')).toMatchObject({ context_window: 'positive' });
  });

  it('keeps each side of a contrast with its own polarity', () => {
    const found = aspectsOf('Opus is brilliant at refactors but the pricing is brutal.', 'Opus');
    expect(found).toMatchObject({ cost: 'negative' });
  });

  it('gives each entity its own clause when a sentence names several', () => {
    const text = 'Claude is great but Cursor keeps crashing.';
    expect(aspectsOf(text, 'Cursor', ['Claude'])).toMatchObject({ reliability: 'negative' });
    expect(aspectsOf(text, 'Claude', ['Cursor'])).not.toHaveProperty('reliability');
  });

  it('splits a list of entities at commas', () => {
    const text = 'Copilot was cheap, Windsurf was slow, and Cline crashed twice.';
    const others = ['Copilot', 'Windsurf', 'Cline'];
    expect(
      aspectsOf(
        text,
        'Copilot',
        others.filter((o) => o !== 'Copilot'),
      ),
    ).toEqual({ cost: 'positive' });
    expect(
      aspectsOf(
        text,
        'Windsurf',
        others.filter((o) => o !== 'Windsurf'),
      ),
    ).toEqual({ speed: 'negative' });
    expect(
      aspectsOf(
        text,
        'Cline',
        others.filter((o) => o !== 'Cline'),
      ),
    ).toEqual({ reliability: 'negative' });
  });

  it('carries the next sentence to the mention until another entity is named', () => {
    const text = `${'Some context about my week that is long enough to not be a short post at all. '.repeat(3)}I moved to Replit last month. It keeps crashing on deploy. Meanwhile Lovable was fast.`;
    const found = extractAspects(text, spanOf(text, 'Replit'), { otherMentions: [spanOf(text, 'Lovable')] });
    expect(found.map((f) => f.aspect)).toEqual(['reliability']);
  });

  it('gives the compared-to entity the opposite judgement in "faster than X" (ANNOTATION.md: both sides of a comparison)', () => {
    expect(aspectsOf('Codex CLI is faster than Claude Code.', 'Claude Code', ['Codex CLI'])).toMatchObject({ speed: 'negative' });
    expect(aspectsOf('Codex CLI is faster than Claude Code.', 'Codex CLI', ['Claude Code'])).toMatchObject({ speed: 'positive' });
    expect(aspectsOf('Cline costs more than Aider.', 'Aider', ['Cline'])).toMatchObject({ cost: 'positive' });
  });

  it('reads the yardstick of an aspectless comparison as the other side of output quality', () => {
    expect(aspectsOf('Gemini is far better for refactoring than Llama.', 'Llama', ['Gemini'])).toMatchObject({ performance: 'negative' });
  });

  it('does not let a judgement reach across another name: "my Cursor plan since Windsurf is good"', () => {
    expect(aspectsOf('I dropped my Cursor plan since Windsurf is good now.', 'Cursor', ['Windsurf'])).not.toHaveProperty('cost');
    expect(aspectsOf('The pricing of Cursor is great.', 'Cursor')).toMatchObject({ cost: 'positive' });
  });

  it('does not read a question as a judgement, and reads "easy" as ux', () => {
    expect(aspectsOf('Is Aider the best agent for this?', 'Aider')).toEqual({});
    expect(aspectsOf('Never knew Zed could be this easy.', 'Zed')).toMatchObject({ ux: 'positive' });
  });

  it('skips checklists and links in issue forms', () => {
    const text = '- [x] I have searched https://example.com/zed/issues for bugs\nZed opens the settings file twice.';
    expect(aspectsOf(text, 'Zed')).toEqual({});
  });

  it('ignores a vendor named only as the owner of the product being discussed', () => {
    expect(aspectsOf("Google's Gemini keeps timing out today.", 'Google', ['Gemini'])).toEqual({});
  });

  it('does not count fixing an error in the user code as a reliability problem', () => {
    expect(aspectsOf('Claude fixed the error in my parser in one go.', 'Claude')).not.toHaveProperty('reliability');
  });

  it('returns evidence that is the quoted slice of the text', () => {
    const text = 'Devin is painfully slow on big repos.';
    for (const f of extractAspects(text, spanOf(text, 'Devin'))) {
      expect(text.slice(f.evidence.start, f.evidence.end)).toBe(f.evidence.text);
      expect(ASPECT_NAMES).toContain(f.aspect);
      expect(f.score).toBeGreaterThanOrEqual(-1);
      expect(f.score).toBeLessThanOrEqual(1);
    }
  });

  it('finds nothing in text without aspects', () => {
    expect(extractAspects('I tried Kiro yesterday.', { start: 8, end: 12 })).toEqual([]);
  });

  it('handles an empty text and a span at its end', () => {
    expect(extractAspects('', { start: 0, end: 0 })).toEqual([]);
    expect(extractAspects('Amp', { start: 3, end: 3 })).toEqual([]);
  });
});

describe('isUnsure', () => {
  it('is unsure about an overall judgement read as output quality', () => {
    const text = 'Honestly I think Junie is terrible and I regret trying it.';
    const span = spanOf(text, 'Junie');
    const found = extractAspects(text, span);
    expect(found.map((f) => f.aspect)).toEqual(['performance']);
    expect(isUnsure(found, text, [span])).toBe(true);
  });

  it('is unsure when the text judges something but no aspect was found', () => {
    const text = 'We rolled Junie out to the whole team and the result was honestly terrible for everyone.';
    expect(isUnsure([], text, [spanOf(text, 'Junie')])).toBe(true);
  });

  it('reads implied friction as ux: approval prompts, babysitting, a toolchain judged', () => {
    expect(aspectsOf('Aider keeps asking me to approve every single shell command.', 'Aider')).toMatchObject({ ux: 'negative' });
    expect(aspectsOf('With Cline I have to babysit every refactor.', 'Cline')).toMatchObject({ ux: 'negative' });
    expect(aspectsOf('The Zed tooling is horrible to configure.', 'Zed')).toMatchObject({ ux: 'negative' });
  });

  it('reads a reached quota as negative limits: "hit limit", "ran out of usage"', () => {
    expect(aspectsOf('Gemini CLI: hit limit after an hour of refactoring.', 'Gemini CLI')).toMatchObject({ limits: 'negative' });
    expect(aspectsOf('By Wednesday Claude and I ran out of usage for the week.', 'Claude')).toMatchObject({ limits: 'negative' });
  });

  it('reads "performance" and going off the rails as output quality', () => {
    expect(aspectsOf('Lately Opus performance has been poor on refactors.', 'Opus')).toMatchObject({ performance: 'negative' });
    expect(aspectsOf('Halfway through the task Devin went off the rails.', 'Devin')).toMatchObject({ performance: 'negative' });
  });

  it('does not read fault words that name a task or a form field as reliability', () => {
    expect(aspectsOf('I use Aider mostly for bug fixing in old scripts.', 'Aider')).not.toHaveProperty('reliability');
    expect(aspectsOf('**Bug Description**\nWhen I open Zed the tab bar is on the left.', 'Zed')).not.toHaveProperty('reliability');
    expect(aspectsOf('That was user error, Cline did what I asked.', 'Cline')).not.toHaveProperty('reliability');
    expect(aspectsOf('Get ready for the first $500 Cursor plan.', 'Cursor')).not.toHaveProperty('reliability');
  });

  it('does not read a bare subscription or a planning step as cost', () => {
    expect(aspectsOf('I have a Copilot subscription through work.', 'Copilot')).not.toHaveProperty('cost');
    expect(aspectsOf('I plan with Gemini first and then let it write the tests.', 'Gemini')).not.toHaveProperty('cost');
    expect(aspectsOf('Windsurf needs a good plan before it starts.', 'Windsurf')).not.toHaveProperty('cost');
  });

  it('does not read "code review" or "code understanding" as the code it writes', () => {
    expect(aspectsOf('Cody is great at code review.', 'Cody')).not.toHaveProperty('code_quality');
  });

  it('reads "support" as customer support only where it is not the verb or a feature', () => {
    expect(aspectsOf('Tabnine support answered my billing ticket within an hour.', 'Tabnine')).toHaveProperty('support');
    expect(aspectsOf('Our wrapper now supports Aider and will support Cline next month.', 'Aider', ['Cline'])).not.toHaveProperty(
      'support',
    );
    expect(aspectsOf('I totally support Mistral shipping open weights.', 'Mistral')).not.toHaveProperty('support');
  });

  it('does not read the size of a job or lost progress as speed', () => {
    expect(aspectsOf('I keep Aider around for quick refactors.', 'Aider')).not.toHaveProperty('speed');
    expect(aspectsOf('Devin was spinning its wheels all afternoon.', 'Devin')).not.toHaveProperty('speed');
    expect(aspectsOf('Cline answers are quick and snappy.', 'Cline')).toMatchObject({ speed: 'positive' });
  });

  it('reads "bad at UI" as what the tool builds, not its interface', () => {
    expect(aspectsOf('Honestly Devin is bad at UI work.', 'Devin')).not.toHaveProperty('ux');
    expect(aspectsOf('The Zed UI is clean and fast to navigate.', 'Zed')).toHaveProperty('ux');
  });

  it('reads a stated wait as slowness: "takes a while", "taking over an hour"', () => {
    expect(aspectsOf('Devin takes a while on every ticket.', 'Devin')).toMatchObject({ speed: 'negative' });
    expect(aspectsOf('With Aider each change is taking over an hour to land.', 'Aider')).toMatchObject({ speed: 'negative' });
  });

  it('reads code it writes to game the tests, or side effects, as code quality', () => {
    expect(aspectsOf('Cline edits the tests so they pass instead of fixing the parser.', 'Cline')).toMatchObject({
      code_quality: 'negative',
    });
    expect(aspectsOf('Junie made no side effect changes at all.', 'Junie')).toMatchObject({ code_quality: 'positive' });
  });

  it('reads a context size with a word between ("128K native context") and "limited context"', () => {
    expect(aspectsOf('Mistral ships a 128K native context.', 'Mistral')).toHaveProperty('context_window');
    expect(aspectsOf('Llama has pretty limited context for a repo this size.', 'Llama')).toMatchObject({ context_window: 'negative' });
  });

  it('does not read context the user gives it, or a request rate, as the window or a quota', () => {
    expect(aspectsOf('Cline works better once I give it more context about the schema.', 'Cline')).not.toHaveProperty('context_window');
    expect(aspectsOf('We route OpenRouter at 300 requests per second in load tests.', 'OpenRouter')).not.toHaveProperty('limits');
  });

  it('gives a statement about "X and Y" to both names', () => {
    const text = 'Aider and Cline have been excellent this month.';
    expect(aspectsOf(text, 'Aider', ['Cline'])).toMatchObject({ performance: 'positive' });
    expect(aspectsOf(text, 'Cline', ['Aider'])).toMatchObject({ performance: 'positive' });
  });

  it('reads "works well" as a judgement but not "as well"', () => {
    expect(aspectsOf('Devin works really well on small repos.', 'Devin')).toMatchObject({ performance: 'positive' });
    expect(aspectsOf('I installed Zed as well yesterday.', 'Zed')).toEqual({});
  });

  it('does not count a bare price from a following sentence for this mention', () => {
    const text =
      'Windsurf is my editor now and I open it every morning before standup to review what changed overnight in our monorepo, ' +
      'which has grown to about four hundred packages over two years of steady work by a small team. ' +
      'My partner pays $25 for a meal kit that arrives at our door every Thursday evening.';
    expect(text.length).toBeGreaterThan(280);
    expect(aspectsOf(text, 'Windsurf')).not.toHaveProperty('cost');
  });

  it('reads "X is worth it" as value for money and "hard to beat" as praise', () => {
    expect(aspectsOf('Copilot Pro is totally worth it.', 'Copilot')).toMatchObject({ cost: 'positive' });
    expect(aspectsOf('For refactors Cline is hard to beat.', 'Cline')).toMatchObject({ performance: 'positive' });
  });

  it('reads the scope of every mention, not only the first', () => {
    const text =
      'I installed Junie on the server this morning. Ollama runs next to it. A week later, Junie turned out honestly terrible for the whole team.';
    const first = spanOf(text, 'Junie');
    const second = { start: text.lastIndexOf('Junie'), end: text.lastIndexOf('Junie') + 'Junie'.length };
    const options = { otherMentions: [spanOf(text, 'Ollama')] };
    expect(isUnsure([], text, [first], options)).toBe(false);
    expect(isUnsure([], text, [first, second], options)).toBe(true);
  });

  it('is sure about a plain, well-cued finding', () => {
    const text = 'Cursor keeps crashing.';
    const span = spanOf(text, 'Cursor');
    expect(isUnsure(extractAspects(text, span), text, [span])).toBe(false);
  });

  it('is sure when nothing is judged', () => {
    const text = 'I installed Ollama on the server this morning and pulled two models.';
    const span = spanOf(text, 'Ollama');
    expect(isUnsure([], text, [span])).toBe(false);
  });
});

describe('combineAspects', () => {
  const finding = (aspect: AspectFinding['aspect'], score: number, confidence: number): AspectFinding => ({
    aspect,
    polarity: score > 0.15 ? 'positive' : score < -0.15 ? 'negative' : 'neutral',
    score,
    confidence,
    evidence: { start: 0, end: 1, text: 'x' },
  });

  it('merges one aspect from several mentions into one finding weighted by confidence', () => {
    const merged = combineAspects([[finding('cost', -0.6, 0.9)], [finding('cost', 0.2, 0.3), finding('speed', 0.5, 0.8)]]);
    expect(merged.map((f) => f.aspect).sort()).toEqual(['cost', 'speed']);
    expect(merged.find((f) => f.aspect === 'cost')).toMatchObject({ polarity: 'negative', confidence: 0.9 });
  });
});
