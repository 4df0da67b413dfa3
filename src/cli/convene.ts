/**
 * `npx convene`: the command line for recruiting coordinators and IT admins.
 *
 * It is a client of Convene's HTTP API (so a running server's store is not opened twice, and it
 * goes through exactly the services, dual lock and audit the taskpane and bot use). Against the
 * local simulator (`npm start`), `--as <upn>` signs in as a demo user; against a real tenant pass
 * a user token for `api://<client id>/access_as_user` with `--token` or `CONVENE_TOKEN`.
 *
 * Commands: availability, book, interviews, cancel, token, doctor, keys rotate. `convene help` prints usage.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DateTime } from 'luxon';
import type { AvailabilityRequestInput, AvailabilityResponse, CreateInterviewRequestInput, ErrorBody, Interview } from '../shared/api';
import { loadConfig } from '../server/config';
import { createFetch, type FetchLike } from '../server/net';
import { type DoctorTarget, formatDoctor, runDoctor } from './doctor';
import { keysCommand } from './keys';

const USAGE = `Usage: convene <command> [options]

Commands
  availability  Free slots for a panel, in the organizer's zone with each attendee's local time
                --panel a@x,b@x  --duration MIN  [--from ISO|DATE] [--to ISO|DATE] [--step MIN]
                [--buffer MIN] [--candidate-tz IANA] [--max N] [--json]
  book          Book an interview in your own calendar (you are the organizer)
                --candidate "Jane Doe <jane@example.com>"  --panel a@x,b@x  --start ISO
                (--duration MIN | --end ISO)  [--subject TEXT] [--idempotency-key KEY] [--no-teams] [--json]
  interviews    Your interviews  [--from ISO] [--to ISO] [--json]
  cancel ID     Cancel one of your interviews  [--comment TEXT]
  token         Print a simulator user token  --as UPN
  doctor        Check a tenant: consent, granted roles, mailbox reach, clock skew, login and Graph hosts
                --tenant ID|DOMAIN  [--mailbox a@x --mailbox b@x ...] [--json]   (exit 1 on any problem)
                Uses AZURE_CLIENT_ID + secret/certificate (Microsoft cloud), else the simulator of npm start.
  keys rotate   Re-wrap every stored tenant credential with CONVENE_MASTER_KEY (old keys in
                CONVENE_MASTER_KEY_PREVIOUS) or CONVENE_KEYVAULT_KEY_ID. PGlite: stop the server first.

Sign-in (one of)
  --as UPN           a user of the local simulator (npm start)
  --token TOKEN      or CONVENE_TOKEN: a user token for Convene's API
Server
  --server URL       default http://127.0.0.1:$PORT (3000)
`;

interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

const OPTIONS = {
  as: { type: 'string' },
  token: { type: 'string' },
  server: { type: 'string' },
  panel: { type: 'string' },
  duration: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  step: { type: 'string' },
  buffer: { type: 'string' },
  'candidate-tz': { type: 'string' },
  max: { type: 'string' },
  candidate: { type: 'string' },
  start: { type: 'string' },
  end: { type: 'string' },
  subject: { type: 'string' },
  'idempotency-key': { type: 'string' },
  'no-teams': { type: 'boolean' },
  comment: { type: 'string' },
  tenant: { type: 'string' },
  mailbox: { type: 'string', multiple: true },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

class UsageError extends Error {}

/**
 * Runs the CLI. Resolves with the process exit code (0 ok, 1 API error, 2 usage error).
 * @param env the environment (PORT, SIM_PORT, CONVENE_DATA_DIR, CONVENE_TOKEN)
 */
