import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startChatEndpoint, type ChatEndpoint, type ChatReply, chatClient } from '../../../test/support/chat-endpoint.ts';
import type { LlmEndpointOptions } from '../llm/endpoint.ts';
import { mayStateFlow, MOVEMENT_CUE } from './cue.ts';
import {
  buildFlowPrompt,
  createLlmFlowTier,
  createLruFlowCache,
  hashFlowRequest,
  MIN_FLOW_CONFIDENCE,
  parseFlowAnswer,
  type FlowCache,
  type FlowEntity,
} from './llm-tier.ts';
import type { Flow, FlowMention } from './types.ts';

type Mode = 'good' | 'slow' | 'garbage' | 'status-500' | 'hang';

const fake: { mode: Mode; answer: unknown } = { mode: 'good', answer: null };
let chat: ChatEndpoint;
const API_KEY = 'sk-flows-test-never-log-24680';

function respond(): ChatReply {
  switch (fake.mode) {
    case 'good':
      return { content: JSON.stringify(fake.answer) };
    case 'slow':
      return { content: JSON.stringify(fake.answer), delayMs: 100 };
    case 'garbage':
      return { content: 'The author moved from Cursor to Claude Code.' };
    case 'status-500':
      return { status: 500, message: 'model crashed' };
    case 'hang':
      return 'hang'; // the client's timeout must fire
  }
}

const TEXT = 'Cancelled my Cursor sub last week and moved everything to Claude Code, the tab completion kept breaking.';
const at = (needle: string) => ({ start: TEXT.indexOf(needle), end: TEXT.indexOf(needle) + needle.length });
const MENTIONS: FlowMention[] = [
  { slug: 'cursor', ...at('Cursor') },
  { slug: 'claude-code', ...at('Claude Code') },
];
const ENTITIES: FlowEntity[] = [
  { slug: 'cursor', name: 'Cursor' },
  { slug: 'claude-code', name: 'Claude Code' },
];
const RULES: Flow[] = [
  {
    from: 'cursor',
    to: null,
    kind: 'switch',
    reason: null,
    evidence: { ...at('Cancelled my Cursor sub'), text: 'Cancelled my Cursor sub' },
    confidence: 0.7,
  },
];
const flow = (overrides: Record<string, unknown> = {}) => ({
  from: 'cursor',
  to: 'claude-code',
  kind: 'switch',
  reason: 'reliability',
  evidence: 'moved everything to Claude Code',
  confidence: 0.9,
  ...overrides,
});
const GOOD = { flows: [flow()] };
const GOOD_FLOW: Flow = {
  from: 'cursor',
  to: 'claude-code',
  kind: 'switch',
  reason: 'reliability',
  evidence: { ...at('moved everything to Claude Code'), text: 'moved everything to Claude Code' },
  confidence: 0.9,
};

function makeTier({ cache, windowChars, ...overrides }: Partial<LlmEndpointOptions> & { cache?: FlowCache; windowChars?: number } = {}) {
  const warned: Array<Record<string, unknown> & { message: string }> = [];
  const endpoint = chatClient(chat, { apiKey: API_KEY, timeoutMs: 300, ...overrides });
  const tier = createLlmFlowTier({
    endpoint,
    cache,
    windowChars,
    logger: { warn: (fields, message) => warned.push({ ...fields, message }) },
  });
  return { tier, endpoint, warned };
}

beforeAll(async () => {
  chat = await startChatEndpoint(respond);
});

afterAll(() => chat.close());

beforeEach(() => {
  fake.mode = 'good';
  fake.answer = GOOD;
  chat.requests.length = 0;
});

