import { ConveneError } from '../../../shared/errors';
import type { AuditEntry } from '../../store/types';
import type { CallContext, NewEvent } from '../provider';
import { accessDeniedReason, blockedReason } from './errors';
import { deferred, FakeGraph, fakeTime, fakeTokens, settle, type RecordedRequest, type Reply } from './fake-graph';
import { createGraphCalendarProvider, transactionPropertyId } from './graph-provider';

const ctx: CallContext = { tenantId: 'tid-1', actorOid: 'oid-org', requestId: 'conv-req-1' };
const DAY = 24 * 60 * 60 * 1000;
const T0 = Date.UTC(2026, 10, 23); // Monday 2026-11-23T00:00Z

function setup(graph: FakeGraph) {
  const time = fakeTime();
  const appended: AuditEntry[][] = [];
  const tokens = fakeTokens();
  const provider = createGraphCalendarProvider({
    graphEndpoint: graph.base,
    fetch: graph.fetch,
    tokens,
    audit: {
      append: (entries) => {
        appended.push(entries);
        return Promise.resolve();
      },
    },
    clock: time.clock,
    sleep: time.sleep,
    random: () => 0,
  });
  return { provider, time, appended, tokens };
}

interface ScheduleBody {
  schedules: string[];
  startTime: { dateTime: string; timeZone: string };
  endTime: { dateTime: string; timeZone: string };
  availabilityViewInterval: number;
}

const scheduleBody = (r: RecordedRequest) => r.body as ScheduleBody;

/** getSchedule answering every schedule with one busy item at the window start. */
function busyAtWindowStart(req: RecordedRequest): Reply {
  const b = scheduleBody(req);
  return {
    status: 200,
    body: {
      value: b.schedules.map((s) => ({
        scheduleId: s,
        availabilityView: '2',
        scheduleItems: [
          {
            status: 'busy',
            start: { dateTime: `${b.startTime.dateTime}.0000000`, timeZone: 'UTC' },
            end: { dateTime: addHour(b.startTime.dateTime), timeZone: 'UTC' },
          },
        ],
      })),
    },
  };
}

function addHour(wall: string): string {
  return new Date(Date.parse(`${wall}Z`) + 3600_000).toISOString().slice(0, 19);
}

const GET_SCHEDULE = '/users/oid-org/calendar/getSchedule';

