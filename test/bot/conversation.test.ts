/**
 * Conversations with the bot through botbuilder's TestAdapter: every command, ambiguity and
 * error path, against the real Calendar Service, the simulator and PGlite (one stack for the
 * file). The bot is the server's own (`app.bot`) or one built from the same services with
 * another clock, token source or SSO client. Every card is validated against Adaptive Cards 1.5.
 */
import { TestAdapter, type Activity, type TurnContext } from 'botbuilder-core';
import type { UserTokenClient } from 'botframework-connector';
import { createBot, type BotDeps, type ConveneBot } from '../../src/bot';
import { createLogger } from '../../src/server/log';
import { createFetch } from '../../src/server/net';
import { simulatorBotTokenSource } from '../../sim/wiring';
import { startStack, type Stack } from '../support/stack';
import {
  botTenants,
  buttons,
  cardsOf,
  cardText,
  expectValidCard,
  lukasMeyer,
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

afterEach(() => stack.sim.faults.clear());

class RecordingAdapter extends TestAdapter {
  readonly updates: Array<Partial<Activity>> = [];
  override updateActivity(context: TurnContext, activity: Partial<Activity>): Promise<void> {
    this.updates.push(activity);
    return super.updateActivity(context, activity) as Promise<void>;
  }
}

function botWith(overrides: Partial<BotDeps> = {}): ConveneBot {
  return createBot({
    calendar: stack.app.calendar,
    verifier: stack.app.verifier,
    conversations: stack.app.store.conversations,
    logger: createLogger('silent'),
    appId: undefined,
    appPassword: undefined,
    appTenantId: undefined,
    oauthConnectionName: undefined,
    userTokenSource: simulatorBotTokenSource(stack.sim),
    ...overrides,
  });
}

/** Sends one activity as `user` and returns everything the bot sent back, plus card updates. */
async function turn(bot: ConveneBot, user: TeamsUser, activity: Partial<Activity>) {
  const adapter = new RecordingAdapter(bot.onTurn);
  await adapter.processActivity({ type: 'message', ...teamsFields(user), ...activity } as Partial<Activity>);
  const replies = adapter.activeQueue.splice(0) as any[]; // eslint-disable-line @typescript-eslint/no-explicit-any
  const cards = cardsOf(replies);
  cards.forEach(expectValidCard);
  const updates = cardsOf(adapter.updates as any[]); // eslint-disable-line @typescript-eslint/no-explicit-any
  updates.forEach(expectValidCard);
  const invoke = replies.find((a) => a.type === 'invokeResponse')?.value as { status: number; body: any } | undefined; // eslint-disable-line @typescript-eslint/no-explicit-any
  if (invoke?.body?.type === 'application/vnd.microsoft.card.adaptive') expectValidCard(invoke.body.value);
  const texts = replies.filter((a) => a.type === 'message' && a.text).map((a) => a.text as string);
  return { replies, cards, updates, invoke, texts };
}

const say = (bot: ConveneBot, user: TeamsUser, text: string) => turn(bot, user, { text });
const execute = (bot: ConveneBot, user: TeamsUser, verb: string, data: unknown) =>
  turn(bot, user, { type: 'invoke', name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb, data } } });

async function interviewsOf(upn: string) {
  const auth = await stack.app.verifier.verify(`Bearer ${await stack.token(upn)}`);
  return stack.app.calendar.listInterviews(auth, {}, 'test');
}

async function organizerEvents(upn: string): Promise<Array<{ subject: string; attendees?: unknown[] }>> {
  const res = await createFetch({ caPem: stack.sim.caPem })(`${stack.sim.url}/_sim/users/${upn}/events`, { method: 'GET' });
  const body = (await res.json()) as { value?: Array<{ subject: string }> } | Array<{ subject: string }>;
  return Array.isArray(body) ? body : (body.value ?? []);
}

