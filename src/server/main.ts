/**
 * The composition root: builds Convene's server from configuration. The only module that wires
 * concrete implementations to ports. Run directly (`node dist/src/server/main.js`) it serves
 * against the Microsoft cloud configured by `AZURE_CLIENT_ID` and friends; `npm start` (sim/dev.ts)
 * calls {@link createApp} with the local simulator instead.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'restify';
import { ConveneError, isConveneError } from '../shared/errors';
import { createAppTokenSource, probeAppRegistration, type AppTokenSource } from './auth/app-tokens';
import { createUserTokenVerifier, type UserTokenVerifier } from './auth/user-token';
import { createCalendarService, type CalendarService } from './calendar/calendar-service';
import { type BookingLock, createInProcessBookingLock } from './calendar/booking-lock';
import { createPostgresBookingLock } from './calendar/booking-lock-postgres';
import { createGraphCalendarProvider } from './calendar';
import { createProfileReader } from './calendar/profile';
import { type Config, loadConfig } from './config';
import { createTenantRegistry, type TenantRegistry } from './consent/tenant-registry';
import { createTenantCredentials } from './consent/credentials';
import { sealerFromConfig } from './crypto/keys';
import { appRegistrationRoutes } from './http/app-registration-routes';
import { createConsentFlow } from './consent/consent-flow';
import { createOrganizationNameReader } from './consent/organization';
import { createRevocationRecorder, withGraphRevocation, withTokenRevocation } from './consent/revocation';
import { createTenantAdmin } from './consent/tenant-admin';
import { adminRoutes } from './http/admin-routes';
import { clientConfigRoute } from './http/client-config';
import { openApiDocument } from './http/openapi';
import { meRoutes } from './http/me-routes';
import { apiRoutes } from './http/routes';
import { mountTaskpane } from './http/taskpane-page';
import { adminContentSecurityPolicy, taskpaneContentSecurityPolicy } from './http/page-security';
import { readTlsCredentials } from './http/tls';
import { createHttpServer, mountRawJsonRoute } from './http/server';
import { type ConveneBot, createLazyBot, type UserTokenSource } from '../bot';
import { defaultWebRoot, mountWebPages } from './http/web-pages';
import { createLogger, type Logger } from './log';
import { createFetch, type FetchLike } from './net';
import { closeHttpGracefully } from './graceful-close';
import { createScheduledJobs, type JobRunner, type ScheduledJobsOptions } from './jobs';
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
  /** Scheduled jobs (audit purge, user archive): started by `listen`, stopped by `close`. */
  readonly jobs: JobRunner;
  /** The Teams bot, served at `POST /api/messages`. */
  readonly bot: ConveneBot;
  /** Starts listening; resolves with the base URL (`http://127.0.0.1:3000`). Port 0 picks a free port. */
  listen(port?: number, host?: string): Promise<string>;
  /**
   * Graceful stop: stops accepting connections, lets in-flight requests finish (at most
   * `graceMs`, default 10 s, then cuts the rest), stops the jobs, then closes the booking lock
   * and the store. Idempotent.
   */
  close(options?: { graceMs?: number }): Promise<void>;
}

