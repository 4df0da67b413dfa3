/**
 * Convene's server wired to the simulator instead of the Microsoft cloud: the simulator plays
 * both the login host and the Graph host, its app registration is Convene's, and the transport
 * trusts its self-signed certificate. Used by `npm start`, the integration tests and the bench,
 * so the three cannot drift apart. (Product code never imports sim/; this is the other direction.)
 */
import type { Config } from '../src/server/config';
import { type App, type AppDeps, createApp } from '../src/server/main';
import { createFetch } from '../src/server/net';
import type { Simulator } from './server';

/** `base` with the simulator as cloud and app registration. */
export function configForSimulator(base: Config, sim: Pick<Simulator, 'url' | 'clientId' | 'clientSecret'>): Config {
  return Object.freeze({
    ...base,
    app: Object.freeze({ clientId: sim.clientId, credential: Object.freeze({ kind: 'secret' as const, secret: sim.clientSecret }) }),
    cloud: Object.freeze({ name: 'global' as const, loginEndpoint: sim.url, graphEndpoint: sim.url }),
  });
}

/** Builds the app against `sim` (see {@link configForSimulator}); `deps` as for createApp, minus the transport. */
export function createAppOnSimulator(sim: Simulator, base: Config, deps: Omit<AppDeps, 'fetch'> = {}): Promise<App> {
  // On the simulator everything stays on loopback: the taskpane loads the packaged office.js, not the CDN.
  // The pages' dev sign-in: the simulator has no interactive Entra sign-in, so they mint a token there.
  return createApp(configForSimulator(base, sim), {
    officeJs: 'local',
    devSignInUrl: `${sim.url}/_sim/token`,
    // The bot without MicrosoftAppId (no Teams SSO): the Teams user maps to a simulator token for that user.
    ...(base.bot.appId ? {} : { botUserTokenSource: simulatorBotTokenSource(sim) }),
    ...deps,
    fetch: createFetch({ caPem: sim.caPem }),
  });
}

/**
 * The bot's local identity (no `MicrosoftAppId`): the Teams user (`from.aadObjectId` in tenant
 * `channelData.tenant.id`) mapped to a user token the simulator mints for that user, as Teams SSO
 * would yield in a real tenant. The token still goes through the server's verifier. Tokens are
 * reused until 5 minutes before expiry.
 */
export function simulatorBotTokenSource(
  sim: Pick<Simulator, 'users' | 'mintUserToken'>,
): (tid: string, oid: string) => Promise<string | null> {
  const cache = new Map<string, { token: string; expMs: number }>();
  return async (tid, oid) => {
    const user = sim.users.find((u) => u.tenantId === tid && u.id.toLowerCase() === oid.toLowerCase());
    if (!user) return null;
    const key = `${tid}:${user.id}`;
    const hit = cache.get(key);
    if (hit && hit.expMs - Date.now() > 300_000) return hit.token;
    const token = await sim.mintUserToken(user.upn, { expiresInSeconds: 3600 });
    cache.set(key, { token, expMs: Date.now() + 3600_000 });
    return token;
  };
}
