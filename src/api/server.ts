import { serve, type ServerType } from '@hono/node-server';
import type { App } from './app.ts';

export interface RunningServer {
  url: string;
  /**
   * Stops accepting connections and resolves once in-flight requests have finished, or once
   * SHUTDOWN_GRACE_MS have passed: then the connections still open are cut, so a client that never
   * finishes its request cannot keep the process from stopping.
   */
  close(): Promise<void>;
}

export const SHUTDOWN_GRACE_MS = 5_000;

export function startHttpServer(app: App, host: string, port: number): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    const server: ServerType = serve({ fetch: app.fetch, hostname: host, port }, (info) => {
      server.off('error', onError);
      const shownHost = info.family === 'IPv6' ? `[${info.address}]` : info.address;
      resolve({
        url: `http://${shownHost}:${info.port}`,
        close: () =>
          new Promise<void>((done) => {
            const cut = setTimeout(() => {
              if ('closeAllConnections' in server) server.closeAllConnections();
            }, SHUTDOWN_GRACE_MS);
            server.close(() => {
              clearTimeout(cut);
              done();
            });
            if ('closeIdleConnections' in server) server.closeIdleConnections();
          }),
      });
    });
    server.once('error', onError);
  });
}
