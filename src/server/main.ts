/**
 * The composition root: builds Convene's server from configuration. The only module that wires
 * concrete implementations to ports. Run directly (`node dist/src/server/main.js`) it serves
 * against the Microsoft cloud configured by `AZURE_CLIENT_ID` and friends; `npm start` (sim/dev.ts)
 * calls {@link createApp} with the local simulator instead.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'restify';
import { ConveneError, isConveneError } from '../shared/errors';
import { createAppTokenSource, type AppTokenSource } from './auth/app-tokens';
import { createUserTokenVerifier, type UserTokenVerifier } from './auth/user-token';
import { createCalendarService, type CalendarService } from './calendar/calendar-service';
import { createGraphCalendarProvider } from './calendar';
import { type Config, loadConfig } from './config';
import { createTenantRegistry, type TenantRegistry } from './consent/tenant-registry';
import { openApiDocument } from './http/openapi';
import { apiRoutes } from './http/routes';
import { createHttpServer } from './http/server';
import { defaultWebRoot, mountWebPages } from './http/web-pages';
import { createLogger, type Logger } from './log';
import { createFetch, type FetchLike } from './net';
import { openStore } from './store';
import type { Store } from './store/types';

/** A built server and its services (the bot and tests use the services in-process). */
export interface App {
  readonly config: Config;
  readonly server: Server;
  readonly store: Store;
  readonly calendar: CalendarService;
  readonly verifier: UserTokenVerifier;
  readonly tenants: TenantRegistry;
  readonly tokens: AppTokenSource;
  readonly logger: Logger;
  /** Starts listening; resolves with the base URL (`http://127.0.0.1:3000`). Port 0 picks a free port. */
  listen(port?: number, host?: string): Promise<string>;
  /** Stops accepting requests, then closes the store. */
  close(): Promise<void>;
}

/** Replaceable parts, for the simulator launcher and tests. */
export interface AppDeps {
  /** Transport for Entra ID, JWKS and Graph (default: the platform fetch). */
  fetch?: FetchLike;
  logger?: Logger;
  /** Epoch ms. */
  now?: () => number;
  store?: Store;
  /** Directory of the built browser pages (default `dist/web` under the package root). */
  webRoot?: string;
}

/**
 * Builds the app from `config`.
 * @throws ConveneError `invalid_request` when no Microsoft app registration is configured.
 * @example const app = await createApp(loadConfig(process.env)); await app.listen();
 */
export async function createApp(config: Config, deps: AppDeps = {}): Promise<App> {
  if (!config.app)
    throw new ConveneError(
      'invalid_request',
      'No Microsoft credentials configured: set AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (or AZURE_CLIENT_CERTIFICATE_PATH), or run `npm start` to use the local simulator.',
    );
  const logger = deps.logger ?? createLogger(config.logLevel);
  const fetchImpl = deps.fetch ?? createFetch();
  const now = deps.now ?? Date.now;
  const store =
    deps.store ?? (await openStore({ ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}), dataDir: config.dataDir }));

  const tokens = createAppTokenSource({
    clientId: config.app.clientId,
    credential: config.app.credential,
    loginEndpoint: config.cloud.loginEndpoint,
    graphEndpoint: config.cloud.graphEndpoint,
    fetch: fetchImpl,
  });
  const verifier = createUserTokenVerifier({
    loginEndpoint: config.cloud.loginEndpoint,
    clientId: config.app.clientId,
    fetch: fetchImpl,
    now,
  });
  const tenants = createTenantRegistry({ tenants: store.tenants, tokens, cloud: config.cloud.name, now });
  const provider = createGraphCalendarProvider({
    graphEndpoint: config.cloud.graphEndpoint,
    fetch: fetchImpl,
    tokens,
    audit: store.audit,
    logger: logger.child({ module: 'graph' }),
  });
  const calendar = createCalendarService({ provider, tenants, interviews: store.interviews, now });
  const server = createHttpServer({
    routes: apiRoutes({ calendar, ping: () => store.ping(), openApi: openApiDocument }),
    verifier,
    logger,
  });
  mountWebPages(server, {
    root: deps.webRoot ?? defaultWebRoot(),
    pages: [
      // The taskpane is framed by Outlook (web, desktop, Mac): no frame-ancestors restriction here.
      { path: '/taskpane.html', file: 'taskpane.html' },
      // The admin page is never framed (clickjacking on consent and disconnect).
      {
        path: '/admin',
        file: 'admin.html',
        headers: { 'X-Frame-Options': 'DENY', 'Content-Security-Policy': "frame-ancestors 'none'; base-uri 'none'; object-src 'none'" },
      },
    ],
  });

  return {
    config,
    server,
    store,
    calendar,
    verifier,
    tenants,
    tokens,
    logger,
    listen(port = config.port, host = '127.0.0.1') {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          const address = server.address() as AddressInfo;
          resolve(`http://${address.address}:${address.port}`);
        });
      });
    },
    async close() {
      await new Promise<void>((resolve) => {
        if (!server.server.listening) return resolve();
        server.close(() => resolve());
        server.server.closeAllConnections?.();
      });
      await store.close();
    },
  };
}

/** Runs the server against the Microsoft cloud from `process.env`. */
export async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const app = await createApp(config);
  const url = await app.listen(config.port, '0.0.0.0');
  app.logger.info({ url, cloud: config.cloud.name, store: app.store.kind }, 'Convene is listening');
  const stop = () => void app.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (require.main === module) {
  main().catch((e: unknown) => {
    console.error(isConveneError(e) ? e.message : e);
    process.exit(1);
  });
}
