/**
 * The local Microsoft 365 simulator (dev/test tool): an Entra-like token service and the
 * Microsoft Graph subset Convene uses, over HTTPS on 127.0.0.1. Product code never imports it.
 * Seed format and control API: sim/README.md.
 *
 * @example
 * import { startSimulator } from '../sim';
 * const sim = await startSimulator({ port: 0 });
 * // login host and Graph host: sim.url; trust sim.caPem; client: sim.clientId / sim.clientSecret
 * await sim.close();
 */
export { startSimulator, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, type SimOptions, type Simulator, type SimDirectoryUser } from './server';
export { loadSeedFiles, parseSeeds, DEFAULT_ROLES, type SeedTenant, type SeedUser, type SeedEvent } from './seed';
export { demoTenant, demoTenants, fabrikamTenant, CONTOSO_TENANT_ID, FABRIKAM_TENANT_ID } from './demo-tenant';
export type { FaultControl, FaultRule, FaultRuleState } from './faults';
export type { UserTokenOverrides } from './token-service';
export { RAOP_MESSAGE } from './graph';
export { createSimClient, type SimClient, type SimClientResponse } from './client';
