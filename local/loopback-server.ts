import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LoopbackServer {
  readonly url: string;
  close(): Promise<void>;
}

export interface LoopbackRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

export interface LoopbackResponse {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

/**
 * An HTTP server on 127.0.0.1 (a random free port) for the local emulators. It never keeps
 * the process alive (unref) and closes itself after `maxLifetimeMs` whatever happens.
 */
export async function startLoopbackServer(
  handle: (request: LoopbackRequest) => LoopbackResponse | Promise<LoopbackResponse>,
  maxLifetimeMs = 20 * 60_000,
): Promise<LoopbackServer> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      Promise.resolve()
        .then(() =>
          handle({ method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') }),
        )
        .then(
          (response) => {
            // The answer's Date from the process's clock (the simulation's, while it runs): Node's own
            // Date header reads the real clock, and an SDK that sees the two minutes apart takes it for
            // clock skew and retries whatever error it got (a 403 as well).
            res.writeHead(response.status, { date: new Date().toUTCString(), ...response.headers });
            res.end(response.body ?? '');
          },
          (error: unknown) => {
            res.writeHead(500, { 'content-type': 'text/plain' });
            res.end(`emulator error: ${(error as Error).message}`);
          },
        );
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  const stopTimer = setTimeout(() => server.close(), maxLifetimeMs);
  stopTimer.unref();
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        clearTimeout(stopTimer);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
