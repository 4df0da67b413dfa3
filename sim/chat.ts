/**
 * A local chat client for the Teams bot, offline: Bot Framework Web Chat (Microsoft's MIT chat
 * client, its prebuilt bundle from node_modules, rendering cards with the Adaptive Cards renderer)
 * served over plain HTTP on 127.0.0.1, with a loopback stand-in for the Direct Line 3.0 service
 * behind it. `npm start` runs it against the simulator (sim/dev.ts); the Web Chat browser test and
 * the dev-chat integration test use it too. A dev/test tool: product code never imports it.
 *
 * What it serves:
 * - `GET /?upn=<user>`: the page, signed in as that user of the tenant (a picker lists them; no
 *   `upn` = the default user). An unknown `upn` is a 400.
 * - Direct Line 3.0, the REST subset Web Chat uses with `webSocket: false`: start a conversation,
 *   post an activity, poll with a watermark, refresh the token. The page's bearer token names its
 *   user; a conversation belongs to the user who started it (another user's token gets 403).
 * - Bot Connector, the bot's `serviceUrl`: send, reply to and update an activity.
 *
 * Activities from the page get the Teams fields of the signed-in user (`from.aadObjectId`,
 * `channelData.tenant.id`, see {@link teamsFields}) and go to the bot's `POST /api/messages`;
 * what the bot sends back is queued for polling, an updated activity again under its id (Web
 * Chat upserts by id, so the card is replaced in place). Buttons reach Web Chat as their
 * `Action.Submit` fallback ({@link withoutUniversalActions}), as in any host without universal
 * actions. On starting a conversation the bot gets a `conversationUpdate` (the user joined), as
 * Direct Line and Teams send one.
 *
 * Only for the bot without `MicrosoftAppId` (Bot Framework authentication off): the activities
 * carry no Bot Framework token. Loopback only, bounded: bodies (64 KiB from the page, 1 MiB from
 * the bot), conversations kept and activities per conversation.
 *
 * @see https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-direct-line-3-0-api-reference
 * @see https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-api-reference
 * @see https://github.com/microsoft/BotFramework-WebChat
 *
 * @example
 * const chat = await startChat({ botUrl: 'http://127.0.0.1:3000', users: () => [bob], defaultUpn: bob.upn });
 * // open chat.url in a browser; chat.close() when done
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import type { Simulator } from './server';

/** Who sends an activity: a Teams user (object id `oid`) of tenant `tid`. */
export interface TeamsUser {
  oid: string;
  tid: string;
  name?: string;
}

/** A user the chat page can sign in as. */
export interface ChatUser extends TeamsUser {
  /** userPrincipalName, the `?upn=` of the page. */
  upn: string;
  name: string;
}

/** Options of {@link startChat}. */
export interface ChatOptions {
  /** The server's base URL; activities go to `<botUrl>/api/messages`. */
  botUrl: string;
  /** The users the page may sign in as, read at each page load (a user who left disappears). */
  users: () => readonly ChatUser[];
  /** The user of the page without `?upn=` (default: the first of `users`). */
  defaultUpn?: string;
  /** Port on 127.0.0.1 (default 0: any free port). */
  port?: number;
  /** How to reach the bot (default: global fetch); e.g. one that trusts the server's dev certificate. */
  fetch?: (input: string, init?: RequestInit) => Promise<Response>;
}

/** A running chat. */
export interface Chat {
  /** `http://127.0.0.1:<port>`: the page at `/`. */
  url: string;
  /** Every activity of the conversations, the latest version of each (updates replace). */
  activities(): Array<Record<string, unknown>>;
  close(): Promise<void>;
}

/** Largest activity the page may post, bytes. */
export const MAX_PAGE_BODY_BYTES = 64 * 1024;
/** Largest activity the bot may send (a proposals card is a few KiB), bytes. */
export const MAX_BOT_BODY_BYTES = 1024 * 1024;
/** Conversations kept; the oldest is dropped beyond this. */
export const MAX_CONVERSATIONS = 100;
/** Activities kept per conversation; the oldest are dropped beyond this (watermarks stay valid). */
export const MAX_ACTIVITIES = 500;

const BOT = { id: 'bot', name: 'Convene', role: 'bot' };

