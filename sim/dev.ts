/**
 * `npm start`: Convene on the embedded defaults. With no Microsoft credentials configured it
 * starts the local Microsoft 365 simulator (demo tenant, or CONVENE_SIM_SEED files) and the
 * server against it on PGlite, then prints the URLs and a ready-to-paste curl. With
 * AZURE_CLIENT_ID and a secret or certificate it runs the server against the Microsoft cloud.
 *
 * A dev tool: it lives in sim/ and may import the server; the server never imports sim/.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { DateTime } from 'luxon';
import { isConveneError } from '../src/shared/errors';
import { loadConfig } from '../src/server/config';
import { main as serverMain } from '../src/server/main';
import { officeAddinDevCertificates } from '../src/server/http/tls';
import { createFetch } from '../src/server/net';
import { startDevChat } from './chat';
import { CONTOSO_TENANT_ID, loadSeedFiles, startSimulator } from './index';
import { createAppOnSimulator } from './wiring';

/** Where the launcher tells the CLI how to reach the simulator. */
export const DEV_STATE_FILE = 'dev.json';

async function run(): Promise<void> {
  // Outlook loads add-ins only over HTTPS: with office-addin-dev-certs' files present
  // (`npx office-addin-dev-certs install`) serve https://localhost:<PORT> with them, unless
  // CONVENE_TLS_CERT_PATH / CONVENE_TLS_KEY_PATH say otherwise (set empty: plain HTTP).
  const chosen = 'CONVENE_TLS_CERT_PATH' in process.env || 'CONVENE_TLS_KEY_PATH' in process.env;
  const devCerts = chosen ? undefined : officeAddinDevCertificates(homedir());
  const env = devCerts ? { ...process.env, CONVENE_TLS_CERT_PATH: devCerts.certPath, CONVENE_TLS_KEY_PATH: devCerts.keyPath } : process.env;
  const config = loadConfig(env);
  process.stdout.write(
    config.tls
      ? `HTTPS with ${config.tls.certPath} and ${config.tls.keyPath}${devCerts ? ' (office-addin-dev-certs)' : ''}.\n`
      : `Plain HTTP${chosen ? '' : ' (no ~/.office-addin-dev-certs/localhost.crt: for Outlook, run `npx office-addin-dev-certs install` and start again)'}.\n`,
  );
  if (config.app) return serverMain(env);

  const seeds = config.simSeedFiles.length > 0 ? loadSeedFiles(config.simSeedFiles.map((f) => resolve(f))) : undefined;
  const sim = await startSimulator({ port: config.simPort, ...(seeds ? { seeds } : {}) });
  const app = await createAppOnSimulator(sim, config);
  // The dev certificate names localhost (and 127.0.0.1); the add-in manifest of `npm run package` points at https://localhost:<PORT>.
  const listenUrl = await app.listen(config.port, '127.0.0.1');
  const url = listenUrl.replace(/^https:\/\/127\.0\.0\.1:/, 'https://localhost:');
  const serverCaPath = devCerts && existsSync(devCerts.caPath) ? devCerts.caPath : undefined;

  mkdirSync(config.dataDir, { recursive: true });
  const caPath = join(config.dataDir, 'sim-ca.pem');
  writeFileSync(caPath, sim.caPem);
  writeFileSync(
    join(config.dataDir, DEV_STATE_FILE),
    // The simulator's own (fake) app registration, for `npx convene doctor` against it; owner-only file.
    JSON.stringify(
      {
        serverUrl: listenUrl,
        // The CA that issued the server's certificate (office-addin-dev-certs), for the CLI over HTTPS.
        ...(serverCaPath ? { serverCaPath } : {}),
        simUrl: sim.url,
        caPath: resolve(caPath),
        simClientId: sim.clientId,
        simClientSecret: sim.clientSecret,
      },
      null,
      2,
    ),
    { mode: 0o600 },
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
  // Without MicrosoftAppId the bot takes activities without Bot Framework auth: an offline chat
  // client for it (Web Chat over a loopback Direct Line, sim/chat.ts) on plain HTTP, SIM_PORT + 1.
  const chat = config.bot.appId
    ? undefined
    : await startDevChat(sim, listenUrl, {
        port: config.simPort === 0 ? 0 : config.simPort + 1,
        ...(organizer ? { defaultUpn: organizer.upn } : {}),
        ...(serverCaPath ? { fetch: createFetch({ caPem: readFileSync(serverCaPath, 'utf8') }) } : {}),
      });
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
    '',
    ...(chat
      ? [
          `Chat with the Teams bot: ${chat.url}/   (Bot Framework Web Chat, offline; signed in as ${organizer?.upn ?? '?'}, another user: ${chat.url}/?upn=<upn>)`,
          '',
        ]
      : []),
    `Teams bot: ${url}/api/messages (Bot Framework auth off locally; the Teams user maps to a simulator user). ${chat ? 'Or chat' : 'Chat'} by hand with`,
    `  ${serverCaPath ? `NODE_EXTRA_CA_CERTS=${serverCaPath} ` : ''}npx @microsoft/m365agentsplayground -e ${url}/api/messages -c msteams`,
    `  as user ${organizer?.id ?? '<object id>'} in tenant ${tenant?.id ?? '<tenant id>'}${chat ? ' (needs the internet). In either chat,' : ', and'} type e.g.`,
    `  schedule a 1 hour interview for Jane Doe jane@candidates.example with ${panel
      .slice(0, 3)
      .map((p) => p.split('@')[0])
      .join(', ')} next week`,
    'Stop with Ctrl+C.',
    '',
  ];
  process.stdout.write(out.join('\n'));

  const stop = () => {
    void (chat ? chat.close() : Promise.resolve())
      .then(() => app.close())
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
