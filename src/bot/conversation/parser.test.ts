import { parseCommand, parseRequest } from './parser';
import { resolveWindow } from './dates';

describe('parseCommand', () => {
  it.each([
    ['help', 'help'],
    ['<at>Convene</at> help', 'help'],
    ['my interviews', 'list'],
    ['cancel 6f1c2d3e-0000-4000-8000-000000000001', 'cancel'],
    ['schedule', 'schedule'],
    ['what is the weather', 'unknown'],
  ])('%s -> %s', (text, kind) => {
    expect(parseCommand(text).kind).toBe(kind);
  });
});

describe('parseRequest', () => {
  it('reads the canonical sentence', () => {
    expect(parseRequest('schedule a 45 minute interview for Jane Doe jane@example.com with Bob and Carol next week')).toEqual({
      durationMinutes: 45,
      candidateName: 'Jane Doe',
      candidateEmail: 'jane@example.com',
      panel: [{ name: 'Bob' }, { name: 'Carol' }],
      date: { kind: 'nextWeek' },
    });
  });

  it('reads hours, addresses in the panel, the candidate zone and a weekday', () => {
    const r = parseRequest(
      'book 1.5 hours with bob@contoso.example, Carol Smith & dan@contoso.example for Ann Lee <ann@x.example> (Asia/Tokyo) on Tuesday',
    );
    expect(r.durationMinutes).toBe(90);
    expect(r.panel).toEqual([{ email: 'bob@contoso.example' }, { name: 'Carol Smith' }, { email: 'dan@contoso.example' }]);
    expect(r).toMatchObject({
      candidateName: 'Ann Lee',
      candidateEmail: 'ann@x.example',
      candidateTimeZone: 'Asia/Tokyo',
      date: { kind: 'weekday', weekday: 2 },
    });
  });

  it('reads "an hour", "half an hour", tomorrow and explicit dates and ranges (chrono)', () => {
    expect(parseRequest('schedule an hour with Bob tomorrow')).toMatchObject({ durationMinutes: 60, date: { kind: 'tomorrow' } });
    expect(parseRequest('schedule half an hour with Bob')).toMatchObject({ durationMinutes: 30, date: { kind: 'default' } });
    expect(parseRequest('schedule 30m with Bob on 2027-03-04').date).toEqual({ kind: 'dates', from: { year: 2027, month: 3, day: 4 } });
    expect(parseRequest('schedule 30m with Bob Dec 3 to Dec 5').date).toEqual({
      kind: 'dates',
      from: { month: 12, day: 3 },
      to: { month: 12, day: 5 },
    });
  });

  it('leaves missing parts out (the form asks for them)', () => {
    expect(parseRequest('schedule an interview with Bob')).toEqual({ panel: [{ name: 'Bob' }], date: { kind: 'default' } });
  });
});

describe('resolveWindow', () => {
  const now = Date.parse('2026-11-25T03:00:00Z'); // Wednesday 03:00 UTC = Tuesday 19:00 in Los Angeles
  it('reads relative days in the coordinator zone', () => {
    const la = resolveWindow({ kind: 'tomorrow' }, now, 'America/Los_Angeles');
    expect(new Date(la.startMs).toISOString()).toBe('2026-11-25T08:00:00.000Z'); // Wednesday in LA
    const tokyo = resolveWindow({ kind: 'tomorrow' }, now, 'Asia/Tokyo');
    expect(new Date(tokyo.startMs).toISOString()).toBe('2026-11-25T15:00:00.000Z'); // Thursday in Tokyo
  });
  it('next week is Monday to Friday of the next week', () => {
    const w = resolveWindow({ kind: 'nextWeek' }, now, 'Europe/Berlin');
    expect(new Date(w.startMs).toISOString()).toBe('2026-11-29T23:00:00.000Z');
    expect(new Date(w.endMs).toISOString()).toBe('2026-12-04T23:00:00.000Z');
  });
});
