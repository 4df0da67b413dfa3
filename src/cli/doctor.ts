/**
 * `npx convene doctor --tenant <id or domain> [--mailbox a@x ...]`: checks, one line each, what
 * Convene needs from a tenant and the network, and exits non-zero on any problem:
 *
 * - login host reachable (the tenant's OpenID configuration; also resolves a domain to the tenant id),
 * - clock skew against the login host's `Date` header (tokens carry `nbf`/`exp`; Entra allows
 *   about 5 minutes of skew),
 * - Graph host reachable,
 * - consent: an app-only token can be acquired for the tenant (client credentials),
 * - granted roles: the token's `roles` against Convene's required permissions,
 * - mailbox reach, per `--mailbox`: getSchedule (Calendars.ReadWrite) and mailboxSettings
 *   (MailboxSettings.Read) as app-only calls; 403 = blocked by the Application Access Policy or
 *   outside the RBAC for Applications scope. Only status codes are read, never calendar data.
 *
 * Against the Microsoft cloud it uses `AZURE_CLIENT_ID` + secret or certificate and
 * `CONVENE_CLOUD`/`LOGIN_ENDPOINT`/`GRAPH_ENDPOINT`; without them, the local simulator started by
 * `npm start` (found through `<data dir>/dev.json`).
 *
 * @see https://learn.microsoft.com/entra/identity-platform/v2-protocols-oidc (OpenID configuration)
 * @see https://learn.microsoft.com/graph/api/calendar-getschedule
 * @see https://learn.microsoft.com/graph/auth-limit-mailbox-access
 */
import { type AppCredential, probeAppRegistration } from '../server/auth/app-tokens';
import { REQUIRED_APP_PERMISSIONS } from '../server/consent/permissions';
import type { FetchLike } from '../server/net';

/** One check's outcome. `fail` makes the exit code non-zero; `warn` does not. */
export interface DoctorCheck {
  status: 'ok' | 'warn' | 'fail';
  name: string;
  detail: string;
}

export interface DoctorTarget {
  loginEndpoint: string;
  graphEndpoint: string;
  clientId: string;
  credential: AppCredential;
  fetch: FetchLike;
  /** Where these came from, for the header line (`Microsoft cloud global`, `local simulator`). */
  label: string;
}

/** Largest clock skew accepted, ms (Entra's token lifetime checks tolerate about 5 minutes). */
export const maxClockSkewMs = 5 * 60 * 1000;
/** Mailbox roles a token may lack when RBAC for Applications grants them in Exchange instead. */
const rbacGrantable = new Set(['Calendars.ReadWrite', 'MailboxSettings.Read']);
const guid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

/**
 * Runs every check (later ones are skipped when an earlier one they need failed).
 * @param now epoch ms (injectable for tests)
 */
export async function runDoctor(
  target: DoctorTarget,
  tenant: string,
  mailboxes: readonly string[],
  now: () => number = Date.now,
): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  const add = (status: DoctorCheck['status'], name: string, detail: string) => checks.push({ status, name, detail });

  // 1. Login host and tenant id, 2. clock skew.
  let tid: string | undefined;
  const metadataUrl = `${target.loginEndpoint}/${encodeURIComponent(tenant)}/v2.0/.well-known/openid-configuration`;
  const sent = now();
  let res: Response | undefined;
  try {
    res = await target.fetch(metadataUrl, { signal: AbortSignal.timeout(10_000) });
  } catch (e) {
    add('fail', 'login host', `${target.loginEndpoint} not reachable: ${(e as Error).message}`);
  }
  if (res) {
    const received = now();
    add('ok', 'login host', `${target.loginEndpoint} answered in ${received - sent} ms`);
    const date = res.headers.get('date');
    if (date && !Number.isNaN(Date.parse(date))) {
      // The Date header has whole seconds: compare with the middle of the request, allow 1 s.
      const skewMs = (sent + received) / 2 - Date.parse(date);
      const text = `${skewMs >= 0 ? '+' : ''}${(skewMs / 1000).toFixed(1)} s against the login host's Date header`;
      add(
        Math.abs(skewMs) > maxClockSkewMs ? 'fail' : 'ok',
        'clock skew',
        Math.abs(skewMs) > maxClockSkewMs ? `${text}: set the clock (NTP)` : text,
      );
    } else add('warn', 'clock skew', 'the login host sent no Date header');
    const body = (await res.json().catch(() => ({}))) as { issuer?: string; error_description?: string };
    tid = res.ok ? guid.exec(body.issuer ?? '')?.[0]?.toLowerCase() : undefined;
    if (tid) add('ok', 'tenant', `${tenant} is tenant ${tid}`);
    else add('fail', 'tenant', `${tenant} is not a tenant of this cloud: ${firstLine(body.error_description) ?? `HTTP ${res.status}`}`);
  }

  // 3. Graph host.
  try {
    const started = now();
    const g = await target.fetch(`${target.graphEndpoint}/v1.0/organization`, { signal: AbortSignal.timeout(10_000) });
    await g.arrayBuffer();
    add('ok', 'graph host', `${target.graphEndpoint} answered (HTTP ${g.status}) in ${now() - started} ms`);
  } catch (e) {
    add('fail', 'graph host', `${target.graphEndpoint} not reachable: ${(e as Error).message}`);
  }

  // 4. Consent, 5. roles.
  let accessToken: string | undefined;
  let roles: string[] = [];
  if (tid) {
    try {
      const token = await probeAppRegistration({ clientId: target.clientId, credential: target.credential }, tid, target);
      accessToken = token.accessToken;
      roles = token.roles;
      add('ok', 'consent', `app-only token acquired for app ${target.clientId}`);
    } catch (e) {
      add(
        'fail',
        'consent',
        `no app-only token for app ${target.clientId}: ${(e as Error).message} Connect the tenant on the Convene admin page.`,
      );
    }
  } else add('fail', 'consent', 'not checked: the tenant is unknown');

  if (accessToken) {
    const missing = REQUIRED_APP_PERMISSIONS.map((p) => p.name).filter((n) => !roles.includes(n));
    const hard = missing.filter((n) => !rbacGrantable.has(n));
    if (missing.length === 0) add('ok', 'granted roles', roles.join(', '));
    else if (hard.length === 0 && mailboxes.length > 0)
      add(
        'warn',
        'granted roles',
        `token lacks ${missing.join(', ')}: fine only if RBAC for Applications grants them (see the mailbox checks)`,
      );
    else add('fail', 'granted roles', `missing ${missing.join(', ')} (granted: ${roles.join(', ') || 'none'})`);
  }

  // 6. Mailboxes.
  for (const mailbox of mailboxes) {
    if (!accessToken) {
      add('fail', 'mailbox', `${mailbox}: not checked (no app-only token)`);
      continue;
    }
    add(...(await mailboxCheck(target, accessToken, mailbox, now)));
  }
  return checks;
}

