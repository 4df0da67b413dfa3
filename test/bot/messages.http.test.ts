/**
 * `POST /api/messages` end to end: real Bot Framework activities over HTTP on 127.0.0.1, sent
 * with `deliveryMode: "expectReplies"` so the bot's replies come back in the response body (as
 * botbuilder's CloudAdapter does), against the whole stack (simulator + PGlite). Bot Framework
 * auth is off (no MicrosoftAppId): identity comes from the simulator wiring's token source and
 * still passes the server's token verifier and the dual lock.
 */
import { simulatorBotTokenSource } from '../../sim/wiring';
import { loadConfig } from '../../src/server/config';
import { createLogger } from '../../src/server/log';
import { createApp } from '../../src/server/main';
import { startStack, type Stack } from '../support/stack';
import {
  botTenants,
  buttons,
  cardsOf,
  cardText,
  expectValidCard,
  olivia,
  priya,
  samUser,
  teamsFields,
  type TeamsUser,
  users,
} from './support';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack(botTenants(Date.now()));
});

afterAll(async () => {
  await stack?.close();
});

/** Posts one activity; returns the HTTP status and the activities the bot answered with. */
async function post(user: TeamsUser | null, activity: Record<string, unknown>) {
  const body = {
    type: 'message',
    id: `act-${Math.random().toString(36).slice(2)}`,
    timestamp: new Date().toISOString(),
    serviceUrl: 'http://127.0.0.1:9/never-called',
    deliveryMode: 'expectReplies',
    ...(user ? teamsFields(user) : { channelId: 'msteams', from: { id: 'x' }, recipient: { id: 'bot' }, conversation: { id: 'c' } }),
    ...activity,
  };
  const res = await fetch(`${stack.url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  const json = text ? JSON.parse(text) : undefined;
  return { status: res.status, activities: (json?.activities ?? []) as any[], json }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

describe('POST /api/messages (expectReplies)', () => {
  it('answers help with a valid help card in the HTTP response', async () => {
    const res = await post(olivia, { text: 'help' });
    expect(res.status).toBe(200);
    const [card] = cardsOf(res.activities);
    expectValidCard(card);
    expect(cardText(card)).toMatch(/my interviews/);
  });

  it('proposes times for a typed request and books one through an Action.Execute invoke, once', async () => {
    const res = await post(olivia, {
      text: 'schedule a 45 minute interview for Jane Doe jane@candidates.example with Priya and Mateo Garcia next week',
    });
    expect(res.status).toBe(200);
    const [card] = cardsOf(res.activities);
    expectValidCard(card);
    expect(cardText(card)).toMatch(/45-minute interview: Jane Doe/);
    const book = buttons(card, 'convene.book');
    expect(book.length).toBeGreaterThan(0);
    expect(book.length).toBeLessThanOrEqual(8);

    const invoke = {
      type: 'invoke',
      name: 'adaptiveCard/action',
      value: { action: { type: 'Action.Execute', verb: 'convene.book', data: book[0]?.data } },
    };
    const first = await post(olivia, invoke);
    expect(first.status).toBe(200);
    const response = first.activities.find((a) => a.type === 'invokeResponse');
    expect(response?.value.status).toBe(200);
    expect(response?.value.body.type).toBe('application/vnd.microsoft.card.adaptive');
    const booked = response?.value.body.value;
    expectValidCard(booked);
    expect(cardText(booked)).toMatch(/Booked/);
    expect(cardText(booked)).toMatch(/https:\/\/teams\.microsoft\.com|Join Teams meeting/);

    // A double click: same card, same slot -> the same interview, no second event.
    const second = await post(olivia, invoke);
    expect(cardText(second.activities.find((a) => a.type === 'invokeResponse')?.value.body.value)).toMatch(/already booked/);
    const list = await stack.app.calendar.listInterviews(
      await stack.app.verifier.verify(`Bearer ${await stack.token(users.olivia.upn)}`),
      {},
      't',
    );
    expect(list.filter((i) => i.candidate.email === 'jane@candidates.example')).toHaveLength(1);
    expect(list[0]?.channel).toBe('bot');
  });

  it('refuses a card action replayed by another user of the tenant and by a user of another tenant', async () => {
    const res = await post(olivia, {
      text: 'schedule a 30 minute interview for Ann Lee ann@candidates.example with priya@northwind.example next week',
    });
    const data = buttons(cardsOf(res.activities)[0], 'convene.book')[0]?.data;
    for (const intruder of [priya, samUser]) {
      const replay = await post(intruder, {
        type: 'invoke',
        name: 'adaptiveCard/action',
        value: { action: { type: 'Action.Execute', verb: 'convene.book', data } },
      });
      const body = replay.activities.find((a) => a.type === 'invokeResponse')?.value.body;
      expect(body?.type).toBe('application/vnd.microsoft.activity.message');
      expect(String(body?.value)).toMatch(/someone else|not known|cannot act/i);
    }
    const mine = await stack.app.calendar.listInterviews(
      await stack.app.verifier.verify(`Bearer ${await stack.token(users.olivia.upn)}`),
      {},
      't',
    );
    expect(mine.some((i) => i.candidate.email === 'ann@candidates.example')).toBe(false);
  });

  it('refuses a Teams user the tenant does not know', async () => {
    const res = await post({ oid: 'c0000000-0000-4000-8000-00000000dead', tid: olivia.tid }, { text: 'my interviews' });
    expect(res.status).toBe(200);
    expect(res.activities.map((a) => a.text).join(' ')).toMatch(/not known in this organization/);
  });

  it('answers 413 in Convene’s error shape for a body over the size limit', async () => {
    const res = await post(olivia, { text: 'x'.repeat(300 * 1024) });
    expect(res.status).toBe(413);
    expect(res.json.error.code).toBe('payload_too_large');
  });

  it('stores the conversation reference of a verified user, for proactive messages', async () => {
    await post(olivia, { text: 'help' });
    const ref = await stack.app.store.conversations.getReference(olivia.tid, olivia.oid);
    expect(ref).toMatchObject({ channelId: 'msteams', conversation: { id: `a:personal-${olivia.oid}` } });
  });

  it('"delete my data" removes the user’s conversation reference and cards', async () => {
    await post(priya, { text: 'schedule' });
    expect(await stack.app.store.conversations.getReference(priya.tid, priya.oid)).not.toBeNull();
    const deleted = await stack.app.store.tenants.deleteUserData(priya.tid, priya.oid);
    expect(deleted.conversation_references).toBe(1);
    expect(deleted.bot_cards).toBeGreaterThan(0);
    expect(await stack.app.store.conversations.getReference(priya.tid, priya.oid)).toBeNull();
  });
});

describe('the simulator-only bot identity (review)', () => {
  const base = loadConfig({
    LOG_LEVEL: 'silent',
    AZURE_CLIENT_ID: '11111111-2222-4333-8444-555555555555',
    AZURE_CLIENT_SECRET: 'not-a-real-secret',
  });

  it.each([
    ['production mode', { ...base, production: true }],
    ['MicrosoftAppId set (Teams SSO)', { ...base, bot: { ...base.bot, appId: '99999999-2222-4333-8444-555555555555' } }],
  ])('cannot be wired in %s: the server refuses to start', async (_name, config) => {
    await expect(
      createApp(config, { logger: createLogger('silent'), botUserTokenSource: simulatorBotTokenSource(stack.sim) }),
    ).rejects.toMatchObject({ code: 'internal', message: expect.stringMatching(/simulator bot identity/) });
  });
});
