/**
 * Issue 3 "Done when", in a real headless Chromium (playwright-core, loopback only): on the
 * embedded defaults (PGlite, the simulator's demo tenants) Contoso's Convene admin connects the
 * tenant through the simulator's admin consent page, sees the status page with the permissions
 * and a mailbox check where hannah@contoso.example (outside the tenant's access policy) is
 * blocked and the other interviewers reachable; `/api/availability` reports her `blocked` with an
 * admin-readable reason; Disconnect deletes the tenant's interviews and credentials (checked in
 * the store) and keeps its audit log.
 *
 * Screenshots docs/admin-connect.png and docs/admin-status.png are written when
 * CONVENE_SCREENSHOTS=1 or when they are missing, so normal runs leave the tree clean.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { CONTOSO_TENANT_ID, demoTenants } from '../../sim';
import { describeWithBrowser, launchBrowser } from '../support/browser';
import { startStack, type Stack } from '../support/stack';
import { builtWebRoot } from '../support/web';

const DOCS = resolve(__dirname, '..', '..', 'docs');
const ADMIN = 'adele@contoso.example';
const INTERVIEWERS = ['marcus@contoso.example', 'lukas@contoso.example', 'emma@contoso.example'];
const BLOCKED = 'hannah@contoso.example';

async function screenshot(page: Page, name: string): Promise<void> {
  const file = join(DOCS, name);
  if (process.env.CONVENE_SCREENSHOTS !== '1' && existsSync(file)) return;
  mkdirSync(DOCS, { recursive: true });
  await page.screenshot({ path: file, fullPage: true });
}

/** Next Monday 00:00 UTC and the Saturday after, as ISO strings. */
function nextWorkWeek(): { start: string; end: string } {
  const d = new Date();
  d.setUTCHours(0, 0, 0, 0);
  d.setUTCDate(d.getUTCDate() + ((8 - d.getUTCDay()) % 7 || 7));
  const end = new Date(d.getTime() + 5 * 86_400_000);
  return { start: d.toISOString(), end: end.toISOString() };
}