async function mailboxCheck(
  target: DoctorTarget,
  token: string,
  mailbox: string,
  now: () => number,
): Promise<[DoctorCheck['status'], string, string]> {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const user = encodeURIComponent(mailbox);
  const start = new Date(now());
  const end = new Date(now() + 3_600_000);
  const stamp = (d: Date) => d.toISOString().slice(0, 19);
  const calls = [
    {
      what: 'getSchedule',
      run: () =>
        target.fetch(`${target.graphEndpoint}/v1.0/users/${user}/calendar/getSchedule`, {
          method: 'POST',
          headers,
          body: JSON.stringify({
            schedules: [mailbox],
            startTime: { dateTime: stamp(start), timeZone: 'UTC' },
            endTime: { dateTime: stamp(end), timeZone: 'UTC' },
            availabilityViewInterval: 60,
          }),
          signal: AbortSignal.timeout(15_000),
        }),
    },
    {
      what: 'mailboxSettings',
      run: () =>
        target.fetch(`${target.graphEndpoint}/v1.0/users/${user}/mailboxSettings`, { headers, signal: AbortSignal.timeout(15_000) }),
    },
  ];
  for (const call of calls) {
    let res: Response;
    try {
      res = await call.run();
    } catch (e) {
      return ['fail', 'mailbox', `${mailbox}: Graph not reachable (${(e as Error).message})`];
    }
    const body = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
    // The body is dropped: only the status and the error text are read.
    if (res.status === 403)
      return [
        'fail',
        'mailbox',
        `${mailbox}: blocked (${call.what}: ${body.error?.code ?? 'HTTP 403'}: ${firstLine(body.error?.message) ?? ''}). Add it to the group of the access policy / RBAC scope (infra/exchange/).`,
      ];
    if (res.status === 404) return ['fail', 'mailbox', `${mailbox}: not found in the tenant (or has no Exchange Online mailbox)`];
    if (!res.ok) return ['fail', 'mailbox', `${mailbox}: ${call.what} answered HTTP ${res.status} ${body.error?.code ?? ''}`.trimEnd()];
  }
  return ['ok', 'mailbox', `${mailbox}: reachable (getSchedule and mailboxSettings)`];
}

/** The checks as the human-readable report, a line per check, and a closing verdict. */
export function formatDoctor(target: DoctorTarget, tenant: string, checks: readonly DoctorCheck[]): string {
  const label = { ok: 'ok  ', warn: 'warn', fail: 'FAIL' } as const;
  const problems = checks.filter((c) => c.status === 'fail').length;
  return [
    `Convene doctor: tenant ${tenant} on ${target.label} (login ${target.loginEndpoint}, graph ${target.graphEndpoint})`,
    ...checks.map((c) => `${label[c.status]}  ${c.name.padEnd(14)} ${c.detail}`),
    problems === 0 ? 'No problems found.' : `${problems} problem${problems === 1 ? '' : 's'} found.`,
    '',
  ].join('\n');
}

function firstLine(s: string | undefined): string | undefined {
  return s?.split(/\r?\n/)[0];
}