export async function main(
  argv: string[],
  env: Record<string, string | undefined> = process.env,
  io: Io = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) },
): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    io.err(`${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values: o, positionals } = parsed;
  const command = positionals[0];
  if (!command || command === 'help' || o.help) {
    io.out(USAGE);
    return command || o.help ? 0 : 2;
  }
  try {
    const ctx = clientContext(env, o.server);
    switch (command) {
      case 'doctor': {
        const tenant = need(o.tenant, '--tenant');
        const target = doctorTarget(env, ctx);
        const checks = await runDoctor(target, tenant, o.mailbox ?? []);
        io.out(o.json ? `${JSON.stringify({ tenant, checks }, null, 2)}\n` : formatDoctor(target, tenant, checks));
        return checks.some((c) => c.status === 'fail') ? 1 : 0;
      }
      case 'keys':
        return await keysCommand(positionals[1], env, io);
      case 'token': {
        io.out(`${await simToken(ctx, need(o.as, '--as'))}\n`);
        return 0;
      }
      case 'availability': {
        const token = await signIn(ctx, o, env);
        const from = o.from ? instant(o.from, '--from') : DateTime.utc().startOf('day').plus({ days: 1 });
        const to = o.to ? instant(o.to, '--to') : from.plus({ days: 7 });
        const request: AvailabilityRequestInput = {
          panel: list(need(o.panel, '--panel')),
          durationMinutes: int(need(o.duration, '--duration'), '--duration'),
          window: { start: iso(from), end: iso(to) },
          maxSlots: o.max ? int(o.max, '--max') : 20,
          ...(o.step ? { stepMinutes: int(o.step, '--step') } : {}),
          ...(o.buffer ? { bufferMinutes: int(o.buffer, '--buffer') } : {}),
          ...(o['candidate-tz'] ? { candidate: { timeZone: o['candidate-tz'] } } : {}),
        };
        const result = await call<AvailabilityResponse>(ctx, 'POST', '/api/availability', token, request);
        io.out(o.json ? `${JSON.stringify(result, null, 2)}\n` : formatAvailability(result));
        return 0;
      }
      case 'book': {
        const token = await signIn(ctx, o, env);
        const start = instant(need(o.start, '--start'), '--start');
        const end = o.end ? instant(o.end, '--end') : start.plus({ minutes: int(need(o.duration, '--duration or --end'), '--duration') });
        const request: CreateInterviewRequestInput = {
          candidate: candidate(need(o.candidate, '--candidate')),
          panel: list(need(o.panel, '--panel')),
          start: iso(start),
          end: iso(end),
          ...(o.subject ? { subject: o.subject } : {}),
          teamsMeeting: !o['no-teams'],
        };
        // Without an explicit key, the same command run twice is the same booking: never two events.
        const key = o['idempotency-key'] ?? `cli-${createHash('sha256').update(JSON.stringify(request)).digest('hex').slice(0, 40)}`;
        const { body: result, headers } = await callWithHeaders<Interview>(ctx, 'POST', '/api/interviews', token, request, {
          'Idempotency-Key': key,
          'X-Convene-Channel': 'cli',
        });
        const replayed = headers.get('idempotent-replayed') === 'true';
        io.out(o.json ? `${JSON.stringify(result, null, 2)}\n` : formatInterview(result, key, replayed));
        return 0;
      }
      case 'interviews': {
        const token = await signIn(ctx, o, env);
        const q = new URLSearchParams();
        if (o.from) q.set('from', iso(instant(o.from, '--from')));
        if (o.to) q.set('to', iso(instant(o.to, '--to')));
        const rows = await call<Interview[]>(ctx, 'GET', `/api/interviews${q.size ? `?${q}` : ''}`, token);
        io.out(
          o.json
            ? `${JSON.stringify(rows, null, 2)}\n`
            : rows.map((r) => `${r.id}  ${r.status.padEnd(9)}  ${r.start}  ${r.subject}\n`).join('') || 'No interviews.\n',
        );
        return 0;
      }
      case 'cancel': {
        const token = await signIn(ctx, o, env);
        const id = need(positionals[1], 'the interview id');
        const result = await call<Interview>(
          ctx,
          'POST',
          `/api/interviews/${encodeURIComponent(id)}/cancel`,
          token,
          o.comment ? { comment: o.comment } : {},
        );
        io.out(`Cancelled ${result.id}: attendees were notified.\n`);
        return 0;
      }
      default:
        throw new UsageError(`Unknown command "${command}".`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`${e.message}\n\n${USAGE}`);
      return 2;
    }
    io.err(`${(e as Error).message}\n`);
    return 1;
  }
}

interface ClientContext {
  serverUrl: string;
  /** Trusts the CA of the server's development certificate when `npm start` serves HTTPS (office-addin-dev-certs). */
  serverFetch: FetchLike;
  simUrl: string;
  /** The simulator's app registration, from dev.json (doctor against `npm start`). */
  simApp: { clientId: string; clientSecret: string } | undefined;
  /** Trusts the simulator's certificate when `npm start` wrote it. */
  simFetch: FetchLike;
}

function clientContext(env: Record<string, string | undefined>, server: string | undefined): ClientContext {
  const config = loadConfig(env);
  const state = join(config.dataDir, 'dev.json');
  let dev: {
    serverUrl?: string;
    serverCaPath?: string;
    simUrl?: string;
    caPath?: string;
    simClientId?: string;
    simClientSecret?: string;
  } = {};
  if (existsSync(state)) dev = JSON.parse(readFileSync(state, 'utf8')) as typeof dev;
  const caPem = dev.caPath && existsSync(dev.caPath) ? readFileSync(dev.caPath, 'utf8') : undefined;
  return {
    serverUrl: (server ?? dev.serverUrl ?? `http://127.0.0.1:${config.port}`).replace(/\/$/, ''),
    serverFetch:
      dev.serverCaPath && existsSync(dev.serverCaPath)
        ? createFetch({ caPem: readFileSync(dev.serverCaPath, 'utf8') })
        : (i, init) => fetch(i, init),
    simUrl: dev.simUrl ?? `https://127.0.0.1:${config.simPort}`,
    simApp: dev.simClientId && dev.simClientSecret ? { clientId: dev.simClientId, clientSecret: dev.simClientSecret } : undefined,
    simFetch: createFetch(caPem ? { caPem } : {}),
  };
}