/** Replaceable parts, for the simulator launcher and tests. */
export interface AppDeps {
  /** Transport for Entra ID, JWKS and Graph (default: the platform fetch). */
  fetch?: FetchLike;
  logger?: Logger;
  /** Epoch ms. */
  now?: () => number;
  store?: Store;
  /** Default: PostgreSQL advisory locks when `config.databaseUrl` is set, else in-process. */
  bookingLock?: BookingLock;
  /** Timer settings and instance id of the scheduled jobs (tests). */
  jobs?: Pick<ScheduledJobsOptions, 'instanceId' | 'intervalMs' | 'firstTickMs'>;
  /** Directory of the built browser pages (default `dist/web` under the package root). */
  webRoot?: string;
  /** Convene's public base URL for the admin consent redirect URI (default: config `CONVENE_PUBLIC_URL`, else the listen URL). */
  publicUrl?: string;
  /** Local simulator only (sim/wiring.ts): its token URL, offered to the pages as a dev sign-in. */
  devSignInUrl?: string;
  /** Where the taskpane loads office.js: Microsoft's CDN (default) or the packaged copy at `/office-js/` (offline, local preview). */
  officeJs?: 'cdn' | 'local';
  /** Local simulator only (sim/wiring.ts): the bot's Teams user -> user token mapping when no `MicrosoftAppId` is set. */
  botUserTokenSource?: UserTokenSource;
  /** After how long a slow Graph call earns the bot's "still working" note, ms (tests). */
  botStillWorkingAfterMs?: number;
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
  // The simulator's bot identity trusts the activity's user ids (Bot Framework auth is off): never
  // in production, never beside Teams SSO (MicrosoftAppId).
  if (deps.botUserTokenSource && (config.production || config.bot.appId))
    throw new ConveneError('internal', 'The simulator bot identity cannot run in production or with MicrosoftAppId set.');
  const logger = deps.logger ?? createLogger(config.logLevel);
  const fetchImpl = deps.fetch ?? createFetch();
  const now = deps.now ?? Date.now;
  // HTTPS on the listener itself only in development (office-addin-dev-certs); checked before the store opens.
  const tls = config.tls ? readTlsCredentials(config.tls, now()) : undefined;
  const scheme = tls ? 'https' : 'http';
  const store =
    deps.store ?? (await openStore({ ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}), dataDir: config.dataDir }));

  // Revocation (issue 3): Entra refusing the tenant's token, or Graph refusing every mailbox, flips it to `revoked`.
  const onRevoked = createRevocationRecorder({ tenants: store.tenants, registry: () => tenants, logger, now });
  // Tenant-provided app registrations (issue 3): sealed credentials, opened per tenant by app-tokens.
  const sealer = sealerFromConfig(config);
  const tokens = withTokenRevocation(
    createAppTokenSource({
      // Called only after `credentials` below exists (on the first token request).
      tenantRegistration: (tid) => credentials.registrationFor(tid),
      clientId: config.app.clientId,
      credential: config.app.credential,
      loginEndpoint: config.cloud.loginEndpoint,
      graphEndpoint: config.cloud.graphEndpoint,
      fetch: fetchImpl,
    }),
    onRevoked,
  );
  const verifier = createUserTokenVerifier({
    loginEndpoint: config.cloud.loginEndpoint,
    clientId: config.app.clientId,
    fetch: fetchImpl,
    now,
  });
  // N instances on PostgreSQL: no per-process consent verdict, so a disconnect or revocation
  // recorded by another instance is refused here at once (one primary-key read per request).
  const tenants = createTenantRegistry({
    tenants: store.tenants,
    tokens,
    cloud: config.cloud.name,
    now,
    ...(config.databaseUrl ? { cacheTtlMs: 0 } : {}),
  });
  const credentials = createTenantCredentials({
    store,
    sealer,
    tokens,
    forgetTenant: (tid) => tenants.forget(tid),
    loginEndpoint: config.cloud.loginEndpoint,
    graphEndpoint: config.cloud.graphEndpoint,
    fetch: fetchImpl,
    cloud: config.cloud.name,
    now,
  });
  const provider = withGraphRevocation(
    createGraphCalendarProvider({
      graphEndpoint: config.cloud.graphEndpoint,
      fetch: fetchImpl,
      tokens,
      audit: store.audit,
      logger: logger.child({ module: 'graph' }),
    }),
    onRevoked,
  );
  // N instances on one PostgreSQL serialize bookings through the database, not process memory.
  const bookingLock =
    deps.bookingLock ??
    (config.databaseUrl
      ? await createPostgresBookingLock({
          databaseUrl: config.databaseUrl,
          onIdleError: (err) => logger.warn({ err: err.message }, 'booking lock connection failed'),
        })
      : createInProcessBookingLock());
  const calendar = createCalendarService({ provider, tenants, interviews: store.interviews, now, bookingLock });
  const jobs = createScheduledJobs({
    store: store.jobs,
    conversations: store.conversations,
    provider,
    logger,
    now,
    enabled: config.jobs,
    auditRetentionDays: config.auditRetentionDays,
    ...deps.jobs,
  });
  let closing: Promise<void> | undefined;
  let listenUrl = `${scheme}://127.0.0.1:${config.port}`;
  const conveneApp = config.app;
  const consent = createConsentFlow({
    clientId: config.app.clientId,
    loginEndpoint: config.cloud.loginEndpoint,
    graphEndpoint: config.cloud.graphEndpoint,
    cloud: config.cloud.name,
    publicUrl: () => deps.publicUrl ?? config.publicUrl ?? listenUrl,
    states: store.consentStates,
    tenants: store.tenants,
    tokens,
    registry: tenants,
    // A tenant on its own app registration: its admin consent to Convene's app is proven with Convene's app.
    proveConveneApp: (tid) =>
      probeAppRegistration({ clientId: conveneApp.clientId, credential: conveneApp.credential }, tid, {
        loginEndpoint: config.cloud.loginEndpoint,
        graphEndpoint: config.cloud.graphEndpoint,
        fetch: fetchImpl,
        now,
      }),
    organizationName: createOrganizationNameReader({
      graphEndpoint: config.cloud.graphEndpoint,
      fetch: fetchImpl,
      audit: store.audit,
      now,
    }),
    fetch: fetchImpl,
    now,
    logger,
  });
  const admin = createTenantAdmin({
    clientId: config.app.clientId,
    cloud: config.cloud.name,
    tenants: store.tenants,
    registry: tenants,
    tokens,
    provider,
    appRegistration: (auth, tid) => credentials.status(auth, tid),
    auditRetentionDays: config.auditRetentionDays,
  });
  const server = createHttpServer({
    tls,
    routes: [
      ...apiRoutes({ calendar, ping: () => store.ping(), openApi: openApiDocument }),
      ...meRoutes({ profile: createProfileReader({ provider, tenants }) }),
      ...adminRoutes({ consent, admin }),
      ...appRegistrationRoutes({ credentials }),
      clientConfigRoute({ clientId: config.app.clientId, loginEndpoint: config.cloud.loginEndpoint, devSignInUrl: deps.devSignInUrl }),
    ],
    verifier,
    logger,
  });
  // botbuilder is loaded on the first bot message (at once when MicrosoftAppId is set): see src/bot/index.ts.
  const bot = createLazyBot({
    calendar,
    verifier,
    conversations: store.conversations,
    logger,
    appId: config.bot.appId,
    appPassword: config.bot.appPassword,
    appTenantId: config.bot.tenantId,
    oauthConnectionName: config.bot.oauthConnectionName,
    now,
    ...(deps.botUserTokenSource ? { userTokenSource: deps.botUserTokenSource } : {}),
    ...(deps.botStillWorkingAfterMs !== undefined ? { stillWorkingAfterMs: deps.botStillWorkingAfterMs } : {}),
  });
  mountRawJsonRoute(server, { path: '/api/messages', maxBodyBytes: 256 * 1024, handle: (req, res) => bot.process(req, res) }, logger);
  // The taskpane is framed by Outlook on the web: its policy names Outlook's origins (page-security.ts).
  const pagePolicy = { loginEndpoint: config.cloud.loginEndpoint, devSignInUrl: deps.devSignInUrl };
  const officeJs = deps.officeJs ?? 'cdn';
  const webRoot = deps.webRoot ?? defaultWebRoot();
  mountTaskpane(server, {
    webRoot,
    officeJs,
    contentSecurityPolicy: taskpaneContentSecurityPolicy({ ...pagePolicy, officeJs, cloud: config.cloud.name }),
  });
  mountWebPages(server, {
    root: webRoot,
    pages: [
      // The admin page is never framed (clickjacking on consent and disconnect).
      {
        path: '/admin',
        file: 'admin.html',
        headers: { 'X-Frame-Options': 'DENY', 'Content-Security-Policy': adminContentSecurityPolicy(pagePolicy) },
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
    jobs,
    bot,
    listen(port = config.port, host = '127.0.0.1') {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          const address = server.address() as AddressInfo;
          jobs.start();
          listenUrl = `${scheme}://${address.address}:${address.port}`;
          resolve(listenUrl);
        });
      });
    },
    close(options = {}) {
      closing ??= (async () => {
        await Promise.all([closeHttpGracefully(server.server, options.graceMs ?? 10_000), jobs.stop()]);
        await bookingLock.close();
        await store.close();
      })();
      return closing;
    },
  };
}

/** Runs the server against the Microsoft cloud from `process.env`. */
export async function main(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const config = loadConfig(env);
  const app = await createApp(config);
  const url = await app.listen(config.port, '0.0.0.0');
  app.logger.info({ url, cloud: config.cloud.name, store: app.store.kind }, 'Convene is listening');
  const stop = (signal: NodeJS.Signals) => {
    app.logger.info({ signal }, 'Convene is shutting down: finishing in-flight requests');
    // Whatever hangs, the process ends: the orchestrator's own kill comes later (30 s by default).
    setTimeout(() => process.exit(1), 20_000).unref();
    void app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        app.logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (require.main === module) {
  main().catch((e: unknown) => {
    console.error(isConveneError(e) ? e.message : e);
    process.exit(1);
  });
}