describe('getSchedule', () => {
  it('asks in UTC for up to 20 schedules per call, all calls at once', async () => {
    const gates: Array<ReturnType<typeof deferred<void>>> = [];
    const graph = new FakeGraph().on('POST', GET_SCHEDULE, async (req) => {
      const g = deferred<void>();
      gates.push(g);
      await g.promise;
      return busyAtWindowStart(req);
    });
    const { provider } = setup(graph);
    const panel = Array.from({ length: 45 }, (_, i) => `p${i}@contoso.example`);

    const done = provider.getSchedule(ctx, 'oid-org', panel, T0, T0 + DAY);
    await settle();
    // All three calls reached Graph before any was answered.
    expect(graph.sent('POST', GET_SCHEDULE)).toHaveLength(3);
    expect(gates).toHaveLength(3);
    for (const g of gates) g.resolve();
    const results = await done;

    const bodies = graph.requests.map(scheduleBody);
    expect(bodies.map((b) => b.schedules.length)).toEqual([20, 20, 5]);
    expect(bodies.flatMap((b) => b.schedules)).toEqual(panel);
    expect(bodies[0]).toMatchObject({
      startTime: { dateTime: '2026-11-23T00:00:00', timeZone: 'UTC' },
      endTime: { dateTime: '2026-11-24T00:00:00', timeZone: 'UTC' },
      availabilityViewInterval: 30,
    });
    expect(graph.requests[0]!.headers.prefer).toBe('outlook.timezone="UTC"');
    expect(results.map((r) => r.mailbox)).toEqual(panel);
    expect(results[44]).toEqual({
      mailbox: 'p44@contoso.example',
      status: 'ok',
      items: [{ startMs: T0, endMs: T0 + 3600_000, status: 'busy' }],
    });
  });

  it('splits a 100-day window in two (each under 62 days) and merges the items per mailbox', async () => {
    const graph = new FakeGraph().on('POST', GET_SCHEDULE, busyAtWindowStart);
    const { provider, appended } = setup(graph);
    const results = await provider.getSchedule(ctx, 'oid-org', ['ann@contoso.example'], T0, T0 + 100 * DAY);

    const windows = graph.requests.map((r) => [scheduleBody(r).startTime.dateTime, scheduleBody(r).endTime.dateTime]);
    expect(windows).toEqual([
      ['2026-11-23T00:00:00', '2027-01-23T00:00:00'],
      ['2027-01-23T00:00:00', '2027-03-03T00:00:00'],
    ]);
    for (const [s, e] of windows) expect(Date.parse(`${e}Z`) - Date.parse(`${s}Z`)).toBeLessThan(62 * DAY);
    expect(results).toEqual([
      {
        mailbox: 'ann@contoso.example',
        status: 'ok',
        items: [
          { startMs: T0, endMs: T0 + 3600_000, status: 'busy' },
          { startMs: T0 + 61 * DAY, endMs: T0 + 61 * DAY + 3600_000, status: 'busy' },
        ],
      },
    ]);
    // One entry per schedule per call, appended once.
    expect(appended).toHaveLength(1);
    expect(appended[0]!.map((e) => e.targetMailbox)).toEqual(['ann@contoso.example', 'ann@contoso.example']);
  });

  it('maps per-schedule errors, reports a schedule Graph left out as error, and never reads either as free', async () => {
    const graph = new FakeGraph().on('POST', GET_SCHEDULE, {
      status: 200,
      body: {
        value: [
          {
            scheduleId: 'OK@contoso.example',
            scheduleItems: [
              {
                status: 'Tentative',
                start: { dateTime: '2026-11-23T09:00:00.0000000', timeZone: 'UTC' },
                end: { dateTime: '2026-11-23T09:30:00.0000000', timeZone: 'UTC' },
              },
            ],
          },
          {
            scheduleId: 'ghost@contoso.example',
            error: {
              message: 'Unable to resolve e-mail address ghost@contoso.example to an Active Directory object.',
              responseCode: '5009',
            },
          },
          {
            scheduleId: 'locked@contoso.example',
            error: { message: 'Access is denied.', responseCode: 'ErrorAccessDenied' },
            scheduleItems: [],
          },
          { scheduleId: 'busyserver@contoso.example', error: { message: 'busy', responseCode: 'ErrorServerBusy' } },
        ],
      },
    });
    const { provider } = setup(graph);
    const results = await provider.getSchedule(
      ctx,
      'oid-org',
      ['ok@contoso.example', 'ghost@contoso.example', 'locked@contoso.example', 'busyserver@contoso.example', 'silent@contoso.example'],
      T0,
      T0 + DAY,
    );
    expect(results).toEqual([
      {
        mailbox: 'ok@contoso.example',
        status: 'ok',
        items: [{ startMs: T0 + 9 * 3600_000, endMs: T0 + 9.5 * 3600_000, status: 'tentative' }],
      },
      {
        mailbox: 'ghost@contoso.example',
        status: 'notFound',
        reason: expect.stringMatching(/No Exchange Online mailbox/),
        graphCode: '5009',
      },
      { mailbox: 'locked@contoso.example', status: 'blocked', reason: accessDeniedReason, graphCode: 'ErrorAccessDenied' },
      {
        mailbox: 'busyserver@contoso.example',
        status: 'error',
        reason: expect.stringMatching(/ErrorServerBusy/),
        graphCode: 'ErrorServerBusy',
      },
      { mailbox: 'silent@contoso.example', status: 'error', reason: 'Graph did not return this schedule.' },
    ]);
  });

  it('converts items Graph sent in another zone, and fails a schedule whose zone it cannot place', async () => {
    const item = (tz: string) => ({
      status: 'busy',
      start: { dateTime: '2026-11-23T09:00:00', timeZone: tz },
      end: { dateTime: '2026-11-23T10:00:00', timeZone: tz },
    });
    const graph = new FakeGraph().on('POST', GET_SCHEDULE, {
      status: 200,
      body: {
        value: [
          { scheduleId: 'win@x.example', scheduleItems: [item('Pacific Standard Time')] },
          { scheduleId: 'iana@x.example', scheduleItems: [item('Asia/Tokyo')] },
          { scheduleId: 'odd@x.example', scheduleItems: [item('Mars Standard Time')] },
        ],
      },
    });
    const { provider } = setup(graph);
    const [win, iana, odd] = await provider.getSchedule(ctx, 'oid-org', ['win@x.example', 'iana@x.example', 'odd@x.example'], T0, T0 + DAY);
    expect(win).toMatchObject({ status: 'ok', items: [{ startMs: Date.UTC(2026, 10, 23, 17), endMs: Date.UTC(2026, 10, 23, 18) }] });
    expect(iana).toMatchObject({ status: 'ok', items: [{ startMs: Date.UTC(2026, 10, 23, 0), endMs: Date.UTC(2026, 10, 23, 1) }] });
    expect(odd).toMatchObject({ status: 'error', reason: expect.stringContaining('Mars Standard Time') });
  });

  it('a failure in one window makes that mailbox fail even if the other window was fine', async () => {
    let call = 0;
    const graph = new FakeGraph().on('POST', GET_SCHEDULE, (req) =>
      ++call === 2
        ? {
            status: 200,
            body: { value: [{ scheduleId: 'ann@x.example', error: { responseCode: 'ErrorAccessDenied', message: 'denied' } }] },
          }
        : busyAtWindowStart(req),
    );
    const { provider } = setup(graph);
    const [ann] = await provider.getSchedule(ctx, 'oid-org', ['ann@x.example'], T0, T0 + 100 * DAY);
    expect(ann).toMatchObject({ status: 'blocked' });
  });

  it('a 403 on the organizer’s own mailbox is forbidden, and is still audited', async () => {
    const graph = new FakeGraph().on('POST', GET_SCHEDULE, {
      status: 403,
      body: { error: { code: 'ErrorAccessDenied', message: 'Access to OData is disabled.' } },
      headers: { 'request-id': 'rid-403' },
    });
    const { provider, appended } = setup(graph);
    const p = provider.getSchedule(ctx, 'oid-org', ['a@x.example', 'b@x.example'], T0, T0 + DAY);
    await expect(p).rejects.toBeInstanceOf(ConveneError);
    await expect(p).rejects.toMatchObject({ code: 'forbidden', message: expect.stringMatching(/^Convene cannot access your mailbox/) });
    expect(appended).toEqual([
      [
        expect.objectContaining({ targetMailbox: 'a@x.example', status: 403, graphRequestId: 'rid-403' }),
        expect.objectContaining({ targetMailbox: 'b@x.example', status: 403 }),
      ],
    ]);
  });

  it('retries a throttled call after Retry-After and fails with graph_unavailable past the bound', async () => {
    const graph = new FakeGraph().on('POST', GET_SCHEDULE, {
      status: 429,
      headers: { 'retry-after': '5' },
      body: { error: { code: 'ApplicationThrottled' } },
    });
    const { provider, time, appended } = setup(graph);
    const p = provider.getSchedule(ctx, 'oid-org', ['a@x.example'], T0, T0 + DAY);
    await expect(p).rejects.toMatchObject({ code: 'graph_unavailable', retryAfterMs: 5000, graphStatus: 429 });
    expect(graph.requests).toHaveLength(4);
    expect(time.sleeps).toEqual([5000, 5000, 5000]);
    expect(appended[0]).toEqual([
      expect.objectContaining({ operation: 'calendar.getSchedule', targetMailbox: 'a@x.example', status: 429, graphRequestId: 'req-4' }),
    ]);
  });
});

