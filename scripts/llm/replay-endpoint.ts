import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startChatEndpoint, type ChatRequest } from '../../test/support/chat-endpoint.ts';
import { answerFor, packAnswer, promptKey, readAnswerBook, type BookEntry } from './answer-book.ts';

/**
 * Measure an LLM tier with answers given elsewhere, through a local OpenAI-compatible endpoint:
 *
 *   tsx scripts/llm/replay-endpoint.ts record --prompts FILE [--port 8799]
 *     answers every request with 400 (the tiers keep their local reading) and appends each new
 *     prompt to FILE as {key, system, user}. Prompts hold post text: keep FILE outside the project.
 *   tsx scripts/llm/replay-endpoint.ts pack --prompts FILE --answers A.jsonl[,B.jsonl] --out BOOK
 *     turns answers {key, content} to recorded prompts into an answer book with no post text in it.
 *   tsx scripts/llm/replay-endpoint.ts replay --book BOOK[,BOOK] [--port 8799] [--misses FILE]
 *     answers each request from the books; a request with no answer gets 400.
 *
 * Point an evaluation at it with LLM_BASE_URL=http://127.0.0.1:PORT/v1 and any LLM_MODEL, e.g.
 * `npm run eval:opinion -- --llm`.
 */
const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    prompts: { type: 'string' },
    answers: { type: 'string' },
    out: { type: 'string' },
    book: { type: 'string' },
    misses: { type: 'string' },
    port: { type: 'string', default: '8799' },
  },
});

const readJsonl = <T>(files: string): T[] =>
  files.split(',').flatMap((file) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as T),
  );
const need = (name: string, value: string | undefined): string => {
  if (value === undefined) throw new Error(`${positionals[0]} needs --${name}`);
  return value;
};
const messagesOf = (request: ChatRequest) => {
  const content = (role: string) => request.body.messages.find((m) => m.role === role)?.content ?? '';
  return { system: content('system'), user: content('user') };
};
const refuse = (message: string) => ({ status: 400, message });

async function serve(respond: Parameters<typeof startChatEndpoint>[0]): Promise<void> {
  const endpoint = await startChatEndpoint(respond, Number(values.port));
  console.log(`${positionals[0]}: LLM_BASE_URL=${endpoint.baseUrl}`);
  process.on('SIGINT', () => void endpoint.close().then(() => process.exit(0)));
  process.on('SIGTERM', () => void endpoint.close().then(() => process.exit(0)));
}

switch (positionals[0]) {
  case 'record': {
    const file = need('prompts', values.prompts);
    const seen = new Set<string>();
    await serve((request) => {
      const { system, user } = messagesOf(request);
      const key = promptKey(system, user);
      if (!seen.has(key)) appendFileSync(file, `${JSON.stringify({ key, system, user })}\n`);
      seen.add(key);
      return refuse('recording');
    });
    break;
  }
  case 'pack': {
    const prompts = new Map(readJsonl<{ key: string; user: string }>(need('prompts', values.prompts)).map((p) => [p.key, p.user]));
    const entries: BookEntry[] = [];
    let missing = 0;
    for (const { key, content } of readJsonl<{ key: string; content: string }>(need('answers', values.answers))) {
      const user = prompts.get(key);
      if (user === undefined) throw new Error(`answer ${key} matches no recorded prompt`);
      const packed = packAnswer(user, content);
      missing += packed.missing;
      entries.push({ key, answer: packed.stored });
    }
    entries.sort((a, b) => a.key.localeCompare(b.key));
    writeFileSync(need('out', values.out), entries.map((e) => JSON.stringify(e)).join('\n') + '\n');
    console.log(`${entries.length} answers packed; ${missing} quotes not found in their prompt (left out)`);
    break;
  }
  case 'replay': {
    const book = readAnswerBook(readJsonl<BookEntry>(need('book', values.book)));
    let hits = 0;
    let misses = 0;
    await serve((request) => {
      const { system, user } = messagesOf(request);
      const content = answerFor(book, system, user);
      if (content === undefined) {
        misses++;
        if (values.misses) appendFileSync(values.misses, `${JSON.stringify({ key: promptKey(system, user), system, user })}\n`);
        return refuse('no answer in the book');
      }
      hits++;
      return { content };
    });
    process.on('exit', () => console.log(`replayed ${hits}, missed ${misses}`));
    break;
  }
  default:
    console.error('usage: replay-endpoint.ts record|pack|replay (see the top of this file)');
    process.exit(2);
}
