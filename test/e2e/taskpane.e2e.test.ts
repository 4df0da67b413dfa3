/**
 * The Outlook taskpane end to end in headless Chromium (issue 4 item 6): the local preview served
 * by the real server on the simulator (office.js loaded from the server's packaged copy, outside
 * Office), dev sign-in, a 3-person panel in 3 zones plus a candidate in a 4th, slots, booking,
 * the invite in the simulator's calendars, cancelling. Also measures first render and
 * submit-to-slots with 100 ms injected Graph latency (printed, not asserted), and writes the
 * README screenshots docs/taskpane-*.png when CONVENE_SCREENSHOTS=1 or when they are missing.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { SeedTenant } from '../../sim';
import { createSimClient, type SimClient } from '../../sim/client';
import { describeWithBrowser, launchBrowser } from '../support/browser';
import { startStack, type Stack } from '../support/stack';
import { builtWebRoot } from '../support/web';

const DOMAIN = 'tailwind.example';
const hours = (zone: string) => ({
  daysOfWeek: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'] as Array<'monday' | 'tuesday' | 'wednesday' | 'thursday' | 'friday'>,
  startTime: '08:00:00.0000000',
  endTime: '17:00:00.0000000',
  timeZone: { name: zone },
});
const user = (n: number, name: string, zone: string) => ({
  id: `00000000-0000-4000-8000-00000000000${n}`,
  userPrincipalName: `${name.toLowerCase()}@${DOMAIN}`,
  mail: `${name.toLowerCase()}@${DOMAIN}`,
  displayName: `${name} Example`,
  mailboxSettings: { timeZone: zone, workingHours: hours(zone) },
  events: [],
});

/** Olga organizes in Chicago; Ana (New York), Ben (London) and Chen (Berlin) interview; Dana's mailbox is outside the access policy. */
const SEED: SeedTenant = {
  tenant: { id: '7d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6', domain: DOMAIN, displayName: 'Tailwind Toys' },
  consent: { granted: true, roles: ['Calendars.ReadWrite', 'MailboxSettings.Read', 'User.ReadBasic.All'] },
  accessPolicy: { accessRight: 'DenyAccess', members: [`dana@${DOMAIN}`] },
  users: [
    user(1, 'Olga', 'America/Chicago'),
    user(2, 'Ana', 'America/New_York'),
    user(3, 'Ben', 'Europe/London'),
    user(4, 'Chen', 'Europe/Berlin'),
    user(5, 'Dana', 'Europe/Paris'),
  ],
};

/** Office's telemetry endpoints (ULS proxy frame, Aria collectors): never allowed by the taskpane's policy. */
const OFFICE_TELEMETRY = /telemetryservice\.firstpartyapps\.oaspapps\.com|\.pipe\.aria\.microsoft\.com/;

const DOCS = resolve(__dirname, '..', '..', 'docs');
/** A 320 px wide screenshot, the whole page or 900 px from the top of `from` (long results). */
const shoot = async (page: Page, name: string, from?: string) => {
  const file = join(DOCS, `taskpane-${name}.png`);
  if (process.env.CONVENE_SCREENSHOTS !== '1' && existsSync(file)) return;
  mkdirSync(DOCS, { recursive: true });
  const box = from ? await page.locator(from).first().boundingBox() : null;
  const top = box ? box.y + (await page.evaluate(() => window.scrollY)) - 8 : 0;
  await page.screenshot({ path: file, fullPage: true, ...(box ? { clip: { x: 0, y: top, width: 320, height: 900 } } : {}) });
};