describe('getSchedule completeness', () => {
  it('an attendee whose availabilityView shows busy time that no scheduleItem covers is an error, never free', async () => {
    const graph = new FakeGraph().on('POST', GET_SCHEDULE, (req) => {
      const b = scheduleBody(req);
      return {
        status: 200,
        body: {
          value: b.schedules.map((s, i) => ({
            scheduleId: s,
            // The second schedule's answer lost its only item: the view still says busy from 00:30.
            availabilityView: i === 0 ? '0' + '0'.repeat(47) : '02' + '0'.repeat(46),
            scheduleItems: [],
          })),
        },
      };
    });
    const { provider } = setup(graph);
    const out = await provider.getSchedule(ctx, 'oid-org', ['a@x.example', 'b@x.example'], T0, T0 + DAY);
    expect(out[0]).toEqual({ mailbox: 'a@x.example', status: 'ok', items: [] });
    expect(out[1]).toMatchObject({
      mailbox: 'b@x.example',
      status: 'error',
      reason: expect.stringMatching(/incomplete.*2026-11-23T00:30:00.000Z/),
    });
  });
});

describe('mailbox settings through $batch', () => {
  it('maps every sub-response: ok, blocked (403 RAOP), notFound (404), missing -> error', async () => {
    const graph = new FakeGraph().on('POST', '/$batch', (req) => {
      const requests = (req.body as { requests: Array<{ id: string; url: string }> }).requests;
      const byUrl = (m: string) => requests.find((r) => r.url === `/users/${m}/mailboxSettings`)!.id;
      return {
        status: 200,
        headers: { 'request-id': 'batch-rid' },
        body: {
          responses: [
            {
              id: byUrl('ok@x.example'),
              status: 200,
              headers: { 'request-id': 'sub-ok' },
              body: {
                timeZone: 'Pacific Standard Time',
                workingHours: {
                  daysOfWeek: ['Monday', 'tuesday'],
                  startTime: '09:00:00.0000000',
                  endTime: '17:00:00.0000000',
                  timeZone: { name: 'Pacific Standard Time' },
                },
                language: { locale: 'en-US' },
              },
            },
            {
              id: byUrl('blocked@x.example'),
              status: 403,
              body: {
                error: {
                  code: 'ErrorAccessDenied',
                  message: 'Access to OData is disabled: [RAOP] : Blocked by tenant configured AppOnly AccessPolicy settings.',
                },
              },
            },
            {
              id: byUrl('gone@x.example'),
              status: 404,
              body: { error: { code: 'MailboxNotEnabledForRESTAPI', message: 'REST API is not yet supported for this mailbox.' } },
            },
          ],
        },
      };
    });
    const { provider, appended } = setup(graph);
    const results = await provider.getMailboxSettings(ctx, ['ok@x.example', 'blocked@x.example', 'gone@x.example', 'lost@x.example']);
    expect(results).toEqual([
      {
        mailbox: 'ok@x.example',
        status: 'ok',
        settings: {
          timeZone: 'Pacific Standard Time',
          workingHours: {
            daysOfWeek: ['monday', 'tuesday'],
            startTime: '09:00:00.0000000',
            endTime: '17:00:00.0000000',
            timeZone: { name: 'Pacific Standard Time' },
          },
        },
      },
      { mailbox: 'blocked@x.example', status: 'blocked', reason: blockedReason, graphCode: 'ErrorAccessDenied' },
      {
        mailbox: 'gone@x.example',
        status: 'notFound',
        reason: expect.stringMatching(/MailboxNotEnabledForRESTAPI/),
        graphCode: 'MailboxNotEnabledForRESTAPI',
      },
      { mailbox: 'lost@x.example', status: 'error', reason: expect.stringMatching(/missing from the \$batch response/) },
    ]);
    expect(appended).toHaveLength(1);
    expect(appended[0]!.map((e) => [e.operation, e.targetMailbox, e.status, e.graphRequestId])).toEqual([
      ['mailboxSettings.get', 'ok@x.example', 200, 'sub-ok'],
      ['mailboxSettings.get', 'blocked@x.example', 403, 'batch-rid'],
      ['mailboxSettings.get', 'gone@x.example', 404, 'batch-rid'],
      ['mailboxSettings.get', 'lost@x.example', 0, 'batch-rid'],
    ]);
  });

  it('retries a 429 sub-response alone and audits its final answer once', async () => {
    let round = 0;
    const graph = new FakeGraph().on('POST', '/$batch', (req) => {
      const requests = (req.body as { requests: Array<{ id: string; url: string }> }).requests;
      round++;
      return {
        status: 200,
        body: {
          responses: requests.map((r) =>
            round === 1 && r.url.startsWith('/users/b@')
              ? { id: r.id, status: 429, headers: { 'Retry-After': '2' }, body: {} }
              : { id: r.id, status: 200, headers: { 'request-id': `sub-${round}-${r.id}` }, body: { timeZone: 'UTC' } },
          ),
        },
      };
    });
    const { provider, time, appended } = setup(graph);
    const results = await provider.getMailboxSettings(ctx, ['a@x.example', 'b@x.example']);
    expect(results.map((r) => r.status)).toEqual(['ok', 'ok']);
    expect(graph.requests.map((r) => (r.body as { requests: unknown[] }).requests.length)).toEqual([2, 1]);
    expect(time.sleeps).toEqual([2000]);
    expect(appended[0]!.map((e) => [e.targetMailbox, e.status, e.graphRequestId])).toEqual([
      ['a@x.example', 200, 'sub-1-1'],
      ['b@x.example', 200, 'sub-2-1'],
    ]);
  });

  it('gets the organizer, its settings and the panel’s in one $batch', async () => {
    const graph = new FakeGraph().on('POST', '/$batch', (req) => {
      const requests = (req.body as { requests: Array<{ id: string; url: string }> }).requests;
      return {
        status: 200,
        body: {
          responses: requests.map((r) =>
            r.url.startsWith('/users/oid-org?')
              ? {
                  id: r.id,
                  status: 200,
                  body: { id: 'oid-org', displayName: 'Olga Organizer', mail: null, userPrincipalName: 'olga@x.example' },
                }
              : { id: r.id, status: 200, body: { timeZone: r.url.includes('oid-org') ? 'W. Europe Standard Time' : 'UTC' } },
          ),
        },
      };
    });
    const { provider, appended } = setup(graph);
    const r = await provider.getOrganizerAndMailboxSettings(ctx, 'oid-org', ['a@x.example']);
    expect(graph.requests).toHaveLength(1);
    expect((graph.requests[0]!.body as { requests: Array<{ url: string }> }).requests.map((q) => q.url)).toEqual([
      '/users/oid-org?$select=id,displayName,mail,userPrincipalName',
      '/users/oid-org/mailboxSettings',
      '/users/a@x.example/mailboxSettings',
    ]);
    expect(r.organizer).toEqual({
      status: 'ok',
      user: { id: 'oid-org', displayName: 'Olga Organizer', mail: 'olga@x.example', userPrincipalName: 'olga@x.example' },
    });
    expect(r.organizerSettings).toEqual({
      mailbox: 'oid-org',
      status: 'ok',
      settings: { timeZone: 'W. Europe Standard Time', workingHours: null },
    });
    expect(r.attendees).toEqual([{ mailbox: 'a@x.example', status: 'ok', settings: { timeZone: 'UTC', workingHours: null } }]);
    expect(appended[0]!.map((e) => [e.operation, e.targetMailbox])).toEqual([
      ['users.get', 'oid-org'],
      ['mailboxSettings.get', 'oid-org'],
      ['mailboxSettings.get', 'a@x.example'],
    ]);
  });

  it('throws graph_unavailable when a sub-request stays throttled, after auditing every sub-request', async () => {
    const graph = new FakeGraph().on('POST', '/$batch', (req) => {
      const requests = (req.body as { requests: Array<{ id: string; url: string }> }).requests;
      return {
        status: 200,
        body: {
          responses: requests.map((r) => ({
            id: r.id,
            status: r.url.includes('/b@') ? 429 : 200,
            headers: { 'retry-after': '1' },
            body: {},
          })),
        },
      };
    });
    const { provider, appended } = setup(graph);
    await expect(provider.getMailboxSettings(ctx, ['a@x.example', 'b@x.example'])).rejects.toMatchObject({
      code: 'graph_unavailable',
      retryAfterMs: 1000,
    });
    expect(appended[0]!.map((e) => [e.targetMailbox, e.status])).toEqual([
      ['a@x.example', 200],
      ['b@x.example', 429],
    ]);
  });
});

