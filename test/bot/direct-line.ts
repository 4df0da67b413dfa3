/**
 * A loopback Direct Line 3.0 service for Bot Framework Web Chat, kept in test/: the REST subset
 * Web Chat uses with `webSocket: false` (start a conversation, post an activity, poll with a
 * watermark), plus the Bot Connector endpoints the bot answers on (its `serviceUrl`): send /
 * reply to / update an activity. The page (Web Chat's prebuilt bundle from node_modules) is served
 * from the same origin. Buttons reach Web Chat as their `Action.Submit` fallback (see
 * {@link withoutUniversalActions}), so this path tests the fallback and `updateActivity`. Activities from the browser get the Teams fields of `user` and go to the
 * bot's `POST /api/messages`; what the bot sends back is queued for polling. An updated activity
 * is queued again under its id, so Web Chat replaces the card in place.
 *
 * @see https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-direct-line-3-0-api-reference
 * @see https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-api-reference
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { teamsFields, type TeamsUser } from './support';

export interface DirectLine {
  url: string;
  /** Every activity of the conversations, the latest version of each (updates replace). */
  activities(): Array<Record<string, unknown>>;
  close(): Promise<void>;
}

const PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Convene bot</title>
<style>html,body{margin:0;height:100%;font-family:Segoe UI,system-ui,sans-serif}#webchat{height:100%}</style></head>
<body><div id="webchat" role="main"></div><script src="/webchat.js"></script><script>
window.WebChat.renderWebChat({
  directLine: window.WebChat.createDirectLine({ token: 'loopback', domain: location.origin + '/v3/directline', webSocket: false, pollingInterval: 300 }),
  userID: 'dl-user', username: 'Coordinator', locale: 'en-US',
  styleOptions: { bubbleMaxWidth: 720, bubbleMinWidth: 400 }
}, document.getElementById('webchat'));
</script></body></html>`;

/** Starts the adapter; `botUrl` is the server's base URL. */
export async function startDirectLine(botUrl: string, user: TeamsUser): Promise<DirectLine> {
  const webchat = readFileSync(resolve(__dirname, '../../node_modules/botframework-webchat/dist/webchat.js'));
  const conversations = new Map<string, Array<Record<string, unknown>>>();
  let base = '';

  const send = (res: ServerResponse, status: number, body?: unknown) => {
    const payload = body === undefined ? '' : JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(payload);
  };
  const read = async (req: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const c of req as AsyncIterable<Buffer>) chunks.push(c);
    const text = Buffer.concat(chunks).toString('utf8');
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  };
  const queue = (id: string, activity: Record<string, unknown>) => {
    const list = conversations.get(id) ?? [];
    list.push(activity);
    conversations.set(id, list);
  };

  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const path = url.pathname;
      let m: RegExpExecArray | null;
      if (req.method === 'GET' && path === '/') {
        res.writeHead(200, { 'content-type': 'text/html' });
        return res.end(PAGE);
      }
      if (req.method === 'GET' && path === '/webchat.js') {
        res.writeHead(200, { 'content-type': 'text/javascript' });
        return res.end(webchat);
      }
      if (req.method === 'POST' && (path === '/v3/directline/conversations' || path === '/v3/directline/tokens/refresh')) {
        const id = `dl-${randomUUID()}`;
        conversations.set(id, []);
        return send(res, 201, { conversationId: id, token: 'loopback', expires_in: 3600 });
      }
      if ((m = /^\/v3\/directline\/conversations\/([^/]+)\/activities$/.exec(path))) {
        const id = m[1] as string;
        const list = conversations.get(id) ?? [];
        if (req.method === 'GET') {
          const from = Number(url.searchParams.get('watermark') ?? '0') || 0;
          return send(res, 200, { activities: list.slice(from), watermark: String(list.length) });
        }
        const incoming = await read(req);
        const teams = teamsFields(user, id);
        const activity = {
          ...incoming,
          ...teams,
          // Keep Web Chat's clientActivityID: it matches the echo to the message it sent.
          channelData: { ...(incoming.channelData as object | undefined), ...teams.channelData },
          from: { ...teams.from, name: 'Coordinator' },
          id: `${id}|${String(list.length).padStart(7, '0')}`,
          timestamp: new Date().toISOString(),
          serviceUrl: base,
        };
        queue(id, { ...activity, from: { id: 'dl-user', name: 'Coordinator', role: 'user' } });
        // Forward to the bot; it answers through serviceUrl (this server).
        void fetch(`${botUrl}/api/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(activity),
        });
        return send(res, 200, { id: activity.id });
      }
      // Bot Connector: the bot sends, replies and updates.
      if ((m = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/]+))?$/.exec(path))) {
        const id = decodeURIComponent(m[1] as string);
        const activity = await read(req);
        if (req.method === 'PUT' && m[2]) {
          const target = decodeURIComponent(m[2]);
          const list = conversations.get(id) ?? [];
          const updated = {
            ...withoutUniversalActions(activity),
            id: target,
            from: { id: 'bot', name: 'Convene', role: 'bot' },
            timestamp: new Date().toISOString(),
          };
          // Appended (watermarks stay valid); Web Chat upserts by id, replacing the old card.
          list.push(updated);
          return send(res, 200, { id: target });
        }
        const newId = `${id}|bot-${randomUUID()}`;
        if (activity.type !== 'typing')
          queue(id, {
            ...withoutUniversalActions(activity),
            id: newId,
            from: { id: 'bot', name: 'Convene', role: 'bot' },
            timestamp: new Date().toISOString(),
          });
        return send(res, 200, { id: newId });
      }
      send(res, 404, { error: { code: 'NotFound', message: path } });
    })().catch((e: unknown) => send(res, 500, { error: { code: 'Internal', message: String(e) } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    activities: () => {
      const byId = new Map<unknown, Record<string, unknown>>();
      for (const a of [...conversations.values()].flat()) byId.set(a.id, a);
      return [...byId.values()];
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Web Chat's card renderer knows `Action.Execute` but Web Chat sends nothing over Direct Line
 * for it: as a host without universal actions, the adapter shows each button's own
 * `Action.Submit` fallback (the card's declared fallback, Adaptive Cards' rule for hosts that
 * cannot run an element).
 */
function withoutUniversalActions<T>(value: T): T {
  if (Array.isArray(value)) return value.map(withoutUniversalActions) as T;
  if (!value || typeof value !== 'object') return value;
  const o = value as Record<string, unknown>;
  if (o.type === 'Action.Execute' && o.fallback && typeof o.fallback === 'object') return withoutUniversalActions(o.fallback) as T;
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, withoutUniversalActions(v)])) as T;
}