describeWithBrowser('Outlook taskpane (local preview) in Chromium', () => {
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  let simClient: SimClient;
  const errors: string[] = [];
  /**
   * Chromium's console reports of anything the page's Content-Security-Policy blocked, except
   * Office's own telemetry: outside Office, office.js frames Microsoft's telemetry proxy
   * (telemetryservice.firstpartyapps.oaspapps.com) after 3 s; the policy blocks it on purpose,
   * so nothing of the local preview leaves the machine.
   */
  const cspViolations: string[] = [];
  const officeTelemetryBlocked: string[] = [];

  beforeAll(async () => {
    stack = await startStack([SEED], { webRoot: await builtWebRoot() });
    simClient = createSimClient(stack.sim);
    browser = await launchBrowser();
    // The simulator's certificate is self-signed: the dev sign-in posts to it from the page.
    const context = await browser.newContext({ viewport: { width: 320, height: 900 }, ignoreHTTPSErrors: true });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (!/Content Security Policy/i.test(m.text())) return;
      (OFFICE_TELEMETRY.test(m.text()) ? officeTelemetryBlocked : cspViolations).push(m.text());
    });
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await simClient?.close();
    await stack?.close();
  });

  it('serves the page with the packaged office.js (no CDN on loopback) and says where it runs', async () => {
    const offsite: string[] = [];
    page.on('request', (r) => {
      if (!/^https?:\/\/127\.0\.0\.1[:/]/.test(r.url()) && !r.url().startsWith('data:')) offsite.push(r.url());
    });
    const res = await page.goto(`${stack.url}/taskpane.html`);
    expect(res?.status()).toBe(200);
    expect(await res?.text()).toContain('/office-js/office.js');
    expect(res?.headers()['content-security-policy']).toMatch(/frame-ancestors 'self' https:\/\/outlook\.office\.com/);
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await expect(page.getByTestId('where').textContent()).resolves.toMatch(/Local preview/);
    await shoot(page, 'signin');
    const timings = await page.evaluate(() => (window as unknown as { conveneTimings: Record<string, number> }).conveneTimings);
    console.log(`taskpane first render: ${timings.firstRenderMs?.toFixed(0)} ms after navigation start`);
    expect(offsite).toEqual([]);
  }, 60_000);

  it('signs in, shows bad input inline, finds slots for a 3-zone panel, books, the invite is in the simulator, cancels', async () => {
    await page.getByLabel('Simulated user (local simulator)').fill(`olga@${DOMAIN}`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('My upcoming interviews').waitFor();
    // The zone comes from Olga's mailboxSettings (GET /api/me), not from the browser (UTC here).
    await page.getByTestId('where').filter({ hasText: 'times in Chicago (your mailbox settings)' }).waitFor();

    // Bad input: an empty panel and a zone that does not exist, each named on its field; nothing typed is lost.
    await page.getByLabel('Candidate name').fill('Jane Doe');
    await page.getByLabel('Candidate email').fill('jane@candidates.example');
    await page.getByRole('combobox', { name: /Candidate time zone/ }).fill('Mars/Olympus');
    await page.getByRole('button', { name: 'Find times' }).click();
    await page.getByText('Add at least one panelist.').waitFor();
    await page.getByText('"Mars/Olympus" is not a time zone.', { exact: false }).waitFor();
    expect(await page.getByLabel('Candidate name').inputValue()).toBe('Jane Doe');
    await shoot(page, 'error');

    // The candidate's zone by search; the panel through the people picker and by typed address.
    const zoneBox = page.getByRole('combobox', { name: /Candidate time zone/ });
    await zoneBox.fill('');
    await zoneBox.pressSequentially('sao pa');
    await page.getByRole('option', { name: 'America/Sao_Paulo' }).click();
    const picker = page.getByRole('combobox', { name: 'Add a panelist' });
    await picker.pressSequentially('An');
    await page.getByRole('option', { name: /Ana Example/ }).click();
    await picker.fill(`ben@${DOMAIN}`);
    await picker.press('Enter');
    await picker.fill(`chen@${DOMAIN}, dana@${DOMAIN}`);
    await picker.press('Enter');
    await expect(page.getByRole('button', { name: /^Remove / }).count()).resolves.toBe(4);
    await shoot(page, 'form');

    stack.sim.faults.setLatency(100);
    await page.getByRole('button', { name: 'Find times' }).click();
    await page.getByTestId('slot').first().waitFor();
    const timings = await page.evaluate(() => (window as unknown as { conveneTimings: Record<string, number> }).conveneTimings);
    console.log(`taskpane submit-to-slots with 100 ms Graph latency: ${timings.submitToSlotsMs?.toFixed(0)} ms`);
    stack.sim.faults.setLatency(0);

    // Dana's calendar is blocked by the access policy: reported with the reason, never hidden.
    const warning = page.getByTestId('unreadable');
    await expect(warning.textContent()).resolves.toMatch(new RegExp(`dana@${DOMAIN}.*(AccessPolicy|access policy|blocked)`, 'i'));
    // Each slot shows every panelist's and the candidate's local time.
    const first = page.getByTestId('slot').first();
    const text = (await first.textContent()) ?? '';
    for (const city of ['New York', 'London', 'Berlin', 'Sao Paulo']) expect(text).toContain(city);
    await shoot(page, 'slots', '[aria-label="Times"]');

    // Remove Dana (cannot be checked), search again and book the first slot.
    await page.getByRole('button', { name: `Remove dana@${DOMAIN}` }).click();
    await page.getByRole('button', { name: 'Find times' }).click();
    await page.getByTestId('unreadable').waitFor({ state: 'detached' });
    await page
      .getByTestId('slot')
      .first()
      .getByRole('button', { name: /^Book / })
      .click();
    const booked = page.getByTestId('booked');
    await booked.waitFor();
    await expect(booked.getByRole('link', { name: 'Teams meeting link' }).getAttribute('href')).resolves.toMatch(/^https:\/\/127\.0\.0\.1/);
    await page.getByTestId('upcoming').first().waitFor();
    await shoot(page, 'booked', '[aria-label="Times"]');

    // The invite is in Olga's calendar (she organizes) and in Ana's as an attendee copy.
    const calendar = async (upn: string) => {
      const res = await simClient.fetch(`${stack.sim.url}/_sim/users/${upn}/events`);
      return ((await res.json()) as { value: Array<{ subject: string; isOrganizer?: boolean }> }).value;
    };
    const olga = await calendar(`olga@${DOMAIN}`);
    expect(olga.filter((e) => e.subject === 'Interview: Jane Doe')).toHaveLength(1);
    expect((await calendar(`ana@${DOMAIN}`)).some((e) => e.subject === 'Interview: Jane Doe')).toBe(true);

    // Cancel from "My upcoming interviews": gone from the list and from the calendars.
    await page.getByRole('button', { name: 'Cancel Interview: Jane Doe' }).click();
    await page.getByText('Interview cancelled').waitFor();
    await expect(page.getByTestId('upcoming').count()).resolves.toBe(0);
    expect((await calendar(`olga@${DOMAIN}`)).some((e) => e.subject === 'Interview: Jane Doe')).toBe(false);
    expect(errors).toEqual([]);
    // The whole session (office.js, Fluent's styles, dev sign-in, API calls) within the page's policy.
    expect(cspViolations).toEqual([]);
    if (officeTelemetryBlocked.length > 0)
      console.log(`office.js telemetry frames blocked by the policy: ${officeTelemetryBlocked.length}`);
  }, 120_000);
});