describe('getSchedule and mailbox settings in one $batch', () => {
  interface SubRequest {
    id: string;
    method: string;
    url: string;
    headers?: Record<string, string>;
    body?: unknown;
  }
  /** A $batch endpoint answering each sub-request with `answer` (getSchedule: one busy hour at the window start). */
  function batchGraph(
    answer: (r: SubRequest) => { status: number; body?: unknown; headers?: Record<string, string> } | undefined = () => undefined,
  ) {
    return new FakeGraph().on('POST', '/$batch', (req) => {
      const requests = (req.body as { requests: SubRequest[] }).requests;
      return {
        status: 200,
        body: {
          responses: requests.map((r) => {
            const custom = answer(r);
            if (custom) return { id: r.id, ...custom };
            if (r.url.endsWith('/calendar/getSchedule'))
              return { id: r.id, status: 200, body: busyAtWindowStart({ body: r.body } as RecordedRequest).body };
            if (r.url.startsWith('/users/oid-org?'))
              return {
                id: r.id,
                status: 200,
                body: { id: 'oid-org', displayName: 'Olga', mail: 'olga@x.example', userPrincipalName: 'olga@x.example' },
              };
            return { id: r.id, status: 200, body: { timeZone: 'UTC' } };
          }),
        },
      };
    });
  }
  const subRequests = (graph: FakeGraph) => graph.sent('POST', '/$batch').flatMap((r) => (r.body as { requests: SubRequest[] }).requests);

  it('sends getSchedule as a POST sub-request next to the reads: one Graph request, audited per schedule', async () => {
    const graph = batchGraph();
    const { provider, appended } = setup(graph);
    const r = await provider.getScheduleAndMailboxSettings(ctx, 'oid-org', ['a@x.example', 'B@x.example'], T0, T0 + DAY);
    expect(graph.requests).toHaveLength(1);
    const subs = subRequests(graph);
    expect(subs.map((q) => [q.method, q.url])).toEqual([
      ['GET', '/users/oid-org?$select=id,displayName,mail,userPrincipalName'],
      ['GET', '/users/oid-org/mailboxSettings'],
      ['GET', '/users/a@x.example/mailboxSettings'],
      ['GET', '/users/B@x.example/mailboxSettings'],
      ['POST', '/users/oid-org/calendar/getSchedule'],
    ]);
    expect(subs[4]).toMatchObject({
      headers: { 'Content-Type': 'application/json', Prefer: 'outlook.timezone="UTC"' },
      body: {
        schedules: ['a@x.example', 'B@x.example'],
        startTime: { dateTime: '2026-11-23T00:00:00', timeZone: 'UTC' },
        endTime: { dateTime: '2026-11-24T00:00:00', timeZone: 'UTC' },
        availabilityViewInterval: 30,
      },
    });
    expect(r.organizer).toMatchObject({ status: 'ok', user: { mail: 'olga@x.example' } });
    expect(r.attendees.map((a) => a.status)).toEqual(['ok', 'ok']);
    expect(r.schedules).toEqual(
      ['a@x.example', 'B@x.example'].map((mailbox) => ({
        mailbox,
        status: 'ok',
        items: [{ startMs: T0, endMs: T0 + 3600_000, status: 'busy' }],
      })),
    );
    expect(appended[0]!.map((e) => [e.operation, e.targetMailbox])).toEqual([
      ['users.get', 'oid-org'],
      ['mailboxSettings.get', 'oid-org'],
      ['mailboxSettings.get', 'a@x.example'],
      ['mailboxSettings.get', 'B@x.example'],
      ['calendar.getSchedule', 'a@x.example'],
      ['calendar.getSchedule', 'B@x.example'],
    ]);
  });

  it('a panel of 40: two getSchedule chunks of 20 inside the batches, envelopes of 20 sent at once', async () => {
    const graph = batchGraph();
    const { provider } = setup(graph);
    const panel = Array.from({ length: 40 }, (_, i) => `p${i}@x.example`);
    const r = await provider.getScheduleAndMailboxSettings(ctx, 'oid-org', panel, T0, T0 + 7 * DAY);
    // 1 user + 1 organizer settings + 40 settings + 2 getSchedule = 44 sub-requests.
    expect(graph.requests.every((q) => q.path === '/$batch')).toBe(true);
    expect(graph.requests.map((q) => (q.body as { requests: unknown[] }).requests.length).sort()).toEqual([20, 20, 4]);
    const schedule = subRequests(graph).filter((q) => q.url.endsWith('getSchedule'));
    expect(schedule.map((q) => (q.body as ScheduleBody).schedules.length)).toEqual([20, 20]);
    expect(r.schedules.map((s) => s.status)).toEqual(panel.map(() => 'ok'));
  });

  it('more than two getSchedule calls (45 over 100 days) go out on their own, next to the batch (4-per-mailbox limit)', async () => {
    const graph = batchGraph().on('POST', GET_SCHEDULE, busyAtWindowStart);
    const { provider, appended } = setup(graph);
    const panel = Array.from({ length: 45 }, (_, i) => `p${i}@x.example`);
    const r = await provider.getScheduleAndMailboxSettings(ctx, 'oid-org', panel, T0, T0 + 100 * DAY);
    // 3 chunks x 2 windows as separate calls; the batch holds only the 47 reads.
    expect(
      graph
        .sent('POST', GET_SCHEDULE)
        .map((q) => scheduleBody(q).schedules.length)
        .sort(),
    ).toEqual([20, 20, 20, 20, 5, 5]);
    expect(subRequests(graph).filter((q) => q.url.endsWith('getSchedule'))).toEqual([]);
    expect(subRequests(graph)).toHaveLength(47);
    expect(r.schedules).toHaveLength(45);
    // Each mailbox has the busy hour at the start of both windows, merged.
    expect(r.schedules[44]).toMatchObject({ status: 'ok', items: [{ startMs: T0 }, { startMs: T0 + 61 * DAY }] });
    expect(appended.flat().filter((e) => e.operation === 'calendar.getSchedule')).toHaveLength(90);
  });

  it('an organizer who left the tenant: the schedules are not read as anything (error), and nothing throws', async () => {
    const graph = batchGraph((q) =>
      q.url.startsWith('/users/oid-org')
        ? { status: 404, body: { error: { code: 'ErrorInvalidUser', message: 'The requested user is invalid.' } } }
        : undefined,
    );
    const r = await setup(graph).provider.getScheduleAndMailboxSettings(ctx, 'oid-org', ['a@x.example'], T0, T0 + DAY);
    expect(r.organizer).toMatchObject({ status: 'notFound' });
    expect(r.schedules).toEqual([{ mailbox: 'a@x.example', status: 'error', reason: expect.any(String) }]);
  });

  it("getSchedule refused on the organizer's own mailbox (access policy) is forbidden; a throttled one is retried alone", async () => {
    const refused = batchGraph((q) =>
      q.url.endsWith('getSchedule')
        ? { status: 403, body: { error: { code: 'ErrorAccessDenied', message: 'Access to OData is disabled: [RAOP]' } } }
        : undefined,
    );
    await expect(
      setup(refused).provider.getScheduleAndMailboxSettings(ctx, 'oid-org', ['a@x.example'], T0, T0 + DAY),
    ).rejects.toMatchObject({
      code: 'forbidden',
    });

    let throttled = 0;
    const retried = batchGraph((q) =>
      q.url.endsWith('getSchedule') && throttled++ === 0 ? { status: 429, headers: { 'retry-after': '2' }, body: {} } : undefined,
    );
    const { provider, time } = setup(retried);
    const r = await provider.getScheduleAndMailboxSettings(ctx, 'oid-org', ['a@x.example'], T0, T0 + DAY);
    expect(r.schedules[0]).toMatchObject({ status: 'ok' });
    expect(time.sleeps).toEqual([2000]);
    expect(retried.requests.map((q) => (q.body as { requests: SubRequest[] }).requests.map((x) => x.method))).toEqual([
      ['GET', 'GET', 'GET', 'POST'],
      ['POST'],
    ]);
  });
});

