import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
  /** Milliseconds since the server started, when the request arrived. */
  at: number;
}

export interface FakeResponse {
  status?: number;
  headers?: Record<string, string>;
  /** Objects are sent as JSON; strings as they are (truncated or malformed bodies); bytes as they are (other encodings). */
  body?: unknown;
  /** Wait this long before answering (a response slower than the client's timeout). */
  delayMs?: number;
}

export type FakeHandler = (request: FakeRequest) => FakeResponse | Promise<FakeResponse>;

export interface FakeUpstream {
  url: string;
  requests: FakeRequest[];
  /** Answer the next requests with these responses (faults), before the handler resumes. */
  queue(...responses: FakeResponse[]): void;
  setHandler(handler: FakeHandler): void;
  close(): Promise<void>;
}

/** A real HTTP server on 127.0.0.1 that answers in an upstream API's shape, faults included. */
export async function startFakeUpstream(handler: FakeHandler): Promise<FakeUpstream> {
  let current = handler;
  const queued: FakeResponse[] = [];
  const requests: FakeRequest[] = [];
  const started = Date.now();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const request: FakeRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now() - started,
      };
      requests.push(request);
      void (async () => {
        const response = queued.shift() ?? (await current(request));
        if (response.delayMs) await new Promise((r) => setTimeout(r, response.delayMs));
        if (res.destroyed) return;
        const isText = typeof response.body === 'string';
        const isBytes = response.body instanceof Uint8Array;
        const payload =
          response.body === undefined
            ? ''
            : isText
              ? (response.body as string)
              : isBytes
                ? (response.body as Uint8Array)
                : JSON.stringify(response.body);
        res.writeHead(response.status ?? 200, {
          'content-type': isText ? 'text/plain; charset=utf-8' : isBytes ? 'application/octet-stream' : 'application/json; charset=utf-8',
          ...response.headers,
        });
        res.end(payload);
      })().catch((error: unknown) => {
        res.writeHead(599);
        res.end(String(error));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    queue: (...responses) => queued.push(...responses),
    setHandler: (next) => {
      current = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Largest number of requests that arrived inside any window of `windowMs`. */
export function maxRequestsInWindow(requests: FakeRequest[], windowMs: number): number {
  const times = requests.map((r) => r.at).sort((a, b) => a - b);
  let best = 0;
  let start = 0;
  for (let end = 0; end < times.length; end++) {
    while ((times[end] as number) - (times[start] as number) >= windowMs) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}
