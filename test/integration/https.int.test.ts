/**
 * HTTPS in development (issue 4 item 1): the whole server, wired as `npm start` wires it, with
 * CONVENE_TLS_CERT_PATH / CONVENE_TLS_KEY_PATH naming a self-signed certificate (as
 * office-addin-dev-certs' localhost.crt / localhost.key would), answers over https on 127.0.0.1
 * and not over plain HTTP; the taskpane and admin pages carry their Content-Security-Policy.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localhostCertificate } from '../../sim/certificate';
import { demoTenants, type Simulator, startSimulator } from '../../sim';
import { createAppOnSimulator } from '../../sim/wiring';
import { loadConfig } from '../../src/server/config';
import { createLogger } from '../../src/server/log';
import type { App } from '../../src/server/main';
import { main as cli } from '../../src/cli/convene';
import { createFetch } from '../../src/server/net';
import { openStore } from '../../src/server/store';

describe('HTTPS on the development listener', () => {
  let sim: Simulator;
  let app: App;
  let url = '';
  let certPem = '';
  let dir = '';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'convene-https-'));
    const pems = await localhostCertificate(30);
    certPem = pems.cert;
    writeFileSync(join(dir, 'localhost.crt'), pems.cert);
    writeFileSync(join(dir, 'localhost.key'), pems.private, { mode: 0o600 });
    const web = join(dir, 'web');
    mkdirSync(web);
    writeFileSync(join(web, 'taskpane.html'), '<!doctype html><title>taskpane</title>');
    writeFileSync(join(web, 'admin.html'), '<!doctype html><title>admin</title>');

    sim = await startSimulator({ port: 0, seeds: demoTenants(Date.now()) });
    const config = loadConfig({
      LOG_LEVEL: 'silent',
      CONVENE_TLS_CERT_PATH: join(dir, 'localhost.crt'),
      CONVENE_TLS_KEY_PATH: join(dir, 'localhost.key'),
    });
    app = await createAppOnSimulator(sim, config, {
      store: await openStore({ dataDir: 'memory://' }),
      logger: createLogger('silent'),
      webRoot: web,
    });
    url = await app.listen(0, '127.0.0.1');
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await sim?.close();
  });

  it('listens on https://127.0.0.1 and answers /healthz with the configured certificate', async () => {
    expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const res = await createFetch({ caPem: certPem })(`${url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('is not reachable over plain HTTP, and a client that does not trust the certificate is refused', async () => {
    await expect(fetch(`${url.replace('https:', 'http:')}/healthz`)).rejects.toThrow();
    await expect(createFetch({ caPem: sim.caPem })(`${url}/healthz`)).rejects.toThrow();
  });

  it('serves the taskpane with its Content-Security-Policy (Outlook may frame it, nobody else) and the admin page never framed', async () => {
    const fetchTls = createFetch({ caPem: certPem });
    const taskpane = await fetchTls(`${url}/taskpane.html`);
    expect(taskpane.status).toBe(200);
    const policy = taskpane.headers.get('content-security-policy') ?? '';
    expect(policy).toMatch(
      /frame-ancestors 'self' https:\/\/outlook\.office\.com https:\/\/outlook\.office365\.com https:\/\/outlook\.cloud\.microsoft(;|$)/,
    );
    // On the simulator office.js is Convene's own copy, and the dev sign-in posts to the simulator.
    expect(policy).toMatch(/script-src 'self';/);
    expect(policy).toContain(`connect-src 'self' ${sim.url}`);
    expect(taskpane.headers.get('x-frame-options')).toBeNull();

    const admin = await fetchTls(`${url}/admin`);
    expect(admin.status).toBe(200);
    expect(admin.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
    expect(admin.headers.get('content-security-policy')).toContain(`connect-src 'self' ${sim.url}`);
    expect(admin.headers.get('x-frame-options')).toBe('DENY');
  });

  it('the CLI follows `npm start` onto HTTPS: dev.json names the URL and the CA that issued the certificate', async () => {
    const data = join(dir, 'data');
    mkdirSync(data);
    writeFileSync(join(data, 'sim-ca.pem'), sim.caPem);
    const devJson = { serverUrl: url, simUrl: sim.url, caPath: join(data, 'sim-ca.pem') };
    const run = async (state: object) => {
      writeFileSync(join(data, 'dev.json'), JSON.stringify(state));
      let out = '';
      let err = '';
      const code = await cli(
        ['interviews', '--as', 'bob@contoso.example'],
        { CONVENE_DATA_DIR: data },
        { out: (t) => (out += t), err: (t) => (err += t) },
      );
      return { code, out, err };
    };
    // Without the CA the server's certificate is not trusted...
    const untrusted = await run(devJson);
    expect(untrusted.code).not.toBe(0);
    expect(untrusted.err).toContain(`Convene is not reachable at ${url}`);
    // ...with it, the call goes through over TLS.
    writeFileSync(join(dir, 'ca.crt'), certPem);
    const trusted = await run({ ...devJson, serverCaPath: join(dir, 'ca.crt') });
    expect(trusted.err).toBe('');
    expect(trusted.code).toBe(0);
    expect(trusted.out).toBe('No interviews.\n');
  });
});