describe('users', () => {
  it('getUser maps 404 to notFound', async () => {
    const graph = new FakeGraph().on('GET', '/users/nobody@x.example', {
      status: 404,
      body: { error: { code: 'Request_ResourceNotFound', message: "Resource 'nobody' does not exist" } },
    });
    const { provider } = setup(graph);
    await expect(provider.getUser(ctx, 'nobody@x.example')).resolves.toMatchObject({
      status: 'notFound',
      graphCode: 'Request_ResourceNotFound',
    });
    expect(graph.requests[0]!.url.searchParams.get('$select')).toBe('id,displayName,mail,userPrincipalName');
  });

  it('searchUsers filters on the three prefixes, doubles quotes, URL-encodes, and audits a tenant-wide read', async () => {
    const graph = new FakeGraph().on('GET', '/users', {
      status: 200,
      body: {
        value: [
          { id: 'u1', displayName: "Dan O'Brien", mail: 'dan@x.example', userPrincipalName: 'dan@x.example' },
          { id: 'u2', displayName: null, mail: null, userPrincipalName: 'ob@x.example' },
        ],
      },
    });
    const { provider, appended } = setup(graph);
    const users = await provider.searchUsers(ctx, " O'B&c ", 20);
    const url = graph.requests[0]!.url;
    expect(url.searchParams.get('$filter')).toBe(
      "startswith(displayName,'O''B&c') or startswith(mail,'O''B&c') or startswith(userPrincipalName,'O''B&c')",
    );
    expect(url.searchParams.get('$top')).toBe('20');
    expect(url.search).not.toContain(' ');
    expect(users).toEqual([
      { id: 'u1', displayName: "Dan O'Brien", mail: 'dan@x.example', userPrincipalName: 'dan@x.example' },
      { id: 'u2', displayName: 'ob@x.example', mail: 'ob@x.example', userPrincipalName: 'ob@x.example' },
    ]);
    expect(appended).toEqual([[expect.objectContaining({ operation: 'users.list', targetMailbox: null, status: 200 })]]);
  });

  it('searchUsers throws a GraphError when Graph refuses (e.g. no User.ReadBasic.All)', async () => {
    const graph = new FakeGraph().on('GET', '/users', {
      status: 403,
      body: { error: { code: 'Authorization_RequestDenied', message: 'Insufficient privileges' } },
    });
    const { provider } = setup(graph);
    await expect(provider.searchUsers(ctx, 'ann', 5)).rejects.toMatchObject({
      code: 'graph_error',
      graphStatus: 403,
      graphCode: 'Authorization_RequestDenied',
    });
  });
});