describe('commands', () => {
  it('help: the help card', async () => {
    const { cards } = await say(stack.app.bot, olivia, 'help');
    expect(cardText(cards[0])).toMatch(/schedule a 45 minute interview/);
  });

  it('nonsense: a helpful help card, no error', async () => {
    const { cards, texts } = await say(stack.app.bot, olivia, 'the quick brown fox');
    expect(cardText(cards[0])).toMatch(/did not understand/);
    expect(texts.join(' ')).not.toMatch(/wrong/i);
  });

  it('a message over the size limit is refused politely', async () => {
    const { texts } = await say(stack.app.bot, olivia, `schedule ${'a'.repeat(2100)}`);
    expect(texts[0]).toMatch(/too long/);
  });

  it('schedule with everything: proposals in the coordinator zone with each panelist and the candidate local time; book; my interviews; cancel', async () => {
    const { cards } = await say(
      stack.app.bot,
      olivia,
      'schedule a 1 hour interview for Jane Roe jane.roe@candidates.example (Asia/Tokyo) with Priya Nair, lukas.weber@northwind.example and Mateo next week',
    );
    const card = cards[0];
    const text = cardText(card);
    expect(text).toMatch(/60-minute interview: Jane Roe/);
    expect(text).toMatch(/America\/New_York/);
    expect(text).toMatch(/Priya Nair \d\d:\d\d/);
    expect(text).toMatch(/Jane Roe \(candidate\) (\w{3} )?\d\d:\d\d/);
    const book = buttons(card, 'convene.book');
    expect(book.length).toBeGreaterThan(0);
    expect(book.length).toBeLessThanOrEqual(8);

    // Action.Submit fallback: a message whose value carries the verb; the card is updated in place.
    const chosen = book[book.length - 1]?.data as Record<string, unknown>;
    const submitted = await turn(stack.app.bot, olivia, { value: { ...chosen, convene: 'convene.book' }, replyToId: 'card-activity-1' });
    expect(submitted.updates).toHaveLength(1);
    expect(submitted.updates[0]).toBeDefined();
    const booked = submitted.updates[0];
    expect(cardText(booked)).toMatch(/Booked: Interview: Jane Roe/);
    expect(buttons(booked, 'convene.cancel')).toHaveLength(1);
    const id = (buttons(booked, 'convene.cancel')[0]?.data as { id: string }).id;

    // A second click on another slot of the same card books nothing new.
    const other = await execute(stack.app.bot, olivia, 'convene.book', book[0]?.data);
    expect(cardText(other.invoke?.body.value)).toMatch(/already booked/);
    expect((await interviewsOf(users.olivia.upn)).filter((i) => i.candidate.email === 'jane.roe@candidates.example')).toHaveLength(1);
    expect((await organizerEvents(users.olivia.upn)).filter((e) => /Jane Roe/.test(e.subject))).toHaveLength(1);

    const listed = await say(stack.app.bot, olivia, 'my interviews');
    expect(cardText(listed.cards[0])).toContain(id);

    const cancelled = await say(stack.app.bot, olivia, `cancel ${id}`);
    expect(cancelled.texts[0]).toMatch(/Cancelled "Interview: Jane Roe"/);
    expect((await interviewsOf(users.olivia.upn)).find((i) => i.id === id)?.status).toBe('cancelled');
  });

  it('cancel without an id asks which; an unknown or foreign id is not found', async () => {
    expect((await say(stack.app.bot, olivia, 'cancel')).texts[0]).toMatch(/Which interview/);
    expect((await say(stack.app.bot, olivia, 'cancel 00000000-0000-4000-8000-000000000000')).texts[0]).toMatch(/no such interview/);
  });
});

describe('understanding requests', () => {
  it('an ambiguous name asks which one on a form, then the form finds times', async () => {
    const { cards } = await say(
      stack.app.bot,
      olivia,
      'schedule a 30 min interview for Max Moe max@candidates.example with Lukas and Priya tomorrow',
    );
    const form = cards[0];
    expect(cardText(form)).toMatch(/Which Lukas\?/);
    expect(cardText(form)).toContain(lukasMeyer.upn);
    expect(cardText(form)).toContain(users.lukas.upn);
    const search = buttons(form, 'convene.search')[0];
    // The form's inputs arrive merged into the action data.
    const res = await execute(stack.app.bot, olivia, 'convene.search', {
      ...search?.data,
      candidateName: 'Max Moe',
      candidateEmail: 'max@candidates.example',
      panel: users.priya.upn,
      who0: users.lukas.upn,
      durationMinutes: 30,
    });
    expect(res.invoke?.status).toBe(200);
    expect(cardText(res.invoke?.body.value)).toMatch(/30-minute interview: Max Moe/);
  });

  it('a panel of unknown names gets the form with what was not found', async () => {
    const { cards } = await say(
      stack.app.bot,
      olivia,
      'schedule a 45 minute interview for Jane Doe jane@example.com with Zebulon and Quincy next week',
    );
    expect(cardText(cards[0])).toMatch(/found nobody called "Zebulon", "Quincy"/);
  });

  it('missing pieces: "schedule" alone gives the empty form', async () => {
    const { cards } = await say(stack.app.bot, olivia, 'schedule');
    expect(cardText(cards[0])).toMatch(/Candidate name/);
    expect(cardText(cards[0])).toMatch(/Please add the candidate’s name, the candidate’s email, the panel, the duration/);
  });

  it('a date in the past is refused with a hint', async () => {
    const { texts } = await say(
      stack.app.bot,
      olivia,
      'schedule a 45 minute interview for Jane Doe jane@example.com with priya@northwind.example on 2020-01-06',
    );
    expect(texts[0]).toMatch(/in the past/);
  });

  it('unreadable calendars are warned about, never counted free', async () => {
    const { cards } = await say(
      stack.app.bot,
      olivia,
      'schedule a 30 minute interview for Kim Li kim@candidates.example with Priya, gwen@northwind.example next week',
    );
    expect(cardText(cards[0])).toMatch(/gwen@northwind\.example: calendar blocked by the organization’s access policy, not checked/);
  });
});

