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
  return createApp(configForSimulator(base, sim), { ...deps, fetch: createFetch({ caPem: sim.caPem }) });
}