const event: NewEvent = {
  subject: 'Interview: Ann Candidate (confidential)',
  bodyHtml: '<p>Secret offer notes</p>',
  startMs: Date.UTC(2026, 10, 24, 17, 0), // 09:00 in Los Angeles (PST, UTC-8)
  endMs: Date.UTC(2026, 10, 24, 18, 0),
  timeZone: 'America/Los_Angeles',
  attendees: [{ email: 'bob@x.example', name: 'Bob Kim' }, { email: 'ann@candidate.example' }],
  teamsMeeting: true,
  transactionId: 'txn-7f3a',
};

describe('events', () => {
  it('createEvent posts UTC start/end (exact, accepted for every zone), required attendees, Teams and the transactionId', async () => {
    const graph = new FakeGraph().on('POST', '/users/oid-org/events', {
      status: 201,
      body: {
        id: 'ev-1',
        iCalUId: 'ical-1',
        webLink: 'https://outlook.test/ev-1',
        onlineMeeting: { joinUrl: 'https://teams.test/join/1' },
        subject: event.subject,
      },
    });
    const { provider } = setup(graph);
    const created = await provider.createEvent(ctx, 'oid-org', event);
    expect(created).toEqual({ id: 'ev-1', iCalUId: 'ical-1', webLink: 'https://outlook.test/ev-1', joinUrl: 'https://teams.test/join/1' });
    expect(graph.requests[0]!.body).toEqual({
      subject: 'Interview: Ann Candidate (confidential)',
      body: { contentType: 'html', content: '<p>Secret offer notes</p>' },
      start: { dateTime: '2026-11-24T17:00:00', timeZone: 'UTC' },
      end: { dateTime: '2026-11-24T18:00:00', timeZone: 'UTC' },
      attendees: [
        { emailAddress: { address: 'bob@x.example', name: 'Bob Kim' }, type: 'required' },
        { emailAddress: { address: 'ann@candidate.example' }, type: 'required' },
      ],
      isOnlineMeeting: true,
      onlineMeetingProvider: 'teamsForBusiness',
      allowNewTimeProposals: true,
      responseRequested: true,
      transactionId: 'txn-7f3a',
      singleValueExtendedProperties: [{ id: transactionPropertyId, value: 'txn-7f3a' }],
    });
  });

  const duplicate = (extra: Record<string, unknown> = {}, status = 400): Reply => ({
    status,
    body: {
      error: {
        code: 'ErrorDuplicateTransactionId',
        message:
          "Your request can't be completed. The TransactionId specified in the request has already been used to create a different event.",
        ...extra,
      },
    },
  });
  const EVENTS_LIST = '/users/oid-org/events';

  it('a duplicate transactionId (400 or 409) finds the first event through the extended property and creates nothing', async () => {
    for (const status of [400, 409]) {
      const graph = new FakeGraph().on('POST', '/users/oid-org/events', duplicate({}, status)).on('GET', EVENTS_LIST, {
        status: 200,
        body: {
          value: [
            // Graph compares extended-property values case-insensitively: only the exact id counts.
            { id: 'ev-other', iCalUId: 'ical-o', transactionId: 'TXN-7F3A' },
            { id: 'ev-first', iCalUId: 'ical-f', transactionId: 'txn-7f3a', onlineMeeting: { joinUrl: 'https://teams.test/j' } },
          ],
        },
      });
      const { provider, appended } = setup(graph);
      await expect(provider.createEvent(ctx, 'oid-org', event)).resolves.toEqual({
        id: 'ev-first',
        iCalUId: 'ical-f',
        joinUrl: 'https://teams.test/j',
        recovered: true,
      });
      const lookup = graph.sent('GET', EVENTS_LIST)[0]!;
      expect(lookup.url.searchParams.get('$filter')).toBe(
        `singleValueExtendedProperties/Any(ep: ep/id eq '${transactionPropertyId}' and ep/value eq 'txn-7f3a')`,
      );
      expect(lookup.url.searchParams.get('$select')).toBe('id,iCalUId,webLink,onlineMeeting,transactionId');
      expect(graph.sent('POST', '/users/oid-org/events')).toHaveLength(1);
      expect(appended.flat().map((e) => [e.operation, e.status])).toEqual([
        ['events.create', status],
        ['events.list', 200],
      ]);
    }
  });

  it('a duplicate naming @event.existingEventId reads that event; a stale id falls back to the filter', async () => {
    const graph = new FakeGraph()
      .on('POST', '/users/oid-org/events', duplicate({ '@event.existingEventId': 'ev-named' }))
      .on('GET', '/users/oid-org/events/ev-named', { status: 200, body: { id: 'ev-named', iCalUId: 'ical-n', transactionId: 'txn-7f3a' } });
    const { provider } = setup(graph);
    await expect(provider.createEvent(ctx, 'oid-org', event)).resolves.toMatchObject({ id: 'ev-named', recovered: true });
    expect(graph.sent('GET', EVENTS_LIST)).toHaveLength(0);

    const stale = new FakeGraph()
      .on('POST', '/users/oid-org/events', duplicate({ '@event.existingEventId': 'ev-gone' }))
      .on('GET', '/users/oid-org/events/ev-gone', { status: 404, body: { error: { code: 'ErrorItemNotFound' } } })
      .on('GET', EVENTS_LIST, { status: 200, body: { value: [{ id: 'ev-first', iCalUId: 'ical-f', transactionId: 'txn-7f3a' }] } });
    await expect(setup(stale).provider.createEvent(ctx, 'oid-org', event)).resolves.toMatchObject({ id: 'ev-first', recovered: true });
  });

  it('a duplicate whose first event is gone is a clear graph_error, never a second event', async () => {
    const graph = new FakeGraph()
      .on('POST', '/users/oid-org/events', duplicate())
      .on('GET', EVENTS_LIST, { status: 200, body: { value: [] } });
    const { provider } = setup(graph);
    await expect(provider.createEvent(ctx, 'oid-org', event)).rejects.toMatchObject({
      code: 'graph_error',
      graphStatus: 400,
      graphCode: 'ErrorDuplicateTransactionId',
      message: expect.stringMatching(/already created.*new Idempotency-Key/),
    });
    expect(graph.sent('POST', '/users/oid-org/events')).toHaveLength(1);
  });

  it('findEventByTransactionId: the stamped event or null, audited; a refusal throws', async () => {
    const graph = new FakeGraph().on('GET', EVENTS_LIST, (req) =>
      req.url.searchParams.get('$filter')?.includes("'it''s'")
        ? { status: 200, body: { value: [{ id: 'ev-q', iCalUId: 'ical-q', transactionId: "it's" }] } }
        : { status: 200, body: { value: [] } },
    );
    const { provider, appended } = setup(graph);
    await expect(provider.findEventByTransactionId(ctx, 'oid-org', "it's")).resolves.toEqual({ id: 'ev-q', iCalUId: 'ical-q' });
    await expect(provider.findEventByTransactionId(ctx, 'oid-org', 'none')).resolves.toBeNull();
    expect(appended.map((a) => a.map((e) => [e.operation, e.targetMailbox, e.status]))).toEqual([
      [['events.list', 'oid-org', 200]],
      [['events.list', 'oid-org', 200]],
    ]);
    const refused = new FakeGraph().on('GET', EVENTS_LIST, { status: 500, body: { error: { code: 'generalException' } } });
    await expect(setup(refused).provider.findEventByTransactionId(ctx, 'oid-org', 'x')).rejects.toMatchObject({ code: 'graph_error' });
  });

  it('createEvent without Teams, and a 503 retried with the same transactionId', async () => {
    let n = 0;
    const graph = new FakeGraph().on('POST', '/users/oid-org/events', () =>
      ++n === 1 ? { status: 503, body: {} } : { status: 201, body: { id: 'ev-2', iCalUId: 'ical-2' } },
    );
    const { provider } = setup(graph);
    await expect(provider.createEvent(ctx, 'oid-org', { ...event, teamsMeeting: false })).resolves.toEqual({
      id: 'ev-2',
      iCalUId: 'ical-2',
    });
    const bodies = graph.requests.map((r) => r.body as Record<string, unknown>);
    expect(bodies).toHaveLength(2);
    expect(bodies.map((b) => b.transactionId)).toEqual(['txn-7f3a', 'txn-7f3a']);
    expect(bodies[0]).toMatchObject({ isOnlineMeeting: false });
    expect(bodies[0]).not.toHaveProperty('onlineMeetingProvider');
  });

  it('createEvent is exact in the repeated hour of a DST fall-back (UTC, never an ambiguous wall time)', async () => {
    const graph = new FakeGraph().on('POST', '/users/oid-org/events', { status: 201, body: { id: 'ev-2', iCalUId: 'ical-2' } });
    const { provider } = setup(graph);
    // 2026-11-01 09:30Z is the second 01:30 in Los Angeles.
    const startMs = Date.parse('2026-11-01T09:30:00Z');
    await provider.createEvent(ctx, 'oid-org', { ...event, startMs, endMs: startMs + 30 * 60_000 });
    expect(graph.requests[0]?.body).toMatchObject({
      start: { dateTime: '2026-11-01T09:30:00', timeZone: 'UTC' },
      end: { dateTime: '2026-11-01T10:00:00', timeZone: 'UTC' },
    });
  });

  it('cancelEvent posts the comment; 404 resolves; 403 on the organizer is forbidden', async () => {
    const graph = new FakeGraph()
      .on('POST', '/users/oid-org/events/ev-1/cancel', { status: 202 })
      .on('POST', '/users/oid-org/events/gone/cancel', { status: 404, body: { error: { code: 'ErrorItemNotFound' } } })
      .on('POST', '/users/oid-org/events/locked/cancel', {
        status: 403,
        body: { error: { code: 'ErrorAccessDenied', message: 'Access to OData is disabled.' } },
      });
    const { provider, appended } = setup(graph);
    await expect(provider.cancelEvent(ctx, 'oid-org', 'ev-1', 'Position filled')).resolves.toBeUndefined();
    expect(graph.requests[0]!.body).toEqual({ comment: 'Position filled' });
    await expect(provider.cancelEvent(ctx, 'oid-org', 'gone')).resolves.toBeUndefined();
    expect(graph.requests[1]!.body).toEqual({});
    await expect(provider.cancelEvent(ctx, 'oid-org', 'locked')).rejects.toMatchObject({ code: 'forbidden' });
    expect(appended.map((a) => a.map((e) => [e.operation, e.targetMailbox, e.status]))).toEqual([
      [['events.cancel', 'oid-org', 202]],
      [['events.cancel', 'oid-org', 404]],
      [['events.cancel', 'oid-org', 403]],
    ]);
  });
});

