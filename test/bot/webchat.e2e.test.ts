/**
 * The bot in Microsoft's own chat client: Bot Framework Web Chat (prebuilt bundle from
 * node_modules, rendering cards with the Adaptive Cards renderer) in headless Chromium, talking
 * through the local chat's loopback Direct Line stand-in (sim/chat.ts, what `npm start` serves) to the whole stack. A
 * coordinator types a request, sees the proposals card, books a slot, sees the booked card, and
 * the event is in the simulator's organizer calendar.
 *
 * Screenshots (docs/bot-conversation.png, docs/bot-booked.png) are written only with
 * CONVENE_SCREENSHOTS=1 or when missing, so ordinary runs leave the tree clean.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { createFetch } from '../../src/server/net';
import { describeWithBrowser, launchBrowser } from '../support/browser';
import { startStack, type Stack } from '../support/stack';
import { type Chat, simulatorChatUsers, startChat } from '../../sim/chat';
import { botTenants, NORTHWIND_TID, users } from './support';

const DOCS = resolve(__dirname, '../../docs');

async function screenshot(page: Page, name: string): Promise<void> {
  const file = resolve(DOCS, name);
  if (process.env.CONVENE_SCREENSHOTS === '1' || !existsSync(file)) await page.screenshot({ path: file, fullPage: false });
}

describeWithBrowser('the bot in Bot Framework Web Chat', () => {
  let stack: Stack;
  let chat: Chat;
  let browser: Browser;

  beforeAll(async () => {
    stack = await startStack(botTenants(Date.now()));
    chat = await startChat({ botUrl: stack.url, users: () => simulatorChatUsers(stack.sim, NORTHWIND_TID), defaultUpn: users.olivia.upn });
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await chat?.close();
    await stack?.close();
  });

  it('types a request, sees the proposals card, books a slot, sees the booked card and the event', async () => {
    const page = await browser.newPage({ viewport: { width: 900, height: 1100 } });
    await page.goto(chat.url);
    const input = page.locator('[data-id="webchat-sendbox-input"]');
    await input.waitFor({ timeout: 15_000 });
    await input.fill('schedule a 45 minute interview for Jane Doe jane@candidates.example with Priya and Mateo Garcia next week');
    await input.press('Enter');

    const proposals = page.locator('.ac-adaptiveCard', { hasText: '45-minute interview: Jane Doe' });
    await proposals.waitFor({ timeout: 20_000 });
    await expect(proposals.getByRole('button', { name: 'Book' }).count()).resolves.toBeGreaterThan(0);
    await screenshot(page, 'bot-conversation.png');

    await proposals.getByRole('button', { name: 'Book' }).first().click();
    const booked = page.locator('.ac-adaptiveCard', { hasText: 'Booked: Interview: Jane Doe' });
    await booked.waitFor({ timeout: 20_000 });
    await expect(booked.getByRole('button', { name: 'Join Teams meeting' }).count()).resolves.toBe(1);
    await screenshot(page, 'bot-booked.png');

    const res = await createFetch({ caPem: stack.sim.caPem })(`${stack.sim.url}/_sim/users/${users.olivia.upn}/events`, { method: 'GET' });
    const body = (await res.json()) as { value?: Array<{ subject: string }> } | Array<{ subject: string }>;
    const events = Array.isArray(body) ? body : (body.value ?? []);
    expect(events.filter((e) => e.subject === 'Interview: Jane Doe')).toHaveLength(1);
  }, 90_000);
});
