import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedDelivery {
  at: number;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The X-VibeCheck-Signature checked against the body with the receiver's secret. */
  signatureValid: boolean;
  /** What the receiver answered. */
  status: number;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  /** Hold the answer this long (a slow or hung receiver). */
  delayMs?: number;
}

export interface AlertReceiver {
  url: string;
  received: ReceivedDelivery[];
  /** Answers in order; past the list, `fallback`. */
  script: Reply[];
  fallback: Reply;
  close(): Promise<void>;
}

/** Checks `t=<unix>,v1=<hex>` by recomputing the HMAC independently of the code under test. */
export function checkSignature(secret: string, header: string | undefined, body: string): boolean {
  const match = header?.match(/^t=(\d+),v1=([0-9a-f]{64})$/);
  if (!match) return false;
  const expected = createHmac('sha256', secret).update(`${match[1]}.${body}`).digest('hex');
  return expected === match[2];
}

/** A real HTTP receiver on a free local port standing in for a team's webhook endpoint. */
export async function startAlertReceiver(secret: string): Promise<AlertReceiver> {
  const received: ReceivedDelivery[] = [];
  const state = { script: [] as Reply[], fallback: { status: 200 } as Reply };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const reply = state.script.shift() ?? state.fallback;
      const header = req.headers['x-vibecheck-signature'];
      received.push({
        at: Date.now(),
        path: req.url ?? '/',
        headers: req.headers,
        body,
        signatureValid: checkSignature(secret, Array.isArray(header) ? header[0] : header, body),
        status: reply.status,
      });
      const answer = () => {
        if (res.destroyed) return;
        res.writeHead(reply.status, { 'Content-Type': 'text/plain', ...reply.headers });
        res.end(reply.status < 300 ? 'ok' : `refused with ${reply.status}`);
      };
      if (reply.delayMs) setTimeout(answer, reply.delayMs).unref();
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    get script() {
      return state.script;
    },
    set script(value: Reply[]) {
      state.script = value;
    },
    get fallback() {
      return state.fallback;
    },
    set fallback(value: Reply) {
      state.fallback = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