/** The Microsoft cloud when Convene's app registration is configured, else the local simulator. */
function doctorTarget(env: Record<string, string | undefined>, ctx: ClientContext): DoctorTarget {
  const config = loadConfig(env);
  if (config.app)
    return {
      loginEndpoint: config.cloud.loginEndpoint,
      graphEndpoint: config.cloud.graphEndpoint,
      clientId: config.app.clientId,
      credential: config.app.credential,
      fetch: createFetch(),
      label: `the Microsoft cloud (${config.cloud.name})`,
    };
  if (!ctx.simApp)
    throw new UsageError(
      'No Microsoft credentials (AZURE_CLIENT_ID with AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH) and no local simulator (npm start) found.',
    );
  return {
    loginEndpoint: ctx.simUrl,
    graphEndpoint: ctx.simUrl,
    clientId: ctx.simApp.clientId,
    credential: { kind: 'secret', secret: ctx.simApp.clientSecret },
    fetch: ctx.simFetch,
    label: 'the local simulator (npm start)',
  };
}

async function signIn(
  ctx: ClientContext,
  o: { as?: string | undefined; token?: string | undefined },
  env: Record<string, string | undefined>,
): Promise<string> {
  if (o.token) return o.token;
  if (o.as) return simToken(ctx, o.as);
  if (env.CONVENE_TOKEN) return env.CONVENE_TOKEN;
  throw new UsageError('Sign in with --as <upn> (local simulator) or --token / CONVENE_TOKEN.');
}

