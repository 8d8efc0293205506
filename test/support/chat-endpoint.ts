import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLlmEndpoint, type LlmEndpoint, type LlmEndpointOptions } from '../../src/understand/llm/endpoint.ts';

/** What an OpenAI-compatible client sends to POST /v1/chat/completions. */
export interface ChatBody {
  model: string;
  temperature: number;
  response_format: { type: string };
  messages: { role: string; content: string }[];
}

export interface ChatRequest {
  path: string;
  authorization: string | undefined;
  body: ChatBody;
}

/**
 * How the fake answers one request: a completion whose message is `content`, an error status with
 * its message (and headers such as Retry-After), a raw body, or nothing at all (the client's timeout
 * must fire); `delayMs` holds the answer back.
 */
export type ChatReply =
  { content: string; delayMs?: number } | { status: number; message: string; headers?: Record<string, string> } | { raw: string } | 'hang';

export interface ChatEndpoint {
  /** The base URL a client is given (`http://127.0.0.1:PORT/v1`). */
  baseUrl: string;
  /** Every request received, in order. */
  requests: ChatRequest[];
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

/** A local OpenAI-compatible chat endpoint over real HTTP, answering each request with `respond`; `port` 0 picks a free one. */
export async function startChatEndpoint(respond: (request: ChatRequest) => ChatReply, port = 0): Promise<ChatEndpoint> {
  const requests: ChatRequest[] = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    req.on('end', () => {
      const request: ChatRequest = {
        path: req.url ?? '',
        authorization: req.headers.authorization,
        body: JSON.parse(raw || 'null') as ChatBody,
      };
      requests.push(request);
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') return send(res, 404, { error: { message: 'not found' } });
      const reply = respond(request);
      if (reply === 'hang') return;
      if ('raw' in reply) return send(res, 200, reply.raw);
      if ('status' in reply)
        return send(
          res,
          reply.status,
          { error: { message: reply.message, type: reply.status >= 500 ? 'server_error' : 'invalid_request_error' } },
          reply.headers,
        );
      const completion = {
        id: 'chatcmpl-fake',
        object: 'chat.completion',
        created: 1_700_000_000,
        model: request.body?.model ?? 'fake-model',
        choices: [{ index: 0, message: { role: 'assistant', content: reply.content }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 },
      };
      if (reply.delayMs) setTimeout(() => send(res, 200, completion), reply.delayMs);
      else send(res, 200, completion);
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The LLM endpoint client tests point at `chat`: model "fake-model", no retries, a 2 s timeout; `options` override. */
export function chatClient(chat: ChatEndpoint, options: Partial<LlmEndpointOptions> = {}): LlmEndpoint {
  return createLlmEndpoint({
    baseUrl: chat.baseUrl,
    apiKey: 'sk-test',
    model: 'fake-model',
    dailyBudget: 100,
    timeoutMs: 2_000,
    maxRetries: 0,
    ...options,
  });
}