interface Conversation {
  upn: string;
  /** Watermark of `list[0]`. */
  start: number;
  list: Array<Record<string, unknown>>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The Teams-specific parts of an activity from `user` (what Teams sends: `from.aadObjectId`,
 * `channelData.tenant.id`, `conversation.tenantId`).
 * @see https://learn.microsoft.com/microsoftteams/platform/bots/how-to/conversations/conversation-basics
 */
export function teamsFields(user: TeamsUser, conversationId = `a:personal-${user.oid}`) {
  return {
    channelId: 'msteams',
    from: { id: `29:${user.oid}`, aadObjectId: user.oid, name: user.name ?? 'user' },
    recipient: { id: '28:convene-bot', name: 'Convene' },
    conversation: { id: conversationId, conversationType: 'personal', tenantId: user.tid },
    channelData: { tenant: { id: user.tid } },
  };
}

/** The users of tenant `tenantId` of the simulator, as chat users (mailbox or not: the bot says what it can do). */
export function simulatorChatUsers(sim: Pick<Simulator, 'users'>, tenantId: string): ChatUser[] {
  return sim.users.filter((u) => u.tenantId === tenantId).map((u) => ({ oid: u.id, tid: u.tenantId, upn: u.upn, name: u.displayName }));
}

/**
 * The chat of `npm start`: the users of the simulator's first tenant (the demo tenant), signed in
 * as `defaultUpn` (the demo organizer). Listens on `port`, or on any free port when that one is
 * taken.
 */
export async function startDevChat(
  sim: Pick<Simulator, 'users' | 'tenants'>,
  botUrl: string,
  options: Omit<ChatOptions, 'botUrl' | 'users'> = {},
): Promise<Chat> {
  const tenantId = sim.tenants[0]?.id ?? '';
  const chatOptions: ChatOptions = { ...options, botUrl, users: () => simulatorChatUsers(sim, tenantId) };
  try {
    return await startChat(chatOptions);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE' || !options.port) throw e;
    return startChat({ ...chatOptions, port: 0 });
  }
}

/** Starts the chat (see the module comment). */
export async function startChat(options: ChatOptions): Promise<Chat> {
  const botFetch = options.fetch ?? ((input: string, init?: RequestInit) => fetch(input, init));
  let webchat: Buffer | undefined;
  const conversations = new Map<string, Conversation>();
  /** Bearer token of each user's page (random per run), and back. */
  const tokenOf = new Map<string, string>();
  const upnOf = new Map<string, string>();
  let base = '';
  let hosts = new Set<string>();

  const findUser = (upn: string) => options.users().find((u) => u.upn.toLowerCase() === upn.toLowerCase());
  const tokenFor = (upn: string) => {
    let token = tokenOf.get(upn);
    if (!token) {
      token = randomBytes(24).toString('base64url');
      tokenOf.set(upn, token);
      upnOf.set(token, upn);
    }
    return token;
  };
  /** The signed-in user of a Direct Line request (its bearer token). */
  const caller = (req: IncomingMessage): ChatUser => {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!token) throw new HttpError(401, 'A Direct Line token is required.');
    const upn = upnOf.get(token);
    const user = upn ? findUser(upn) : undefined;
    if (!user) throw new HttpError(403, 'The token is not valid.');
    return user;
  };
  const conversationOf = (id: string, user: ChatUser): Conversation => {
    const c = conversations.get(id);
    if (!c || c.upn !== user.upn) throw new HttpError(403, 'The token is not valid for this conversation.');
    return c;
  };
  const queue = (c: Conversation, activity: Record<string, unknown>) => {
    c.list.push(activity);
    if (c.list.length > MAX_ACTIVITIES) {
      c.list.shift();
      c.start += 1;
    }
  };
  const forward = (c: Conversation, activity: Record<string, unknown>) => {
    // The bot answers through serviceUrl (this server); the HTTP answer only says whether it took the activity.
    botFetch(`${options.botUrl}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(activity),
    })
      .then(async (res) => {
        await res.arrayBuffer();
        if (res.status >= 300) note(c, `The bot refused the message (HTTP ${res.status}).`);
      })
      .catch((e: unknown) => note(c, `The bot did not answer (${e instanceof Error ? e.message : String(e)}).`));
  };
  const note = (c: Conversation, text: string) =>
    queue(c, {
      type: 'message',
      id: `note-${randomUUID()}`,
      from: { id: 'chat', name: 'Local chat', role: 'bot' },
      text,
      timestamp: now(),
    });

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      const status = e instanceof HttpError ? e.status : 500;
      const message = e instanceof HttpError ? e.message : 'Internal error.';
      if (res.headersSent) return res.destroy();
      if (status === 413) res.setHeader('connection', 'close');
      send(res, status, { error: { code: status === 500 ? 'Internal' : String(status), message } });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Loopback only, and only under our own name (a DNS-rebound page must not reach it).
    if (!hosts.has((req.headers.host ?? '').toLowerCase())) throw new HttpError(421, 'Unknown host.');
    const url = new URL(req.url ?? '/', base);
    const path = url.pathname;
    let m: RegExpExecArray | null;

    if (req.method === 'GET' && path === '/') {
      const upn = url.searchParams.get('upn') ?? options.defaultUpn ?? options.users()[0]?.upn ?? '';
      const user = findUser(upn);
      if (!user) {
        const known = options.users().map((u) => u.upn);
        res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(`No user ${upn} in the tenant. Pick one of:\n${known.map((k) => `  ${base}/?upn=${encodeURIComponent(k)}`).join('\n')}\n`);
        return;
      }
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(page(user, tokenFor(user.upn), options.users()));
      return;
    }
    if (req.method === 'GET' && path === '/webchat.js') {
      webchat ??= readFileSync(join(dirname(require.resolve('botframework-webchat')), '../dist/webchat.js'));
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'max-age=3600' });
      res.end(webchat);
      return;
    }

    // Direct Line 3.0 (the page).
    if (req.method === 'POST' && path === '/v3/directline/conversations') {
      const user = caller(req);
      const id = `dl-${randomUUID()}`;
      const c: Conversation = { upn: user.upn, start: 0, list: [] };
      conversations.set(id, c);
      if (conversations.size > MAX_CONVERSATIONS) conversations.delete(conversations.keys().next().value as string);
      const teams = teamsFields(user, id);
      forward(c, {
        type: 'conversationUpdate',
        ...teams,
        membersAdded: [teams.from],
        id: `${id}|join`,
        timestamp: now(),
        serviceUrl: base,
      });
      return send(res, 201, { conversationId: id, token: tokenFor(user.upn), expires_in: 3600 });
    }
    if (req.method === 'POST' && path === '/v3/directline/tokens/refresh') {
      const user = caller(req);
      return send(res, 200, { token: tokenFor(user.upn), expires_in: 3600 });
    }
    if ((m = /^\/v3\/directline\/conversations\/([^/]+)\/activities$/.exec(path))) {
      const user = caller(req);
      const id = decodeURIComponent(m[1] as string);
      const c = conversationOf(id, user);
      if (req.method === 'GET') {
        const from = Number(url.searchParams.get('watermark') ?? '0') || 0;
        return send(res, 200, { activities: c.list.slice(Math.max(0, from - c.start)), watermark: String(c.start + c.list.length) });
      }
      if (req.method !== 'POST') throw new HttpError(405, 'Method not allowed.');
      const incoming = await readJson(req, MAX_PAGE_BODY_BYTES);
      const teams = teamsFields(user, id);
      const activity = {
        ...incoming,
        ...teams,
        // Keep Web Chat's clientActivityID: it matches the echo to the message it sent.
        channelData: { ...(incoming.channelData as object | undefined), ...teams.channelData },
        id: `${id}|${String(c.start + c.list.length).padStart(7, '0')}`,
        timestamp: now(),
        serviceUrl: base,
      };
      queue(c, { ...activity, from: { id: pageUserId(user), name: user.name, role: 'user' } });
      forward(c, activity);
      return send(res, 200, { id: activity.id });
    }

    // Bot Connector (the bot): send, reply to, update.
    if ((m = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/]+))?$/.exec(path))) {
      const id = decodeURIComponent(m[1] as string);
      const c = conversations.get(id);
      if (!c) throw new HttpError(404, 'No such conversation.');
      const activity = await readJson(req, MAX_BOT_BODY_BYTES);
      if (req.method === 'PUT' && m[2]) {
        const target = decodeURIComponent(m[2]);
        // Appended (watermarks stay valid); Web Chat upserts by id, replacing the old card.
        queue(c, { ...withoutUniversalActions(activity), id: target, from: BOT, timestamp: now() });
        return send(res, 200, { id: target });
      }
      if (req.method !== 'POST') throw new HttpError(405, 'Method not allowed.');
      const newId = `${id}|bot-${randomUUID()}`;
      if (activity.type !== 'typing') queue(c, { ...withoutUniversalActions(activity), id: newId, from: BOT, timestamp: now() });
      return send(res, 200, { id: newId });
    }
    throw new HttpError(404, `Not found: ${path}`);
  }

  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
  hosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  return {
    url: base,
    activities: () => {
      const byId = new Map<unknown, Record<string, unknown>>();
      for (const c of conversations.values()) for (const a of c.list) byId.set(a.id, a);
      return [...byId.values()];
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const now = () => new Date().toISOString();

/** Web Chat's `userID` for `user` (the page's own messages are told apart by it). */
const pageUserId = (user: ChatUser) => `dl-${user.oid}`;

function send(res: ServerResponse, status: number, body?: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(body === undefined ? '' : JSON.stringify(body));
}

/** Reads a JSON object body of at most `limit` bytes. @throws HttpError 413 (too large), 400 (not a JSON object) */
async function readJson(req: IncomingMessage, limit: number): Promise<Record<string, unknown>> {
  if (Number(req.headers['content-length'] ?? 0) > limit) throw new HttpError(413, `The body must be at most ${limit} bytes.`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > limit) throw new HttpError(413, `The body must be at most ${limit} bytes.`);
    chunks.push(c);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'The body is not JSON.');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new HttpError(400, 'The body must be a JSON object.');
  return parsed as Record<string, unknown>;
}

/** JSON safe inside a `<script>` element. */
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

/** The page: a user picker over Web Chat on this server's Direct Line. */
function page(user: ChatUser, token: string, users: readonly ChatUser[]): string {
  const config = {
    token,
    userID: pageUserId(user),
    username: user.name,
    upn: user.upn,
    users: users.map((u) => ({ upn: u.upn, name: u.name })),
  };
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Convene bot (local chat)</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>html,body{margin:0;height:100%;font-family:Segoe UI,system-ui,sans-serif}body{display:flex;flex-direction:column}
header{display:flex;gap:.5em;align-items:center;padding:.5em 1em;background:#5b5fc7;color:#fff;font-size:14px}
header span{flex:1}header select{font:inherit}#webchat{flex:1;min-height:0}</style></head>
<body><header><strong>Convene</strong><span>Teams bot · local chat on the Microsoft 365 simulator · signed in as</span>
<select id="user" aria-label="Signed-in user"></select></header>
<div id="webchat" role="main"></div><script src="/webchat.js"></script><script>
const config = ${scriptJson(config)};
const select = document.getElementById('user');
for (const u of config.users) {
  const option = document.createElement('option');
  option.value = u.upn; option.textContent = u.name + ' (' + u.upn + ')'; option.selected = u.upn === config.upn;
  select.appendChild(option);
}
select.addEventListener('change', () => { location.search = '?upn=' + encodeURIComponent(select.value); });
window.WebChat.renderWebChat({
  directLine: window.WebChat.createDirectLine({ token: config.token, domain: location.origin + '/v3/directline', webSocket: false, pollingInterval: 300 }),
  userID: config.userID, username: config.username, locale: 'en-US',
  styleOptions: { bubbleMaxWidth: 720, bubbleMinWidth: 400 }
}, document.getElementById('webchat'));
</script></body></html>`;
}

/**
 * Web Chat's card renderer knows `Action.Execute` but Web Chat sends nothing over Direct Line
 * for it: as a host without universal actions, the chat shows each button's own
 * `Action.Submit` fallback (the card's declared fallback, Adaptive Cards' rule for hosts that
 * cannot run an element).
 */
export function withoutUniversalActions<T>(value: T): T {
  if (Array.isArray(value)) return value.map(withoutUniversalActions) as T;
  if (!value || typeof value !== 'object') return value;
  const o = value as Record<string, unknown>;
  if (o.type === 'Action.Execute' && o.fallback && typeof o.fallback === 'object') return withoutUniversalActions(o.fallback) as T;
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, withoutUniversalActions(v)])) as T;
}