async function simToken(ctx: ClientContext, upn: string): Promise<string> {
  let res: Response;
  try {
    res = await ctx.simFetch(`${ctx.simUrl}/_sim/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ upn }),
    });
  } catch (e) {
    throw new Error(
      `The local Microsoft 365 simulator is not reachable at ${ctx.simUrl} (start it with npm start): ${(e as Error).message}`,
      { cause: e },
    );
  }
  const body = (await res.json()) as { access_token?: string; error_description?: string };
  if (!res.ok || !body.access_token) throw new Error(`The simulator refused to sign in ${upn}: ${body.error_description ?? res.status}`);
  return body.access_token;
}

async function call<T>(
  ctx: ClientContext,
  method: string,
  path: string,
  token: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<T> {
  return (await callWithHeaders<T>(ctx, method, path, token, body, headers)).body;
}

/** Like {@link call}, with the response headers (e.g. `Idempotent-Replayed`). */
async function callWithHeaders<T>(
  ctx: ClientContext,
  method: string,
  path: string,
  token: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ body: T; headers: Headers }> {
  let res: Response;
  try {
    res = await ctx.serverFetch(`${ctx.serverUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (e) {
    throw new Error(`Convene is not reachable at ${ctx.serverUrl} (start it with npm start): ${(e as Error).message}`, { cause: e });
  }
  const text = await res.text();
  const json = text ? (JSON.parse(text) as unknown) : undefined;
  if (!res.ok) {
    const err = (json as ErrorBody | undefined)?.error;
    const details = err?.details?.map((d) => `\n  - ${d.path}: ${d.message}`).join('') ?? '';
    throw new Error(`${err?.code ?? res.status}: ${err?.message ?? text}${details}`);
  }
  return { body: json as T, headers: res.headers };
}

function need(v: string | undefined, name: string): string {
  if (v === undefined || v === '') throw new UsageError(`Missing ${name}.`);
  return v;
}

function int(v: string, name: string): number {
  if (!/^\d+$/.test(v)) throw new UsageError(`${name} must be a whole number.`);
  return Number(v);
}

function list(v: string): string[] {
  return v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function instant(v: string, name: string): DateTime {
  const d = DateTime.fromISO(v, { zone: 'utc', setZone: true });
  if (!d.isValid) throw new UsageError(`${name} must be an ISO 8601 date or date-time, e.g. 2026-11-23 or 2026-11-23T09:00:00-08:00.`);
  return d;
}

function iso(d: DateTime): string {
  return d.toUTC().toISO({ suppressMilliseconds: true }) as string;
}

function candidate(v: string): { name: string; email: string } {
  const m = /^\s*(.+?)\s*<\s*([^>\s]+)\s*>\s*$/.exec(v);
  if (!m) throw new UsageError('--candidate must look like "Jane Doe <jane@example.com>".');
  return { name: m[1] as string, email: m[2] as string };
}

/** A table: the start in the organizer's zone, then each attendee's and the candidate's local time. */
export function formatAvailability(r: AvailabilityResponse): string {
  const lines: string[] = [];
  lines.push(`Organizer ${r.organizer.email} (${r.organizer.timeZone})`);
  for (const a of r.attendees)
    lines.push(
      `  ${a.status === 'ok' ? 'ok      ' : a.status.padEnd(8)} ${a.email}${a.timeZone ? ` (${a.timeZone})` : ''}${a.reason ? ` - ${a.reason}` : ''}`,
    );
  if (!r.complete) lines.push('  Warning: some calendars could not be read; those attendees were NOT checked.');
  if (r.slots.length === 0) {
    lines.push(r.noSlotsReason ? `No slot fits everyone: ${r.noSlotsReason.message}` : 'No slot fits everyone in this window.');
    return `${lines.join('\n')}\n`;
  }
  const people = Object.keys(r.slots[0]?.local ?? {});
  const header = ['Start (organizer)', ...people.map((p) => (p === 'candidate' ? 'candidate' : (p.split('@')[0] ?? p)))];
  const rows = r.slots.map((s) => [
    DateTime.fromISO(s.start, { zone: r.organizer.timeZone }).toFormat('ccc dd LLL HH:mm'),
    ...people.map((p) => DateTime.fromISO(s.local[p] ?? '', { setZone: true }).toFormat('ccc HH:mm')),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const fmt = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
  lines.push('', fmt(header), ...rows.map(fmt));
  if (r.truncated) lines.push(`(first ${r.slots.length} slots; use --max for more)`);
  return `${lines.join('\n')}\n`;
}

function formatInterview(i: Interview, key: string, replayed: boolean): string {
  return [
    replayed ? `Already booked with this Idempotency-Key: nothing new was created. ${i.id} (${i.status})` : `Booked ${i.id} (${i.status})`,
    `  ${i.subject}`,
    `  ${DateTime.fromISO(i.start, { zone: i.timeZone }).toFormat('ccc dd LLL yyyy HH:mm')}-${DateTime.fromISO(i.end, { zone: i.timeZone }).toFormat('HH:mm')} ${i.timeZone}`,
    `  organizer ${i.organizer.email}; attendees ${[...i.panel, i.candidate.email].join(', ')}`,
    i.joinUrl ? `  Teams: ${i.joinUrl}` : '',
    `  Idempotency-Key: ${key} (running the same command again books nothing new)`,
    '',
  ]
    .filter((l) => l !== '')
    .join('\n')
    .concat('\n');
}
