/**
 * The Calendar Service with fakes of its ports (no HTTP, no simulator): the dual lock's order,
 * and the booking paths the API tests cannot reach easily.
 */
import { PACIFIC_CUSTOM } from '../../../test/fixtures/custom-zones';
import { ConveneError } from '../../shared/errors';
import type { AuthContext } from '../auth/user-token';
import type { TenantRegistry } from '../consent/tenant-registry';
import type { InterviewRecord, InterviewStore, NewInterview, TenantRecord } from '../store/types';
import { createCalendarService } from './calendar-service';
import type { CalendarProvider, CreatedEvent, DirectoryUserResult, NewEvent } from './provider';

const NOW = Date.parse('2026-11-20T12:00:00Z');
const auth: AuthContext = { tid: 't1', oid: 'o1', username: 'org@x.example', name: 'Org', roles: [], exp: 0 };
const ORGANIZER = { id: 'o1', displayName: 'Org', mail: 'org@x.example', userPrincipalName: 'org@x.example' };

function fakes(options: { consented?: boolean; organizerTimeZone?: string; existingEvents?: Map<string, CreatedEvent> } = {}) {
  const calls: string[] = [];
  const created: NewEvent[] = [];
  /** What `GET /users/{oid}` says of the organizer (tests flip it to simulate leaving the tenant). */
  const directory: { organizer: DirectoryUserResult } = { organizer: { status: 'ok', user: ORGANIZER } };
  const rows = new Map<string, InterviewRecord>();
  const tenants: TenantRegistry = {
    async ensureConsented() {
      calls.push('consent');
      if (options.consented === false) throw new ConveneError('tenant_not_consented', 'no consent');
      return {} as TenantRecord;
    },
    forget() {},
  };
  const settings = {
    timeZone: options.organizerTimeZone ?? 'Pacific Standard Time',
    workingHours: { daysOfWeek: ['monday' as const], startTime: '08:00:00', endTime: '17:00:00', timeZone: PACIFIC_CUSTOM },
  };
  const provider: CalendarProvider = {
    async getSchedule(_ctx, _org, schedules) {
      calls.push('getSchedule');
      return schedules.map((m) => ({ mailbox: m, status: 'ok' as const, items: [] }));
    },
    async getMailboxSettings(_ctx, mailboxes) {
      calls.push('getMailboxSettings');
      return mailboxes.map((m) => ({ mailbox: m, status: 'ok' as const, settings }));
    },
    async getOrganizerAndMailboxSettings(_ctx, oid, mailboxes) {
      calls.push('batch');
      return {
        organizer: { status: 'ok', user: { id: oid, displayName: 'Org', mail: 'org@x.example', userPrincipalName: 'org@x.example' } },
        organizerSettings: { mailbox: oid, status: 'ok', settings },
        attendees: mailboxes.map((m) => ({ mailbox: m, status: 'ok' as const, settings })),
      };
    },
    async getScheduleAndMailboxSettings(_ctx, oid, schedules) {
      calls.push('batch');
      return {
        organizer: { status: 'ok', user: { id: oid, displayName: 'Org', mail: 'org@x.example', userPrincipalName: 'org@x.example' } },
        organizerSettings: { mailbox: oid, status: 'ok', settings },
        attendees: schedules.map((m) => ({ mailbox: m, status: 'ok' as const, settings })),
        schedules: schedules.map((m) => ({ mailbox: m, status: 'ok' as const, items: [] })),
      };
    },
    async getUser() {
      calls.push('getUser');
      return directory.organizer;
    },
    async searchUsers() {
      calls.push('searchUsers');
      return [ORGANIZER];
    },
    async getOrganizerAndSearchUsers() {
      calls.push('batch:getUser+searchUsers');
      return { organizer: directory.organizer, users: directory.organizer.status === 'ok' ? [ORGANIZER] : [] };
    },
    async createEvent(_ctx, _oid, event): Promise<CreatedEvent> {
      calls.push('createEvent');
      created.push(event);
      return { id: `ev-${created.length}`, iCalUId: `ical-${created.length}` };
    },
    async findEventByTransactionId(_ctx, _oid, transactionId) {
      calls.push('findEvent');
      return options.existingEvents?.get(transactionId) ?? null;
    },
    async cancelEvent() {
      calls.push('cancelEvent');
    },
  };
  const interviews: InterviewStore = {
    async create(input: NewInterview) {
      const existing = [...rows.values()].find((r) => r.idempotencyKey === input.idempotencyKey);
      if (existing) return { created: false, interview: existing };
      const row: InterviewRecord = { ...input, graphEventId: null, iCalUId: null, joinUrl: null, createdAt: 'c', updatedAt: 'u' };
      rows.set(row.id, row);
      return { created: true, interview: row };
    },
    async get(_tid, id) {
      return rows.get(id) ?? null;
    },
    async findByIdempotencyKey(_tid, _oid, key) {
      return [...rows.values()].find((r) => r.idempotencyKey === key) ?? null;
    },
    async listForOrganizer() {
      return [...rows.values()];
    },
    async listForPanel(_tid, mailboxes) {
      return [...rows.values()].filter((r) => r.panel.some((p) => mailboxes.includes(p)));
    },
    async markScheduled(_tid, id, e) {
      const row = { ...(rows.get(id) as InterviewRecord), ...e, status: 'scheduled' as const };
      rows.set(id, row);
      return row;
    },
    async setStatus(_tid, id, status) {
      const row = { ...(rows.get(id) as InterviewRecord), status };
      rows.set(id, row);
      return row;
    },
    async delete(_tid, id) {
      rows.delete(id);
    },
  };
  let n = 0;
  const clock = { nowMs: NOW };
  const service = createCalendarService({
    provider,
    tenants,
    interviews,
    now: () => clock.nowMs,
    newId: () => `00000000-0000-4000-8000-00000000000${++n}`,
  });
  return { service, calls, created, rows, directory, clock };
}