describeWithBrowser('admin page in Chromium (issue 3 "Done when")', () => {
  let stack: Stack;
  let browser: Browser;
  beforeAll(async () => {
    const [webRoot] = await Promise.all([builtWebRoot()]);
    stack = await startStack(demoTenants(Date.now()), { webRoot });
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  test('connect through the consent page, check mailboxes, see blocked in availability, disconnect', async () => {
    // An interview Bob booked earlier: Disconnect must delete it.
    const bob = await stack.token('bob@contoso.example');
    const window = nextWorkWeek();
    const found = await stack.call('POST', '/api/availability', {
      token: bob,
      body: { panel: [...INTERVIEWERS, BLOCKED], durationMinutes: 60, window, maxSlots: 5 },
    });
    expect(found.status).toBe(200);
    const hannah = found.body.attendees.find((a: { email: string }) => a.email === BLOCKED);
    expect(hannah).toMatchObject({ status: 'blocked' });
    expect(hannah.reason).toMatch(/access policy|scope|blocked/i);
    expect(found.body.complete).toBe(false);
    const slot = found.body.slots[0];
    const booked = await stack.call('POST', '/api/interviews', {
      token: bob,
      headers: { 'Idempotency-Key': 'admin-e2e-1' },
      body: {
        candidate: { name: 'Jane Doe', email: 'jane@candidates.example' },
        panel: [INTERVIEWERS[0]],
        start: slot.start,
        end: slot.end,
      },
    });
    expect(booked.status).toBe(201);

    const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    try {
      // 1. The connect page.
      await page.goto(`${stack.url}/admin`);
      await page.getByRole('heading', { level: 1, name: 'Convene for IT admins' }).waitFor();
      await page.getByRole('heading', { name: 'Connect your Microsoft 365 organization' }).waitFor();
      await screenshot(page, 'admin-connect.png');

      // A malformed tenant is caught before leaving the page.
      await page.getByLabel('Tenant id or domain (optional)').fill('not a domain');
      await page.getByRole('button', { name: 'Connect with Microsoft' }).click();
      await page.getByText('Enter a tenant id (a GUID) or a verified domain').waitFor();
      expect(page.url()).toBe(`${stack.url}/admin`);

      // 2. Microsoft's (the simulator's) admin consent page, then back through the callback.
      await page.getByLabel('Tenant id or domain (optional)').fill('contoso.example');
      await page.getByRole('button', { name: 'Connect with Microsoft' }).click();
      await page.waitForURL((u) => u.href.startsWith(stack.sim.url) && u.pathname.endsWith('/v2.0/adminconsent'));
      await page.getByRole('button', { name: 'Accept' }).click();
      await page.waitForURL((u) => u.href.startsWith(`${stack.url}/admin`) && u.searchParams.get('result') === 'connected');
      expect(new URL(page.url()).searchParams.get('tenant')).toBe(CONTOSO_TENANT_ID);
      await page.getByText('Your organization is connected').waitFor();

      // 3. Sign in as the tenant's Convene admin (the simulator's dev sign-in).
      await page.getByLabel('User principal name').fill(ADMIN);
      await page.getByRole('button', { name: 'Sign in (simulator)' }).click();
      await page.getByText(`Signed in as ${ADMIN}`).waitFor();
      const badge = page.getByTestId('consent-status');
      await badge.waitFor();
      expect(await badge.getAttribute('data-status')).toBe('granted');
      await page.getByRole('heading', { name: 'Permissions Convene needs' }).waitFor();
      for (const permission of ['Calendars.ReadWrite', 'MailboxSettings.Read', 'User.ReadBasic.All']) {
        const row = page.locator(`tr[data-permission="${permission}"]`);
        await expect(row.textContent()).resolves.toContain('Granted');
      }
      // The consenting admin went through Convene's page, so the status names them.
      await expect(page.locator('dl').first().textContent()).resolves.toMatch(/Consenting admin/);
      await expect(page.getByTestId('script-rbac').textContent()).resolves.toContain('New-ManagementRoleAssignment');

      // 4. The mailbox check: one interviewer blocked, the others reachable.
      await page.getByLabel('Mailboxes to check').fill([...INTERVIEWERS, BLOCKED].join('\n'));
      await page.getByRole('button', { name: 'Check access' }).click();
      await page.getByTestId('mailbox-summary').waitFor();
      await expect(page.getByTestId('mailbox-summary').textContent()).resolves.toBe('4 mailboxes checked: 3 reachable, 1 blocked.');
      for (const m of INTERVIEWERS) expect(await page.locator(`tr[data-mailbox="${m}"]`).getAttribute('data-access')).toBe('reachable');
      const blockedRow = page.locator(`tr[data-mailbox="${BLOCKED}"]`);
      expect(await blockedRow.getAttribute('data-access')).toBe('blocked');
      await expect(blockedRow.textContent()).resolves.toMatch(/polic|scope/i);
      await screenshot(page, 'admin-status.png');

      // The page keeps the token in this tab's sessionStorage at most: nothing in localStorage or cookies.
      expect(await page.evaluate(() => Object.keys(localStorage))).toEqual([]);
      expect((await context.cookies()).map((c) => c.name).filter((n) => /token/i.test(n))).toEqual([]);

      // 5. At 400 px the page still fits (no horizontal scroll of the whole page).
      await page.setViewportSize({ width: 400, height: 900 });
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(400);
      await page.setViewportSize({ width: 1280, height: 900 });

      // 6. Disconnect, with the confirmation dialog.
      const auditBefore = await stack.app.store.audit.list({ tid: CONTOSO_TENANT_ID, limit: 1000 });
      expect(auditBefore.length).toBeGreaterThan(0);
      await page.getByRole('button', { name: /^Disconnect .*…$/ }).click();
      const dialog = page.getByRole('alertdialog');
      await expect(dialog.textContent()).resolves.toMatch(/audit log/);
      await dialog.getByRole('button', { name: 'Disconnect and delete data' }).click();
      await page.getByTestId('disconnected').waitFor();
      const entraLink = page.getByRole('link', { name: 'Convene in the Entra admin center' });
      expect(await entraLink.getAttribute('href')).toMatch(/^https:\/\//);
      await page.getByRole('heading', { name: 'Connect your Microsoft 365 organization again' }).waitFor();
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }

    // 7. In the database: the tenant is disconnected, its interviews and credential gone, its audit log kept.
    const store = stack.app.store;
    const tenant = await store.tenants.get(CONTOSO_TENANT_ID);
    expect(tenant).toMatchObject({ consentStatus: 'disconnected', encryptedCredential: null });
    expect(tenant?.offboardedAt).toEqual(expect.any(String));
    expect(await store.interviews.get(CONTOSO_TENANT_ID, booked.body.id)).toBeNull();
    expect((await store.tenantCredentials.listSealed()).filter((c) => c.tid === CONTOSO_TENANT_ID)).toEqual([]);
    const auditAfter = await store.audit.list({ tid: CONTOSO_TENANT_ID, limit: 1000 });
    expect(auditAfter.length).toBeGreaterThan(0);
    // Refused from now on: the dual lock holds for a disconnected tenant.
    const refused = await stack.call('POST', '/api/availability', {
      token: bob,
      body: { panel: INTERVIEWERS, durationMinutes: 60, window },
    });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('tenant_not_consented');
  }, 120_000);

  test('a disconnected tenant connects again only through a signed-in start by its Convene admin', async () => {
    expect((await stack.app.store.tenants.get(CONTOSO_TENANT_ID))?.consentStatus).toBe('disconnected'); // by the test above
    const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const acceptAndReturn = async () => {
      await page.waitForURL((u) => u.href.startsWith(stack.sim.url) && u.pathname === `/${CONTOSO_TENANT_ID}/v2.0/adminconsent`);
      await page.getByRole('button', { name: 'Accept' }).click();
      await page.waitForURL((u) => u.href.startsWith(`${stack.url}/admin`) && u.searchParams.has('result'));
      return new URL(page.url()).searchParams.get('result');
    };
    try {
      // Not signed in: the anonymous start goes through Microsoft's page, but Convene refuses to reconnect.
      await page.goto(`${stack.url}/admin`);
      await page.getByLabel('Tenant id or domain (optional)').fill(CONTOSO_TENANT_ID);
      await page.getByRole('button', { name: 'Connect with Microsoft' }).click();
      expect(await acceptAndReturn()).toBe('reconnect_requires_admin_sign_in');
      await page.getByText('Sign in to connect your organization again').waitFor();
      expect((await stack.app.store.tenants.get(CONTOSO_TENANT_ID))?.consentStatus).toBe('disconnected');

      // Signed in as the tenant's Convene admin: "connect again" starts the consent through the admin API.
      await page.getByLabel('User principal name').fill(ADMIN);
      await page.getByRole('button', { name: 'Sign in (simulator)' }).click();
      await page.getByRole('heading', { name: 'Connect your Microsoft 365 organization again' }).waitFor();
      await page.getByRole('button', { name: 'Connect with Microsoft' }).click();
      expect(await acceptAndReturn()).toBe('connected');
      await page.getByText('Your organization is connected').waitFor();
      const badge = page.getByTestId('consent-status');
      await badge.waitFor();
      expect(await badge.getAttribute('data-status')).toBe('granted');
      // The status names the consenting admin (recorded from the signed-in start).
      await expect(page.locator('dl').first().textContent()).resolves.not.toMatch(/Not known/);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
    const record = await stack.app.store.tenants.get(CONTOSO_TENANT_ID);
    const adminOid = stack.sim.users.find((u) => u.upn === ADMIN)?.id;
    expect(record).toMatchObject({ consentStatus: 'granted', consentedBy: { oid: adminOid } });
  }, 120_000);
});