describe('card actions', () => {
  let card: unknown;
  beforeAll(async () => {
    card = (await say(stack.app.bot, olivia, 'schedule a 30 minute interview for Ola Nordmann ola@candidates.example with Priya next week'))
      .cards[0];
  });

  it('refuses a card action replayed from another user and from another tenant', async () => {
    const data = buttons(card, 'convene.book')[0]?.data;
    for (const intruder of [priya, samUser]) {
      const res = await execute(stack.app.bot, intruder, 'convene.book', data);
      expect(res.invoke?.body.type).toBe('application/vnd.microsoft.activity.message');
      expect(String(res.invoke?.body.value)).toMatch(/sent to someone else|cannot act/);
    }
    expect((await interviewsOf(users.olivia.upn)).some((i) => i.candidate.email === 'ola@candidates.example')).toBe(false);
  });

  it('an expired card action answers with a fresh-search hint and books nothing', async () => {
    const later = botWith({ now: () => Date.now() + 25 * 3600_000 });
    const res = await execute(later, olivia, 'convene.book', buttons(card, 'convene.book')[0]?.data);
    expect(cardText(res.invoke?.body.value)).toMatch(/out of date/);
    expect((await interviewsOf(users.olivia.upn)).some((i) => i.candidate.email === 'ola@candidates.example')).toBe(false);
  });

  it('a slot in the past is expired too', async () => {
    const data = {
      ...(buttons(card, 'convene.book')[0]?.data as object),
      start: '2020-01-06T14:00:00.000Z',
      end: '2020-01-06T14:30:00.000Z',
    };
    const res = await execute(stack.app.bot, olivia, 'convene.book', data);
    expect(cardText(res.invoke?.body.value)).toMatch(/out of date/);
  });

  it('Graph throttled: a "still working" message, then the answer', async () => {
    stack.sim.faults.add({ method: 'POST', pathPattern: 'getSchedule', status: 429, times: 1, retryAfterSeconds: 1 });
    const slow = botWith({ stillWorkingAfterMs: 200 });
    const res = await say(slow, olivia, 'schedule a 30 minute interview for Ada Lovelace ada@candidates.example with Priya next week');
    expect(res.texts[0]).toMatch(/Still working/);
    expect(cardText(res.cards[0])).toMatch(/30-minute interview: Ada Lovelace/);
    const order = res.replies.map((a) => (a.text ? 'text' : 'card'));
    expect(order).toEqual(['text', 'card']);
  });

  it('people search (Data.Query typeahead invoke) answers with the tenant’s people', async () => {
    const res = await turn(stack.app.bot, olivia, {
      type: 'invoke',
      name: 'application/search',
      value: { queryText: 'Luk', dataset: 'convene.people', queryOptions: { skip: 0, top: 15 } },
    });
    expect(res.invoke?.status).toBe(200);
    expect(res.invoke?.body.value.results.map((r: { value: string }) => r.value).sort()).toEqual([lukasMeyer.upn, users.lukas.upn].sort());
  });
});