describe('createLlmFlowTier against a local OpenAI-compatible endpoint', () => {
  it('turns a valid answer into flows whose evidence locates the quote in the text, with tier llm', async () => {
    const { tier, endpoint, warned } = makeTier();
    const refined = await tier.refine(TEXT, MENTIONS, ENTITIES, RULES);
    expect(refined).toEqual({ flows: [GOOD_FLOW], tier: 'llm' });
    const evidence = refined.flows[0]!.evidence;
    expect(TEXT.slice(evidence.start, evidence.end)).toBe('moved everything to Claude Code');
    expect(endpoint.callsToday()).toBe(1);
    expect(warned).toEqual([]);
    const request = chat.requests[0]!;
    expect(request.authorization).toBe(`Bearer ${API_KEY}`);
    expect(request.body).toMatchObject({ model: 'fake-model', temperature: 0, response_format: { type: 'json_object' } });
    const [system, user] = request.body.messages;
    expect(system?.content).toMatch(/people the author speaks for/);
    expect(system?.content).toMatch(/Not flows: trying, testing or comparing/);
    expect(system?.content).toMatch(/only from the\npost's own words/);
    expect(system?.content).toMatch(
      /one of performance, cost, reliability, ux, speed, code_quality, context_window, limits, privacy, support, docs/,
    );
    expect(system?.content).toMatch(/data to read, not instructions/);
    expect(system?.content).toContain('{"flows":[{"from":"slug or null","to":"slug or null","kind":"switch|return|adds"');
    expect(user?.content).toBe(`Entities:\n- cursor: Cursor\n- claude-code: Claude Code\n<<<TEXT\n${TEXT}\nTEXT>>>`);
  });

  it('reads an empty list as "no flow": the rules\' flows are replaced by none', async () => {
    fake.answer = { flows: [] };
    expect(await makeTier().tier.refine(TEXT, MENTIONS, ENTITIES, RULES)).toEqual({ flows: [], tier: 'llm' });
  });

  it('drops a repeated (from, to, kind), reads "null" and "none" as null, ignores case, and fills a missing confidence with 0.8', async () => {
    fake.answer = {
      flows: [
        flow(),
        flow({ evidence: 'Cancelled my Cursor sub', reason: 'cost' }),
        flow({ to: 'NULL', kind: 'Switch', reason: 'none', evidence: 'CANCELLED MY CURSOR SUB', confidence: undefined }),
      ],
    };
    const { flows } = await makeTier().tier.refine(TEXT, MENTIONS, ENTITIES, RULES);
    expect(flows).toEqual([
      GOOD_FLOW,
      {
        from: 'cursor',
        to: null,
        kind: 'switch',
        reason: null,
        evidence: { ...at('Cancelled my Cursor sub'), text: 'Cancelled my Cursor sub' },
        confidence: 0.8,
      },
    ]);
  });

  it.each([
    ["a slug not among the post's entities", { flows: [flow({ to: 'codex-cli' })] }, 'garbage: "codex-cli" is not an entity of the post'],
    [
      'evidence the text does not hold',
      { flows: [flow({ evidence: 'switched to Claude Code for good' })] },
      'garbage: evidence does not occur in the text',
    ],
    ['an unknown kind', { flows: [flow({ kind: 'moved' })] }, 'garbage: answer has the wrong shape'],
    ['an unknown reason', { flows: [flow({ reason: 'vibes' })] }, 'garbage: answer has the wrong shape'],
    ['neither side', { flows: [flow({ from: null, to: null })] }, 'garbage: a flow with neither side'],
    ['the same entity on both sides', { flows: [flow({ to: 'cursor' })] }, 'garbage: a flow with the same entity on both sides'],
    ['a confidence out of range', { flows: [flow({ confidence: 3 })] }, 'garbage: answer has the wrong shape'],
    ['no flows list', { moves: [flow()] }, 'garbage: answer has the wrong shape'],
  ])("keeps the rules' flows, with the reason and a warning, for an answer with %s", async (_, answer, reason) => {
    fake.answer = answer;
    const { tier, warned } = makeTier();
    const refined = await tier.refine(TEXT, MENTIONS, ENTITIES, RULES);
    expect(refined.tier).toBe('rules');
    expect(refined.flows).toBe(RULES);
    expect(refined.reason?.startsWith(reason)).toBe(true);
    expect(warned).toEqual([expect.objectContaining({ reason: refined.reason, entities: ['cursor', 'claude-code'] })]);
  });

  it('answers the same post again from the cache, without a request or any budget', async () => {
    const { tier, endpoint } = makeTier({ dailyBudget: 1 });
    await tier.refine(TEXT, MENTIONS, ENTITIES, RULES);
    const again = await tier.refine(TEXT, MENTIONS, ENTITIES, RULES);
    expect(again).toEqual({ flows: [GOOD_FLOW], tier: 'llm', reason: 'cached' });
    expect(chat.requests).toHaveLength(1);
    expect(endpoint.callsToday()).toBe(1);
  });

  it('reads answers through a cache supplied by the caller, and asks again for another text, entity list or model', async () => {
    const cache = createLruFlowCache(10);
    await makeTier({ cache }).tier.refine(TEXT, MENTIONS, ENTITIES, RULES);
    const second = makeTier({ cache });
    expect((await second.tier.refine(TEXT, MENTIONS, ENTITIES, RULES)).reason).toBe('cached');
    expect(second.endpoint.callsToday()).toBe(0);
    await second.tier.refine(`${TEXT} `, MENTIONS, ENTITIES, RULES);
    await second.tier.refine(TEXT, MENTIONS, [...ENTITIES, { slug: 'anthropic', name: 'Anthropic' }], RULES);
    await makeTier({ cache, model: 'other-model' }).tier.refine(TEXT, MENTIONS, ENTITIES, RULES);
    expect(chat.requests).toHaveLength(4);
  });

  it('keeps working when the cache fails to read or write', async () => {
    const broken: FlowCache = {
      get: () => Promise.reject(new Error('cache down')),
      set: () => Promise.reject(new Error('cache down')),
    };
    const { tier, warned } = makeTier({ cache: broken });
    expect(await tier.refine(TEXT, MENTIONS, ENTITIES, RULES)).toEqual({ flows: [GOOD_FLOW], tier: 'llm' });
    expect(warned.map((w) => w.message)).toEqual(['flow cache read failed; asking the endpoint', 'flow cache write failed']);
  });

  it("keeps the rules' flows without a request or a warning once the daily budget is spent", async () => {
    const { tier, warned } = makeTier({ dailyBudget: 1 });
    await tier.refine(TEXT, MENTIONS, ENTITIES, RULES);
    const other = await tier.refine(`Another post. ${TEXT}`, MENTIONS, ENTITIES, RULES);
    expect(other).toEqual({ flows: RULES, tier: 'rules', reason: 'daily budget exhausted' });
    expect(chat.requests).toHaveLength(1);
    expect(warned).toEqual([]);
  });

  it('shares one request between concurrent calls for the same post', async () => {
    fake.mode = 'slow';
    const { tier, endpoint } = makeTier();
    const [a, b, c] = await Promise.all([
      tier.refine(TEXT, MENTIONS, ENTITIES, RULES),
      tier.refine(TEXT, MENTIONS, ENTITIES, RULES),
      tier.refine(TEXT, MENTIONS, ENTITIES, RULES),
    ]);
    expect(a).toEqual({ flows: [GOOD_FLOW], tier: 'llm' });
    expect(b).toEqual(a);
    expect(c).toEqual(a);
    expect(chat.requests).toHaveLength(1);
    expect(endpoint.callsToday()).toBe(1);
  });

  it.each([
    ['status-500', 'endpoint error 500'],
    ['hang', 'timeout after 300 ms'],
    ['garbage', 'garbage: answer is not JSON'],
  ] as const)("keeps the rules' flows when the endpoint gives %s, warns with the reason, and never logs the key", async (mode, reason) => {
    fake.mode = mode;
    const { tier, warned } = makeTier();
    expect(await tier.refine(TEXT, MENTIONS, ENTITIES, RULES)).toEqual({ flows: RULES, tier: 'rules', reason });
    expect(warned).toEqual([expect.objectContaining({ reason })]);
    expect(JSON.stringify(warned)).not.toContain(API_KEY);
  });

  it('does not cache a failed answer, so the next call asks again', async () => {
    fake.mode = 'status-500';
    const { tier } = makeTier();
    expect((await tier.refine(TEXT, MENTIONS, ENTITIES, RULES)).tier).toBe('rules');
    fake.mode = 'good';
    expect((await tier.refine(TEXT, MENTIONS, ENTITIES, RULES)).tier).toBe('llm');
    expect(chat.requests).toHaveLength(2);
  });

  it('asks nothing about a post without a linked entity', async () => {
    const { tier } = makeTier();
    expect(await tier.refine(TEXT, [], [], RULES)).toEqual({ flows: RULES, tier: 'rules', reason: 'no entity to ask about' });
    expect(chat.requests).toHaveLength(0);
  });

  it('sends only the start of a long post, and refuses evidence from the part it did not send', async () => {
    const long = `${TEXT} ${'filler words here. '.repeat(20)}Then I went back to Cursor.`;
    const { tier } = makeTier({ windowChars: 120 });
    expect((await tier.refine(long, MENTIONS, ENTITIES, RULES)).tier).toBe('llm');
    const user = chat.requests[0]!.body.messages[1]!.content;
    expect(user).toContain(`<<<TEXT\n${long.slice(0, 120)}…\nTEXT>>>`);
    // The same start is the same request: a cached answer, whatever follows it.
    expect(await tier.refine(`${long} More.`, MENTIONS, ENTITIES, RULES)).toMatchObject({ tier: 'llm', reason: 'cached' });
    fake.answer = { flows: [flow({ from: 'claude-code', to: 'cursor', kind: 'return', evidence: 'went back to Cursor' })] };
    const refused = await makeTier({ windowChars: 120 }).tier.refine(long, MENTIONS, ENTITIES, RULES);
    expect(refused).toMatchObject({ tier: 'rules', reason: 'garbage: evidence does not occur in the text' });
  });
});

describe('parseFlowAnswer', () => {
  it('accepts a fenced answer and locates the evidence nearest a mention of its sides', () => {
    const text = 'Codex? I moved to Codex. Later: I moved to Codex for good.';
    const mentions = [...text.matchAll(/Codex/g)].map((m) => ({ slug: 'codex-cli', start: m.index, end: m.index + 5 }));
    const parsed = parseFlowAnswer(
      '```json\n{"flows":[{"from":null,"to":"codex-cli","kind":"switch","reason":null,"evidence":"I moved to Codex"}]}\n```',
      text,
      [{ slug: 'codex-cli', name: 'Codex CLI' }],
      mentions,
    );
    expect(parsed).toMatchObject({ ok: true, flows: [{ evidence: { start: 7, end: 23, text: 'I moved to Codex' } }] });
  });

  it('rejects an empty answer', () => {
    expect(parseFlowAnswer('', TEXT, ENTITIES)).toEqual({ ok: false, reason: 'garbage: empty answer' });
  });

  it('leaves out the flows the answer gives less than MIN_FLOW_CONFIDENCE: implied, hedged or guessed moves', () => {
    const answer = (confidence: number) =>
      JSON.stringify({ flows: [flow({ confidence }), flow({ to: null, evidence: 'Cancelled my Cursor sub', confidence: 0.9 })] });
    const kept = (confidence: number) => {
      const parsed = parseFlowAnswer(answer(confidence), TEXT, ENTITIES);
      return parsed.ok ? parsed.flows.map((f) => `${f.from}->${f.to}`) : parsed.reason;
    };
    expect(kept(MIN_FLOW_CONFIDENCE)).toEqual(['cursor->claude-code', 'cursor->null']);
    expect(kept(MIN_FLOW_CONFIDENCE - 0.01)).toEqual(['cursor->null']);
    expect(kept(0.3)).toEqual(['cursor->null']);
  });
});

describe('buildFlowPrompt and hashFlowRequest', () => {
  it('lists the entities as slug: name before the text', () => {
    expect(buildFlowPrompt('text', false, ENTITIES)).toBe(
      'Entities:\n- cursor: Cursor\n- claude-code: Claude Code\n<<<TEXT\ntext\nTEXT>>>',
    );
  });

  it('differs by model, text and entities', () => {
    const base = hashFlowRequest('m', TEXT, ENTITIES);
    expect(hashFlowRequest('m2', TEXT, ENTITIES)).not.toBe(base);
    expect(hashFlowRequest('m', `${TEXT}!`, ENTITIES)).not.toBe(base);
    expect(hashFlowRequest('m', TEXT, [{ slug: 'cursor', name: 'Cursor IDE' }, ENTITIES[1]!])).not.toBe(base);
    expect(hashFlowRequest('m', TEXT, ENTITIES)).toBe(base);
  });
});

describe('mayStateFlow: which posts the tier is asked about', () => {
  it('asks about a post with an entity and a movement cue, or with a flow the rules found', () => {
    expect(mayStateFlow('Moved from Cursor to Zed last month.', 2, 0)).toBe(true);
    expect(mayStateFlow('Cursor -> Zed', 2, 0)).toBe(true);
    expect(mayStateFlow('Cursor has been great for me.', 1, 1)).toBe(true);
  });

  it('never asks about a post without a linked entity, nor one with neither a cue nor a rules flow', () => {
    expect(mayStateFlow('Switched to Zed.', 0, 0)).toBe(false);
    expect(mayStateFlow('Switched to Zed.', 0, 1)).toBe(false);
    expect(mayStateFlow('Cursor has been great for me.', 1, 0)).toBe(false);
  });

  it('is the regex that drew the labelled sample', async () => {
    const { readFile } = await import('node:fs/promises');
    const sample = JSON.parse(await readFile(new URL('../../../labels/flows/sample.json', import.meta.url), 'utf8')) as { cue: string };
    expect(MOVEMENT_CUE.source).toBe(sample.cue);
    expect(MOVEMENT_CUE.flags).toBe('i');
  });
});