const booking = {
  candidate: { name: 'Jane', email: 'jane@c.example' },
  panel: ['a@x.example'],
  start: '2026-11-23T17:00:00Z',
  end: '2026-11-23T18:00:00Z',
};

describe('CalendarService', () => {
  it('checks the schema before consent, and consent before any Graph call', async () => {
    const f = fakes({ consented: false });
    await expect(f.service.findAvailability(auth, { panel: [] }, 'r')).rejects.toMatchObject({ code: 'invalid_request' });
    expect(f.calls).toEqual([]);
    await expect(
      f.service.findAvailability(
        auth,
        { panel: ['a@x.example'], durationMinutes: 30, window: { start: '2026-11-23T00:00:00Z', end: '2026-11-24T00:00:00Z' } },
        'r',
      ),
    ).rejects.toMatchObject({ code: 'tenant_not_consented' });
    expect(f.calls).toEqual(['consent']);
    await expect(f.service.bookInterview(auth, booking, 'k', 'api', 'r')).rejects.toMatchObject({ code: 'tenant_not_consented' });
    expect(f.calls).toEqual(['consent', 'consent']);
  });

  it('books for an organizer whose mailbox zone is a custom zone, using the working-hours zone', async () => {
    const f = fakes({ organizerTimeZone: 'Customized Time Zone' });
    const result = await f.service.bookInterview(auth, booking, 'k1', 'api', 'r');
    expect(result.interview.status).toBe('scheduled');
    expect(result.interview.timeZone).toMatch(/^UTC-08:00$/);
    expect(f.created[0]).toMatchObject({ startMs: Date.parse(booking.start), transactionId: result.interview.id });
  });

  it('finishes a pending booking with the same transactionId and without a second re-check', async () => {
    const f = fakes();
    await f.service.bookInterview(auth, booking, 'k2', 'api', 'r');
    const row = [...f.rows.values()][0] as InterviewRecord;
    f.rows.set(row.id, { ...row, status: 'pending', graphEventId: null });
    f.calls.length = 0;
    const again = await f.service.bookInterview(auth, booking, 'k2', 'api', 'r');
    expect(again.replayed).toBe(true);
    expect(f.calls).toEqual(['consent', 'findEvent', 'createEvent']);
    expect(f.created.map((e) => e.transactionId)).toEqual([row.id, row.id]);
  });

  it('finishes a pending booking whose invite already exists with that invite, creating nothing', async () => {
    const existingEvents = new Map<string, CreatedEvent>();
    const f = fakes({ existingEvents });
    await f.service.bookInterview(auth, booking, 'k3', 'api', 'r');
    const row = [...f.rows.values()][0] as InterviewRecord;
    f.rows.set(row.id, { ...row, status: 'pending', graphEventId: null, iCalUId: null });
    existingEvents.set(row.transactionId, { id: 'ev-lost-answer', iCalUId: 'ical-lost', joinUrl: 'https://teams.test/j' });
    f.calls.length = 0;
    const again = await f.service.bookInterview(auth, booking, 'k3', 'api', 'r');
    expect(again.interview).toMatchObject({ status: 'scheduled', graphEventId: 'ev-lost-answer', joinUrl: 'https://teams.test/j' });
    expect(f.calls).toEqual(['consent', 'findEvent']);
    expect(f.created).toHaveLength(1);
  });
});

