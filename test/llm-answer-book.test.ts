import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerFor, packAnswer, promptKey, readAnswerBook, type AnswerBook } from '../scripts/llm/answer-book.ts';
import { createLlmFlowTier } from '../src/understand/flows/llm-tier.ts';
import type { FlowMention } from '../src/understand/flows/types.ts';
import { startChatEndpoint, chatClient, type ChatEndpoint, type ChatRequest } from './support/chat-endpoint.ts';

/**
 * An answer book replays answers given elsewhere to the prompts the LLM tiers send, without keeping
 * post text: quotes are stored as offsets into the prompt. Replayed through a real local endpoint,
 * a tier must accept them as it accepted the original answer.
 */
const TEXT = 'Cancelled my Cursor sub last week and moved everything to Claude Code, the tab completion kept breaking.';
const at = (needle: string) => ({ start: TEXT.indexOf(needle), end: TEXT.indexOf(needle) + needle.length });
const MENTIONS: FlowMention[] = [
  { slug: 'cursor', ...at('Cursor') },
  { slug: 'claude-code', ...at('Claude Code') },
];
const ENTITIES = [
  { slug: 'cursor', name: 'Cursor' },
  { slug: 'claude-code', name: 'Claude Code' },
];
const ANSWER = JSON.stringify({
  flows: [
    {
      from: 'cursor',
      to: 'claude-code',
      kind: 'switch',
      reason: 'reliability',
      evidence: 'moved everything to Claude Code',
      confidence: 0.9,
    },
  ],
});
const messages = (request: ChatRequest) => ({
  system: request.body.messages.find((m) => m.role === 'system')!.content,
  user: request.body.messages.find((m) => m.role === 'user')!.content,
});

describe('answer book', () => {
  it('stores quotes as offsets into the prompt and gives the answer back as it was', () => {
    const user = `Entities: ...\n<<<TEXT\n${TEXT}\nTEXT>>>`;
    const { stored, missing } = packAnswer(user, ANSWER);
    expect(missing).toBe(0);
    expect(JSON.stringify(stored)).not.toContain('moved everything');
    const book: AnswerBook = readAnswerBook([{ key: promptKey('system', user), answer: stored }]);
    expect(answerFor(book, 'system', user)).toBe(ANSWER);
    expect(answerFor(book, 'another system', user)).toBeUndefined();
    expect(answerFor(book, 'system', `${user} `)).toBeUndefined();
  });

  it('keeps a quote of a marked mention, given without the markers, as offsets into the unmarked prompt', () => {
    const user = 'Entity: cursor\nText:\nHonestly [[Cursor]] is slow lately.';
    const answer = JSON.stringify({ aspects: [{ aspect: 'speed', polarity: 'negative', evidence: 'Cursor is slow' }] });
    const { stored, missing } = packAnswer(user, answer);
    expect(missing).toBe(0);
    expect(JSON.stringify(stored)).not.toContain('slow');
    expect(answerFor(readAnswerBook([{ key: promptKey('s', user), answer: stored }]), 's', user)).toBe(answer);
  });

  it('leaves out a quote that is not in the prompt (the tier would have refused it) and counts it', () => {
    const { stored, missing } = packAnswer('a prompt', JSON.stringify({ aspects: [{ aspect: 'cost', evidence: 'not here' }] }));
    expect(missing).toBe(1);
    expect(stored).toEqual({ aspects: [{ aspect: 'cost', evidence: '' }] });
  });

  describe('replayed through a real endpoint to the flows tier', () => {
    let recorder: ChatEndpoint;
    let replayer: ChatEndpoint;
    let book: AnswerBook;

    beforeAll(async () => {
      recorder = await startChatEndpoint(() => ({ status: 400, message: 'recording' }));
      const tier = (endpoint: ChatEndpoint) => createLlmFlowTier({ endpoint: chatClient(endpoint) });
      await tier(recorder).refine(TEXT, MENTIONS, ENTITIES, []);
      const { system, user } = messages(recorder.requests[0]!);
      book = readAnswerBook([{ key: promptKey(system, user), answer: packAnswer(user, ANSWER).stored }]);
      replayer = await startChatEndpoint((request) => {
        const { system: s, user: u } = messages(request);
        const content = answerFor(book, s, u);
        return content === undefined ? { status: 400, message: 'no answer' } : { content };
      });
    });
    afterAll(async () => {
      await recorder?.close();
      await replayer?.close();
    });

    it('is accepted as the answer it stands for, evidence placed in the post', async () => {
      const refined = await createLlmFlowTier({ endpoint: chatClient(replayer) }).refine(TEXT, MENTIONS, ENTITIES, []);
      expect(refined.tier).toBe('llm');
      expect(refined.flows).toEqual([
        expect.objectContaining({
          from: 'cursor',
          to: 'claude-code',
          kind: 'switch',
          reason: 'reliability',
          evidence: { ...at('moved everything to Claude Code'), text: 'moved everything to Claude Code' },
        }),
      ]);
    });
  });
});