describe('identity', () => {
  it('refuses when neither Teams SSO nor a local token source is configured', async () => {
    const bot = botWith({ userTokenSource: undefined });
    const { texts } = await say(bot, olivia, 'my interviews');
    expect(texts[0]).toMatch(/Sign-in is not configured/);
  });

  it('a user of a tenant without admin consent is told so', async () => {
    const { texts } = await say(stack.app.bot, samUser, 'my interviews');
    expect(texts[0]).toMatch(/not connected Convene/);
  });

  describe('Teams SSO (MicrosoftAppId set)', () => {
    function ssoBot(client: Partial<UserTokenClient>) {
      return botWith({
        appId: '11111111-2222-4333-8444-555555555555',
        appPassword: 'x',
        oauthConnectionName: 'convene-sso',
        userTokenSource: undefined,
        userTokenClient: () => client as UserTokenClient,
      });
    }

    it('no token yet: an OAuthCard with the token exchange resource', async () => {
      const bot = ssoBot({
        getUserToken: async () => undefined as never,
        getSignInResource: async () =>
          ({
            signInLink: 'https://token.botframework.com/signin',
            tokenExchangeResource: { id: 'x', uri: 'api://convene/access_as_user', providerId: 'p' },
          }) as never,
      });
      const { replies } = await say(bot, olivia, 'my interviews');
      const card = replies[0]?.attachments?.[0];
      expect(card?.contentType).toBe('application/vnd.microsoft.card.oauth');
      expect(card?.content.connectionName).toBe('convene-sso');
      expect(card?.content.tokenExchangeResource.uri).toBe('api://convene/access_as_user');
    });

    it('signin/tokenExchange: 412 when the exchange fails, so Teams falls back to the sign-in button', async () => {
      const bot = ssoBot({ exchangeToken: async () => ({}) as never });
      const res = await turn(bot, olivia, {
        type: 'invoke',
        name: 'signin/tokenExchange',
        value: { id: 'e1', connectionName: 'convene-sso', token: 'teams-sso-token' },
      });
      expect(res.invoke?.status).toBe(412);
      expect(res.invoke?.body).toMatchObject({ id: 'e1', connectionName: 'convene-sso' });
    });

    it('signin/tokenExchange: 200, and the exchanged token must pass the server verifier', async () => {
      const good = await stack.token(users.olivia.upn);
      const ok = await turn(ssoBot({ exchangeToken: async () => ({ token: good }) as never }), olivia, {
        type: 'invoke',
        name: 'signin/tokenExchange',
        value: { id: 'e2', connectionName: 'convene-sso', token: 'teams-sso-token' },
      });
      expect(ok.invoke?.status).toBe(200);
      expect(ok.texts.join(' ')).toMatch(/signed in/);

      const forged = `${good.slice(0, -4)}AAAA`;
      const bad = await say(ssoBot({ getUserToken: async () => ({ token: forged }) as never }), olivia, 'my interviews');
      expect(bad.texts[0]).toMatch(/could not verify your sign-in/);
    });

    it('a token of another user than the Teams sender is refused', async () => {
      const priyaToken = await stack.token(users.priya.upn);
      const res = await say(ssoBot({ getUserToken: async () => ({ token: priyaToken }) as never }), olivia, 'my interviews');
      expect(res.texts[0]).toMatch(/do not match/);
    });

    it('signin/tokenExchange: a token the verifier or the sender check refuses answers one 412, never 200 (review)', async () => {
      const priyaToken = await stack.token(users.priya.upn);
      const good = await stack.token(users.olivia.upn);
      for (const token of [priyaToken, `${good.slice(0, -4)}AAAA`]) {
        const res = await turn(ssoBot({ exchangeToken: async () => ({ token }) as never }), olivia, {
          type: 'invoke',
          name: 'signin/tokenExchange',
          value: { id: 'e3', connectionName: 'convene-sso', token: 'teams-sso-token' },
        });
        const invokes = res.replies.filter((r) => r.type === 'invokeResponse');
        expect(invokes).toHaveLength(1);
        expect(res.invoke?.status).toBe(412);
        expect(res.invoke?.body).toMatchObject({ id: 'e3', connectionName: 'convene-sso' });
        expect(res.texts.join(' ')).not.toMatch(/signed in/);
      }
    });

    it('signin/verifyState answers 200 with a token, 404 without', async () => {
      const token = await stack.token(users.olivia.upn);
      const yes = await turn(ssoBot({ getUserToken: async () => ({ token }) as never }), olivia, {
        type: 'invoke',
        name: 'signin/verifyState',
        value: { state: '123456' },
      });
      expect(yes.invoke?.status).toBe(200);
      const no = await turn(ssoBot({ getUserToken: async () => undefined as never }), olivia, {
        type: 'invoke',
        name: 'signin/verifyState',
        value: { state: '123456' },
      });
      expect(no.invoke?.status).toBe(404);
    });
  });
});