describe('CalendarService: a user who left the tenant', () => {
  const left: DirectoryUserResult = { status: 'notFound', reason: 'No such user (HTTP 404, Request_ResourceNotFound).' };

  it('refuses list, get, cancel and people search with 401 once Graph no longer knows the organizer, calling nothing else', async () => {
    const f = fakes();
    const booked = await f.service.bookInterview(auth, booking, 'k-left', 'api', 'r');
    f.directory.organizer = left;
    // Past the positive verdict the booking recorded.
    f.clock.nowMs += 60_000;
    f.calls.length = 0;
    const refused = { code: 'unauthenticated', status: 401, message: expect.stringMatching(/no longer in this organization/) };
    await expect(f.service.listInterviews(auth, {}, 'r')).rejects.toMatchObject(refused);
    await expect(f.service.getInterview(auth, booked.interview.id, 'r')).rejects.toMatchObject(refused);
    await expect(f.service.cancelInterview(auth, booked.interview.id, {}, 'r')).rejects.toMatchObject(refused);
    await expect(f.service.searchPeople(auth, { q: 'a' }, 'r')).rejects.toMatchObject(refused);
    // The replay of a finished booking is refused too.
    await expect(f.service.bookInterview(auth, booking, 'k-left', 'api', 'r')).rejects.toMatchObject(refused);
    expect(f.calls).toEqual([
      'consent',
      'getUser',
      'consent',
      'getUser',
      'consent',
      'getUser',
      'consent',
      'batch:getUser+searchUsers',
      'consent',
      'getUser',
    ]);
    expect(f.rows.get(booked.interview.id)?.status).toBe('scheduled');
  });

  it('reads list and get on a 60 s positive verdict, but asks Graph before every cancel', async () => {
    const f = fakes();
    await expect(f.service.listInterviews(auth, {}, 'r')).resolves.toEqual([]);
    await expect(f.service.listInterviews(auth, {}, 'r')).resolves.toEqual([]);
    expect(f.calls).toEqual(['consent', 'getUser', 'consent']);
    // People search on a fresh verdict: the search alone; on none: lookup and search in one batch.
    f.calls.length = 0;
    await expect(f.service.searchPeople(auth, { q: 'o' }, 'r')).resolves.toEqual([{ email: 'org@x.example', displayName: 'Org' }]);
    f.clock.nowMs += 60_000;
    await expect(f.service.searchPeople(auth, { q: 'o' }, 'r')).resolves.toHaveLength(1);
    expect(f.calls).toEqual(['consent', 'searchUsers', 'consent', 'batch:getUser+searchUsers']);

    const booked = await f.service.bookInterview(auth, booking, 'k-cancel', 'api', 'r');
    f.calls.length = 0;
    await expect(f.service.cancelInterview(auth, booked.interview.id, {}, 'r')).resolves.toMatchObject({ status: 'cancelled' });
    expect(f.calls).toEqual(['consent', 'getUser', 'cancelEvent']);
  });

  it('answers 503 graph_unavailable when Graph cannot confirm the organizer, and does not count it as present', async () => {
    const f = fakes();
    f.directory.organizer = { status: 'error', reason: 'Microsoft Graph answered 500.' };
    await expect(f.service.listInterviews(auth, {}, 'r')).rejects.toMatchObject({ code: 'graph_unavailable', status: 503 });
    f.directory.organizer = { status: 'ok', user: ORGANIZER };
    f.calls.length = 0;
    await expect(f.service.listInterviews(auth, {}, 'r')).resolves.toEqual([]);
    expect(f.calls).toEqual(['consent', 'getUser']);
  });
});
