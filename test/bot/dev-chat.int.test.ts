/**
 * The local chat of `npm start` (sim/chat.ts), started as sim/dev.ts starts it: the demo tenant,
 * signed in as the demo organizer (Bob). Driven over HTTP as Web Chat drives it (the Direct Line
 * 3.0 REST API: start a conversation, post activities, poll with a watermark), it schedules an
 * interview from chat: the proposals card, a slot booked through the card's `Action.Submit`
 * fallback, the booked card, and one event in Bob's calendar with Bob as organizer. Also: the
 * picker is limited to the demo tenant, conversations belong to their user, bodies are bounded,
 * and only loopback host names are answered.
 */
import { request } from 'node:http';
import { createFetch } from '../../src/server/net';
import { CONTOSO_TENANT_ID, demoTenants } from '../../sim';
import { type Chat, MAX_PAGE_BODY_BYTES, startDevChat } from '../../sim/chat';
import { startStack, type Stack } from '../support/stack';
import { cardsOf, cardText } from './support';

const BOB = 'bob@contoso.example';
type Activity = Record<string, unknown> & { id?: string; attachments?: Array<{ contentType?: string; content?: unknown }> };

describe('the local chat of npm start (Direct Line stand-in on the simulator)', () => {
  let stack: Stack;
  let chat: Chat;

  beforeAll(async () => {
    stack = await startStack(demoTenants(Date.now()));
    chat = await startDevChat(stack.sim, stack.url, { port: 0, defaultUpn: BOB });
  }, 60_000);

  afterAll(async () => {
    await chat?.close();
    await stack?.close();
  });

  /** The page's configuration (token, user, picker) as the server embedded it. */
  async function pageConfig(query = ''): Promise<{ token: string; userID: string; upn: string; users: Array<{ upn: string }> }> {
    const res = await fetch(`${chat.url}/${query}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    const json = /const config = (\{.*\});/.exec(html)?.[1];
    if (!json) throw new Error('no config in the page');
    return JSON.parse(json) as never;
  }

  const dl = async (method: string, path: string, token: string | undefined, body?: unknown) => {
    const res = await fetch(`${chat.url}/v3/directline${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as Record<string, unknown> };
  };

  /** Polls the conversation (300 ms, as the page does) until `found` picks something, at most `timeoutMs`. */
  async function pollUntil<T>(
    token: string,
    conversationId: string,
    found: (activities: Activity[]) => T | undefined,
    timeoutMs = 20_000,
  ): Promise<T> {
    const all: Activity[] = [];
    let watermark = '0';
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const res = await dl('GET', `/conversations/${conversationId}/activities?watermark=${watermark}`, token);
      expect(res.status).toBe(200);
      all.push(...(res.body.activities as Activity[]));
      watermark = res.body.watermark as string;
      const hit = found(all);
      if (hit !== undefined) return hit;
      await new Promise((r) => setTimeout(r, 300));
    }
    throw new Error(`nothing found; activities: ${JSON.stringify(all.map((a) => a.text ?? cardsOf([a]).map(cardText)))}`);
  }

  /** `Action.Submit` buttons (what a host without universal actions shows) of a card. */
  const submits = (card: unknown): Array<{ title: string; data: Record<string, unknown> }> => {
    const out: Array<{ title: string; data: Record<string, unknown> }> = [];
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') {
        const o = v as Record<string, unknown>;
        if (o.type === 'Action.Submit') out.push(o as never);
        expect(o.type).not.toBe('Action.Execute');
        Object.values(o).forEach(walk);
      }
    };
    walk(card);
    return out;
  };

  it('serves the page signed in as the demo organizer, with a picker limited to the demo tenant', async () => {
    const config = await pageConfig();
    expect(config.upn).toBe(BOB);
    const demoUpns = stack.sim.users.filter((u) => u.tenantId === CONTOSO_TENANT_ID).map((u) => u.upn);
    expect(config.users.map((u) => u.upn).sort()).toEqual([...demoUpns].sort());
    expect(config.users.some((u) => u.upn.endsWith('@fabrikam.example'))).toBe(false);

    const adele = await pageConfig('?upn=adele@contoso.example');
    expect(adele.upn).toBe('adele@contoso.example');
    expect(adele.token).not.toBe(config.token);

    const fabrikamUser = stack.sim.users.find((u) => u.tenantId !== CONTOSO_TENANT_ID);
    for (const upn of [fabrikamUser?.upn ?? 'x@fabrikam.example', 'nobody@contoso.example']) {
      const res = await fetch(`${chat.url}/?upn=${encodeURIComponent(upn)}`);
      expect(res.status).toBe(400);
      await expect(res.text()).resolves.toContain(`?upn=${encodeURIComponent(BOB)}`);
    }
  });

  it('schedules an interview from chat: proposals card, Book, booked card, one event organized by Bob', async () => {
    const { token, userID } = await pageConfig();
    const started = await dl('POST', '/conversations', token);
    expect(started.status).toBe(201);
    const id = started.body.conversationId as string;

    // The bot greets the user who joined (conversationUpdate), with its help card.
    await pollUntil(token, id, (all) => (cardsOf(all).some((c) => cardText(c).includes('Hi!')) ? true : undefined));

    const posted = await dl('POST', `/conversations/${id}/activities`, token, {
      type: 'message',
      from: { id: userID },
      text: 'schedule a 1 hour interview for Jane Doe jane@candidates.example with marcus, lukas, emma next week',
    });
    expect(posted.status).toBe(200);
    const book = await pollUntil(token, id, (all) => {
      const proposals = cardsOf(all).find((c) => cardText(c).includes('Jane Doe') && submits(c).some((b) => b.title === 'Book'));
      return proposals ? submits(proposals).find((b) => b.title === 'Book') : undefined;
    });
    expect(book.data.convene).toBe('convene.book');

    // What Web Chat sends for an Action.Submit: a message whose value is the button's data.
    const clicked = await dl('POST', `/conversations/${id}/activities`, token, { type: 'message', from: { id: userID }, value: book.data });
    expect(clicked.status).toBe(200);
    const booked = await pollUntil(token, id, (all) => cardsOf(all).find((c) => cardText(c).includes('Booked: Interview: Jane Doe')));
    expect(cardText(booked)).toContain('Join Teams meeting');

    const res = await createFetch({ caPem: stack.sim.caPem })(`${stack.sim.url}/_sim/users/${BOB}/events`, { method: 'GET' });
    const body = (await res.json()) as { value?: Array<Record<string, unknown>> } | Array<Record<string, unknown>>;
    const events = (Array.isArray(body) ? body : (body.value ?? [])).filter((e) => e.subject === 'Interview: Jane Doe');
    expect(events).toHaveLength(1);
    expect(JSON.stringify(events[0]?.organizer ?? '')).toContain(BOB);
  }, 60_000);

  it('keeps a conversation to its user, and refuses missing tokens', async () => {
    const bob = await pageConfig();
    const adele = await pageConfig('?upn=adele@contoso.example');
    const id = (await dl('POST', '/conversations', bob.token)).body.conversationId as string;
    await expect(dl('GET', `/conversations/${id}/activities`, adele.token)).resolves.toMatchObject({ status: 403 });
    await expect(dl('POST', `/conversations/${id}/activities`, adele.token, { type: 'message', text: 'help' })).resolves.toMatchObject({
      status: 403,
    });
    await expect(dl('GET', `/conversations/${id}/activities`, undefined)).resolves.toMatchObject({ status: 401 });
    await expect(dl('POST', '/conversations', 'made-up')).resolves.toMatchObject({ status: 403 });
  });

  it('bounds what the page may post, and answers only loopback host names', async () => {
    const { token } = await pageConfig();
    const id = (await dl('POST', '/conversations', token)).body.conversationId as string;
    const big = JSON.stringify({ type: 'message', text: 'x'.repeat(MAX_PAGE_BODY_BYTES) });
    await expect(dl('POST', `/conversations/${id}/activities`, token, big)).resolves.toMatchObject({ status: 413 });
    await expect(dl('POST', `/conversations/${id}/activities`, token, '[1,2]')).resolves.toMatchObject({ status: 400 });

    const port = new URL(chat.url).port;
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/', headers: { host: `attacker.example:${port}` } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(421);
  });
});