describe('audit', () => {
  it('writes who, what, whom, status and request ids, and never a body, subject or token', async () => {
    const graph = new FakeGraph()
      .on('POST', GET_SCHEDULE, busyAtWindowStart)
      .on('POST', '/users/oid-org/events', { status: 201, body: { id: 'ev-1', iCalUId: 'ical-1', subject: event.subject } });
    const { provider, appended, tokens } = setup(graph);
    await provider.getSchedule(ctx, 'oid-org', ['a@x.example', 'b@x.example', 'c@x.example'], T0, T0 + DAY);
    await provider.createEvent(ctx, 'oid-org', event);

    expect(appended).toHaveLength(2);
    expect(appended[0]).toEqual(
      ['a@x.example', 'b@x.example', 'c@x.example'].map((m) => ({
        tid: 'tid-1',
        actorOid: 'oid-org',
        operation: 'calendar.getSchedule',
        targetMailbox: m,
        status: 200,
        graphRequestId: 'req-1',
        requestId: 'conv-req-1',
        at: '2026-11-23T08:00:00.000Z',
      })),
    );
    expect(appended[1]).toEqual([
      expect.objectContaining({ operation: 'events.create', targetMailbox: 'oid-org', status: 201, graphRequestId: 'req-2' }),
    ]);

    const all = JSON.stringify(appended);
    for (const secret of [event.subject, 'Secret offer notes', ...tokens.issued, 'Bearer']) expect(all).not.toContain(secret);
    expect(Object.keys(appended[1]![0]!).sort()).toEqual([
      'actorOid',
      'at',
      'graphRequestId',
      'operation',
      'requestId',
      'status',
      'targetMailbox',
      'tid',
    ]);
  });

  it('audits a call that got no answer with status 0', async () => {
    const graph = new FakeGraph().on('GET', '/users/u1', () => Promise.reject(new TypeError('fetch failed')));
    const { provider, appended } = setup(graph);
    await expect(provider.getUser(ctx, 'u1')).rejects.toMatchObject({ code: 'graph_unavailable', graphStatus: 0 });
    expect(appended).toEqual([[expect.objectContaining({ operation: 'users.get', targetMailbox: 'u1', status: 0, graphRequestId: null })]]);
  });

  it('lets tenant_not_consented through and audits the attempt', async () => {
    const graph = new FakeGraph();
    const time = fakeTime();
    const appended: AuditEntry[][] = [];
    const provider = createGraphCalendarProvider({
      graphEndpoint: graph.base,
      fetch: graph.fetch,
      tokens: { getAppToken: () => Promise.reject(new ConveneError('tenant_not_consented', 'No consent.')) },
      audit: { append: async (e) => void appended.push(e) },
      clock: time.clock,
      sleep: time.sleep,
    });
    await expect(provider.getMailboxSettings(ctx, ['a@x.example'])).rejects.toMatchObject({ code: 'tenant_not_consented' });
    expect(time.sleeps).toEqual([]);
    expect(appended).toEqual([[expect.objectContaining({ operation: 'mailboxSettings.get', targetMailbox: 'a@x.example', status: 0 })]]);
  });

  it('keeps the Graph failure when the audit write fails on a failure path', async () => {
    const graph = new FakeGraph().on('GET', '/users', { status: 500, body: {} });
    const warnings: object[] = [];
    const provider = createGraphCalendarProvider({
      graphEndpoint: graph.base,
      fetch: graph.fetch,
      tokens: fakeTokens(),
      audit: { append: () => Promise.reject(new Error('db down')) },
      clock: fakeTime().clock,
      logger: { warn: (obj) => void warnings.push(obj) },
    });
    await expect(provider.searchUsers(ctx, 'a', 5)).rejects.toMatchObject({ code: 'graph_error', graphStatus: 500 });
    expect(warnings).toHaveLength(1);
  });
});
