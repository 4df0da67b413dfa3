/**
 * Issue 3 item 3 in a real headless Chromium (playwright-core, loopback only): an organization
 * that never consented to Convene's multitenant app gives Convene its own app registration on the
 * admin page. A wrong secret is refused with Entra ID's AADSTS code shown inline (nothing stored,
 * the client id kept, the secret field emptied); the right one is proved and stored sealed, the
 * status page then names the tenant's app; "Go back to Convene's app" asks first and deletes the
 * credential (checked in the store). The secret never appears in the page.
 */
import type { Browser } from 'playwright-core';
import { type SeedTenant, type Simulator, startSimulator } from '../../sim';
import { createAppOnSimulator } from '../../sim/wiring';
import { loadConfig } from '../../src/server/config';
import { createLogger } from '../../src/server/log';
import type { App } from '../../src/server/main';
import { openStore } from '../../src/server/store';
import { describeWithBrowser, launchBrowser } from '../support/browser';
import { builtWebRoot } from '../support/web';

const TID = 'f0000000-0000-4000-8000-0000000000e2';
const DOMAIN = 'fabrikam.example';
const OWN_APP = 'fab00000-0000-4000-8000-0000000000e2';
const SECRET = 'Fab~E2e.S3cret_value_0123456789';
const WRONG_SECRET = 'Fab~not-the-secret_9876543210';
const ADMIN = `it@${DOMAIN}`;

const seeds: SeedTenant[] = [
  {
    tenant: { id: TID, domain: DOMAIN, displayName: 'Fabrikam' },
    consent: { granted: false, roles: ['Calendars.ReadWrite', 'MailboxSettings.Read', 'User.ReadBasic.All'] },
    appRegistrations: [{ clientId: OWN_APP, clientSecret: SECRET }],
    users: [
      {
        id: 'f1000000-0000-4000-8000-0000000000e2',
        userPrincipalName: ADMIN,
        mail: ADMIN,
        displayName: 'Fabrikam IT',
        appRoles: ['Convene.Admin'],
        mailboxSettings: { timeZone: 'UTC' },
        events: [],
      },
    ],
  },
];

describeWithBrowser('own app registration on the admin page in Chromium (issue 3 item 3)', () => {
  let sim: Simulator;
  let app: App;
  let url: string;
  let browser: Browser;
  beforeAll(async () => {
    const webRoot = await builtWebRoot();
    sim = await startSimulator({ port: 0, seeds });
    const store = await openStore({ dataDir: 'memory://' });
    // memory:// data dir: a throwaway development master key seals the credential.
    app = await createAppOnSimulator(sim, loadConfig({ LOG_LEVEL: 'silent', CONVENE_DATA_DIR: 'memory://' }), {
      store,
      logger: createLogger('silent'),
      webRoot,
    });
    url = await app.listen(0, '127.0.0.1');
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await sim?.close();
  });

  test('refused secret shown inline, right one stored and shown without the secret, then back to Convene’s app', async () => {
    const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    try {
      await page.goto(`${url}/admin`);
      await page.getByLabel('User principal name').fill(ADMIN);
      await page.getByRole('button', { name: 'Sign in (simulator)' }).click();
      await page.getByText(`Signed in as ${ADMIN}`).waitFor();
      await page.getByRole('heading', { name: 'Your own app registration (optional)' }).waitFor();
      expect(await page.getByTestId('app-registration-status').getAttribute('data-mode')).toBe('multitenant');

      // A wrong secret: Entra ID (the simulator) refuses it; the page says so and keeps the client id.
      await page.getByRole('button', { name: 'Use your own app registration…' }).click();
      await page.getByLabel(/Application \(client\) id/).fill(OWN_APP);
      await page.getByLabel(/Client secret \(value\)/).fill(WRONG_SECRET);
      await page.getByRole('button', { name: 'Check and save' }).click();
      const error = page.getByTestId('app-registration-error');
      await error.waitFor();
      await expect(error.textContent()).resolves.toContain('AADSTS7000215');
      expect(await error.getAttribute('role')).toBe('alert');
      expect(await page.getByLabel(/Application \(client\) id/).inputValue()).toBe(OWN_APP);
      expect(await page.getByLabel(/Client secret \(value\)/).inputValue()).toBe('');
      expect((await app.store.tenants.get(TID))?.encryptedCredential ?? null).toBeNull();

      // The right secret: proved, stored, and the status page names the tenant's own app.
      await page.getByLabel(/Client secret \(value\)/).fill(SECRET);
      await page.getByRole('button', { name: 'Check and save' }).click();
      await page.getByTestId('app-registration-status').and(page.locator('[data-mode="tenant"]')).waitFor();
      await expect(page.getByTestId('app-registration-announcement').textContent()).resolves.toContain(OWN_APP);
      await page.getByText(`${OWN_APP} (your own app registration)`).waitFor();
      expect(await page.getByTestId('consent-status').first().getAttribute('data-status')).toBe('granted');
      const html = await page.content();
      expect(html).not.toContain(SECRET);
      expect(html).not.toContain(WRONG_SECRET);
      const stored = await app.store.tenants.get(TID);
      expect(stored).toMatchObject({ credentialMode: 'tenant' });
      expect(stored?.encryptedCredential).not.toContain(SECRET);

      // Back to Convene's app, after a confirmation; Escape first changes nothing.
      await page.getByRole('button', { name: 'Go back to Convene’s app…' }).click();
      const confirm = page.getByRole('group', { name: 'Go back to Convene’s app?' });
      await expect(confirm.textContent()).resolves.toContain(OWN_APP);
      await page.keyboard.press('Escape');
      await confirm.waitFor({ state: 'detached' });
      expect((await app.store.tenants.get(TID))?.credentialMode).toBe('tenant');
      await page.getByRole('button', { name: 'Go back to Convene’s app…' }).click();
      await confirm.getByRole('button', { name: 'Go back to Convene’s app' }).click();
      await page.getByTestId('app-registration-status').and(page.locator('[data-mode="multitenant"]')).waitFor();
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
    expect((await app.store.tenantCredentials.listSealed()).filter((c) => c.tid === TID)).toEqual([]);
  }, 120_000);
});
