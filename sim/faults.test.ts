import { FaultEngine, faultError } from './faults';

describe('FaultEngine', () => {
  test('the first matching rule applies, counts down and disappears', () => {
    const f = new FaultEngine();
    f.add({ method: 'post', pathPattern: 'getSchedule$', status: 503, times: 1 });
    f.add({ pathPattern: '/mailboxSettings$', status: 429, times: 2, retryAfterSeconds: 5 });
    expect(f.take('GET', '/v1.0/users/a/calendar/getSchedule')).toBeUndefined();
    expect(f.take('POST', '/v1.0/users/a/calendar/getSchedule')).toEqual({ status: 503 });
    expect(f.take('POST', '/v1.0/users/a/calendar/getSchedule')).toBeUndefined();
    expect(f.take('GET', '/v1.0/users/a/mailboxSettings')).toEqual({ status: 429, retryAfterSeconds: 5 });
    expect(f.rules()).toEqual([{ id: 2, pathPattern: '/mailboxSettings$', status: 429, retryAfterSeconds: 5, remaining: 1 }]);
    expect(f.take('GET', '/v1.0/users/b/mailboxSettings')).toEqual({ status: 429, retryAfterSeconds: 5 });
    expect(f.rules()).toEqual([]);
  });

  test('RegExp patterns keep their flags; hangs may come alone or with a status', () => {
    const f = new FaultEngine();
    f.add({ pathPattern: /MAILBOXSETTINGS/i, hangMs: 100, times: 1 });
    f.add({ pathPattern: 'events', hangMs: 50, status: 504, times: 1 });
    expect(f.take('GET', '/v1.0/users/a/mailboxSettings')).toEqual({ hangMs: 100 });
    expect(f.take('POST', '/v1.0/users/a/events')).toEqual({ hangMs: 50, status: 504 });
  });

  test('invalid rules are refused with the reason', () => {
    const f = new FaultEngine();
    expect(() => f.add({ pathPattern: '(', status: 429, times: 1 })).toThrow(/not a regular expression/);
    expect(() => f.add({ pathPattern: 'x', times: 1 })).toThrow(/status, hangMs or both/);
    expect(() => f.add({ pathPattern: 'x', status: 429, times: 0 })).toThrow(/times/);
    expect(() => f.add({ pathPattern: 'x', status: 404 as never, times: 1 })).toThrow(/status/);
    expect(() => f.setLatency(-1)).toThrow(/non-negative/);
  });

  test('clear() drops the rules and restores the start latency', () => {
    const f = new FaultEngine(25);
    f.setLatency(300);
    f.add({ pathPattern: '.', status: 500, times: 3 });
    f.clear();
    expect([f.latency(), f.rules()]).toEqual([25, []]);
  });

  test('Graph error codes for injected statuses', () => {
    expect(faultError(429)).toEqual({ code: 'TooManyRequests', message: 'Please retry again later.' });
    expect(faultError(503).code).toBe('serviceNotAvailable');
    expect(faultError(504).code).toBe('GatewayTimeout');
    expect(faultError(500).code).toBe('generalException');
  });
});
