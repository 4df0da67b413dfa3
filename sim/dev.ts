/**
 * `npm start`: Convene on the embedded defaults. With no Microsoft credentials configured it
 * starts the local Microsoft 365 simulator (demo tenant, or CONVENE_SIM_SEED files) and the
 * server against it on PGlite, then prints the URLs and a ready-to-paste curl. With
 * AZURE_CLIENT_ID and a secret or certificate it runs the server against the Microsoft cloud.
 *
 * A dev tool: it lives in sim/ and may import the server; the server never imports sim/.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DateTime } from 'luxon';
import { isConveneError } from '../src/shared/errors';
import { loadConfig } from '../src/server/config';
import { main as serverMain } from '../src/server/main';
import { CONTOSO_TENANT_ID, loadSeedFiles, startSimulator } from './index';
import { createAppOnSimulator } from './wiring';

/** Where the launcher tells the CLI how to reach the simulator. */
export const DEV_STATE_FILE = 'dev.json';

async function run(): Promise<void> {
  const config = loadConfig(process.env);
  if (config.app) return serverMain();

  const seeds = config.simSeedFiles.length > 0 ? loadSeedFiles(config.simSeedFiles.map((f) => resolve(f))) : undefined;
  const sim = await startSimulator({ port: config.simPort, ...(seeds ? { seeds } : {}) });
  const app = await createAppOnSimulator(sim, config);
  const url = await app.listen(config.port, '127.0.0.1');

  mkdirSync(config.dataDir, { recursive: true });
  const caPath = join(config.dataDir, 'sim-ca.pem');
  writeFileSync(caPath, sim.caPem);
  writeFileSync(
    join(config.dataDir, DEV_STATE_FILE),
    JSON.stringify({ serverUrl: url, simUrl: sim.url, caPath: resolve(caPath) }, null, 2),
  );

  const tenant = sim.tenants[0];
  const people = sim.users.filter((u) => u.tenantId === tenant?.id && u.mailboxEnabled);
  // The demo tenant has a panel worth showing: three zones that overlap, and one mailbox the
  // tenant's access policy blocks (reported as blocked, never as free). Other seeds: the first users.
  const demo = tenant?.id === CONTOSO_TENANT_ID;
  const organizer = demo ? people.find((u) => u.upn.startsWith('bob@')) : people.find((u) => u.roles.length === 0);
  const panel = demo
    ? ['marcus', 'lukas', 'emma', 'hannah'].map((n) => `${n}@${tenant?.domain ?? ''}`)
    : people
        .filter((u) => u.upn !== organizer?.upn)
        .slice(0, 3)
        .map((u) => u.upn);
  const token = organizer ? await sim.mintUserToken(organizer.upn, { expiresInSeconds: 12 * 3600 }) : '';
  const monday = DateTime.utc().startOf('week').plus({ weeks: 1 });
  const body = JSON.stringify({
    panel,
    durationMinutes: 60,
    window: { start: monday.toISO({ suppressMilliseconds: true }), end: monday.plus({ days: 5 }).toISO({ suppressMilliseconds: true }) },
    maxSlots: 10,
    candidate: { timeZone: 'America/New_York' },
  });
  const out = [
    '',
    'Convene is running on the embedded defaults (PGlite + the local Microsoft 365 simulator).',
    `  Convene API:              ${url}   (OpenAPI: ${url}/api/openapi.json)`,
    `  Microsoft 365 simulator:  ${sim.url}   (tenant ${tenant?.displayName ?? ''} ${tenant?.domain ?? ''}; certificate: ${caPath})`,
    `  Outlook taskpane preview: ${url}/taskpane.html`,
    `  Admin page:               ${url}/admin`,
    `  Database:                 ${app.store.kind}${app.store.kind === 'pglite' ? ` in ${resolve(config.dataDir, 'pglite')}` : ''}`,
    '',
    `Find times for a panel, signed in as ${organizer?.upn ?? '?'} (token valid 12 h):`,
    '',
    `curl -s ${url}/api/availability -H 'content-type: application/json' -H 'authorization: Bearer ${token}' -d '${body}'`,
    '',
    `Or with the CLI (in another terminal):`,
    `  npx convene availability --as ${organizer?.upn ?? '<upn>'} --panel ${panel.join(',')} --duration 60 --max 10`,
    `  npx convene book --as ${organizer?.upn ?? '<upn>'} --candidate "Jane Doe <jane@candidates.example>" --panel ${panel.slice(0, 3).join(',')} --start <a slot's start> --duration 60`,
    'Stop with Ctrl+C.',
    '',
  ];
  process.stdout.write(out.join('\n'));

  const stop = () => {
    void app
      .close()
      .then(() => sim.close())
      .then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

run().catch((e: unknown) => {
  console.error(isConveneError(e) ? e.message : e);
  process.exit(1);
});
