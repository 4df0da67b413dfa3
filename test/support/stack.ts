/**
 * The whole stack on loopback for integration tests: the simulator (HTTPS, port 0), the server
 * (restify, port 0) on an in-memory PGlite store, wired exactly as `npm start` wires them.
 */
import { type Simulator, type SeedTenant, startSimulator } from '../../sim';
import { createAppOnSimulator } from '../../sim/wiring';
import { loadConfig } from '../../src/server/config';
import { createLogger } from '../../src/server/log';
import type { App } from '../../src/server/main';
import { openStore } from '../../src/server/store';

export interface Stack {
  sim: Simulator;
  app: App;
  url: string;
  token(upn: string): Promise<string>;
  /** Calls the API; `token` undefined sends no Authorization header. */
  call(
    method: string,
    path: string,
    options?: { token?: string | undefined; body?: unknown; rawBody?: string; headers?: Record<string, string> },
  ): Promise<{ status: number; headers: Headers; body: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any
  close(): Promise<void>;
}

export async function startStack(
  seeds: SeedTenant[],
  options: { databaseUrl?: string; webRoot?: string; /** The server's clock, epoch ms. */ now?: () => number } = {},
): Promise<Stack> {
  const sim = await startSimulator({ port: 0, seeds });
  const store = await openStore(options.databaseUrl ? { databaseUrl: options.databaseUrl } : { dataDir: 'memory://' });
  const app = await createAppOnSimulator(sim, loadConfig({ LOG_LEVEL: 'silent' }), {
    store,
    logger: createLogger('silent'),
    ...(options.webRoot ? { webRoot: options.webRoot } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  const url = await app.listen(0, '127.0.0.1');
  return {
    sim,
    app,
    url,
    token: (upn) => sim.mintUserToken(upn),
    async call(method, path, o = {}) {
      const headers: Record<string, string> = { ...(o.token ? { authorization: `Bearer ${o.token}` } : {}), ...o.headers };
      let body: string | undefined = o.rawBody;
      if (o.body !== undefined) {
        body = JSON.stringify(o.body);
        headers['content-type'] ??= 'application/json';
      } else if (body !== undefined) headers['content-type'] ??= 'application/json';
      const res = await fetch(`${url}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
      const text = await res.text();
      return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
    },
    async close() {
      await app.close();
      await sim.close();
    },
  };
}
