/**
 * The backend pieces the Outlook taskpane needs: `GET /api/me` (the caller's mailbox zone from
 * mailboxSettings, Windows names mapped to IANA, behind the dual lock) and the taskpane page with
 * office.js from Microsoft's CDN (production default) or the packaged copy (on the simulator).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type SeedTenant, startSimulator } from '../../sim';
import { createAppOnSimulator } from '../../sim/wiring';
import { loadConfig } from '../../src/server/config';
import { OFFICE_JS_CDN } from '../../src/server/http/taskpane-page';
import { createLogger } from '../../src/server/log';
import { openStore } from '../../src/server/store';
import { startStack, type Stack } from '../support/stack';

const SEED: SeedTenant = {
  tenant: { id: '5c4b3a29-1807-4f6e-9d5c-4b3a29180716', domain: 'wingtip.example', displayName: 'Wingtip' },
  consent: { granted: true, roles: ['Calendars.ReadWrite', 'MailboxSettings.Read', 'User.ReadBasic.All'] },
  users: [
    {
      id: '00000000-0000-4000-8000-0000000000a1',
      userPrincipalName: 'wes@wingtip.example',
      mail: 'wes@wingtip.example',
      displayName: 'Wes Example',
      mailboxSettings: {
        timeZone: 'Pacific Standard Time',
        workingHours: {
          daysOfWeek: ['monday', 'tuesday'],
          startTime: '09:30:00.0000000',
          endTime: '16:00:00.0000000',
          timeZone: { name: 'Pacific Standard Time' },
        },
      },
    },
  ],
};

function webRoot(): string {
  const dir = mkdtempSync(join(tmpdir(), 'convene-taskpane-'));
  writeFileSync(join(dir, 'taskpane.html'), `<!doctype html><script src="${OFFICE_JS_CDN}"></script><div id="root"></div>`);
  return dir;
}

describe('taskpane backend', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack([SEED], { webRoot: webRoot() });
  }, 60_000);
  afterAll(() => stack?.close());

  it('GET /api/me answers the mailbox zone as IANA and the working hours; no token, no Graph', async () => {
    stack.sim.resetRequestCount();
    const anonymous = await stack.call('GET', '/api/me');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error.code).toBe('unauthenticated');
    expect(stack.sim.requestCount()).toBe(0);

    const me = await stack.call('GET', '/api/me', { token: await stack.token('wes@wingtip.example') });
    expect(me.status).toBe(200);
    expect(me.body).toEqual({
      email: 'wes@wingtip.example',
      displayName: 'Wes Example',
      timeZone: 'America/Los_Angeles',
      workingHours: { daysOfWeek: ['monday', 'tuesday'], startTime: '09:30', endTime: '16:00', timeZone: 'America/Los_Angeles' },
    });
  });

  it('refuses a token for another API before any Graph call', async () => {
    stack.sim.resetRequestCount();
    const token = await stack.sim.mintUserToken('wes@wingtip.example', { audience: 'api://someone-else' });
    const res = await stack.call('GET', '/api/me', { token });
    expect(res.status).toBe(401);
    expect(stack.sim.requestCount()).toBe(0);
  });

  it('serves the taskpane with the packaged office.js on the simulator, inside its package only', async () => {
    const page = await fetch(`${stack.url}/taskpane.html`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('src="/office-js/office.js"');
    expect(html).not.toContain(OFFICE_JS_CDN);
    const officeJs = await fetch(`${stack.url}/office-js/office.js`);
    expect(officeJs.status).toBe(200);
    expect(officeJs.headers.get('content-type')).toMatch(/javascript/);
    expect((await officeJs.text()).length).toBeGreaterThan(10_000);
    for (const bad of ['/office-js/../package.json', '/office-js/%2e%2e/package.json', '/office-js/office.exe'])
      expect((await fetch(`${stack.url}${bad}`)).status).toBe(404);
  });

  it('references office.js on Microsoft CDN by default and does not serve the local copy', async () => {
    const sim = await startSimulator({ port: 0, seeds: [SEED] });
    const store = await openStore({ dataDir: 'memory://' });
    const app = await createAppOnSimulator(sim, loadConfig({ LOG_LEVEL: 'silent' }), {
      store,
      logger: createLogger('silent'),
      webRoot: webRoot(),
      officeJs: 'cdn',
    });
    try {
      const url = await app.listen(0, '127.0.0.1');
      expect(await (await fetch(`${url}/taskpane.html`)).text()).toContain(`src="${OFFICE_JS_CDN}"`);
      expect((await fetch(`${url}/office-js/office.js`)).status).toBe(404);
    } finally {
      await app.close();
      await sim.close();
    }
  }, 60_000);
});
