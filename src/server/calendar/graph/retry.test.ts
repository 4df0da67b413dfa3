import { ConveneError } from '../../../shared/errors';
import { GraphTransportError, type GraphRequest, type GraphResponse, type GraphTransport } from './client';
import { GraphError } from './errors';
import { fakeTime } from './fake-graph';
import { createRetryPolicy, HttpClientWithRetries, parseRetryAfterMs } from './retry';

const request: GraphRequest = { tenantId: 't1', method: 'POST', operation: 'events.create', path: '/users/u1/events', body: {} };

function answer(status: number, headers: Record<string, string> = {}): GraphResponse {
  return { status, headers, requestId: `rid-${status}`, body: null };
}

/** A transport that plays a script of answers (or thrown errors) and counts sends. */
function scripted(script: Array<GraphResponse | Error>): GraphTransport & { sends: number } {
  const t = {
    sends: 0,
    send(): Promise<GraphResponse> {
      const next = script[Math.min(t.sends, script.length - 1)]!;
      t.sends++;
      return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
    },
  };
  return t;
}

describe('parseRetryAfterMs', () => {
  it('reads delta-seconds and HTTP dates', () => {
    const now = Date.UTC(2026, 10, 23, 8, 0, 0);
    expect(parseRetryAfterMs('7', now)).toBe(7000);
    expect(parseRetryAfterMs(' 0 ', now)).toBe(0);
    expect(parseRetryAfterMs('Mon, 23 Nov 2026 08:00:12 GMT', now)).toBe(12_000);
    expect(parseRetryAfterMs('Mon, 23 Nov 2026 07:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfterMs('soon', now)).toBeUndefined();
    expect(parseRetryAfterMs(undefined, now)).toBeUndefined();
  });
});

describe('createRetryPolicy', () => {
  it('backs off with full jitter when Graph gives no Retry-After', () => {
    const policy = createRetryPolicy({ baseDelayMs: 1000, maxDelayMs: 10_000 }, () => 0.5);
    expect(policy.decide(503, 0, undefined, 0)).toEqual({ retry: true, delayMs: 500 });
    expect(policy.decide(503, 1, undefined, 0)).toEqual({ retry: true, delayMs: 1000 });
    expect(policy.decide(503, 2, undefined, 0)).toEqual({ retry: true, delayMs: 2000 });
    // The cap bounds the window the jitter draws from.
    expect(createRetryPolicy({ maxAttempts: 10 }, () => 0.999).decide(429, 8, undefined, 0)).toEqual({ retry: true, delayMs: 9990 });
  });

  it('does not retry final statuses', () => {
    const policy = createRetryPolicy();
    for (const s of [200, 201, 400, 401, 403, 404, 500])
      expect(policy.decide(s, 0, undefined, 0)).toEqual({ retry: false, exhausted: false });
    for (const s of [0, 429, 503, 504]) expect(policy.decide(s, 0, 10, 0).retry).toBe(true);
  });
});

describe('HttpClientWithRetries', () => {
  it('waits exactly Retry-After, then returns the success', async () => {
    const time = fakeTime();
    const inner = scripted([answer(429, { 'retry-after': '2' }), answer(503, { 'retry-after': '3' }), answer(201)]);
    const res = await new HttpClientWithRetries(
      inner,
      createRetryPolicy({}, () => 0),
      time.clock,
      time.sleep,
    ).send(request);
    expect(res.status).toBe(201);
    expect(inner.sends).toBe(3);
    expect(time.sleeps).toEqual([2000, 3000]);
  });

  it('stops at maxAttempts and fails with graph_unavailable and retryAfterMs', async () => {
    const time = fakeTime();
    const inner = scripted([answer(429, { 'retry-after': '1' })]);
    const p = new HttpClientWithRetries(inner, createRetryPolicy({ maxAttempts: 4 }), time.clock, time.sleep).send(request);
    await expect(p).rejects.toMatchObject({ code: 'graph_unavailable', graphStatus: 429, retryAfterMs: 1000, graphRequestId: 'rid-429' });
    await expect(p).rejects.toBeInstanceOf(GraphError);
    expect(inner.sends).toBe(4);
    expect(time.sleeps).toEqual([1000, 1000, 1000]);
  });

  it('fails fast, without sleeping, when Retry-After is longer than the remaining budget', async () => {
    const time = fakeTime();
    const inner = scripted([answer(429, { 'retry-after': '45' }), answer(200)]);
    const p = new HttpClientWithRetries(inner, createRetryPolicy({ maxTotalWaitMs: 30_000 }), time.clock, time.sleep).send(request);
    await expect(p).rejects.toMatchObject({ code: 'graph_unavailable', retryAfterMs: 45_000 });
    expect(inner.sends).toBe(1);
    expect(time.sleeps).toEqual([]);
  });

  it('counts time already spent against the budget', async () => {
    const time = fakeTime();
    const inner = scripted([answer(503, { 'retry-after': '20' }), answer(503, { 'retry-after': '20' }), answer(200)]);
    const p = new HttpClientWithRetries(inner, createRetryPolicy({ maxTotalWaitMs: 30_000 }), time.clock, time.sleep).send(request);
    await expect(p).rejects.toMatchObject({ code: 'graph_unavailable', graphStatus: 503, retryAfterMs: 20_000 });
    expect(time.sleeps).toEqual([20_000]);
  });

  it('retries "no answer" and gives up as graph_unavailable with status 0', async () => {
    const time = fakeTime();
    const down = new GraphTransportError('Microsoft Graph could not be reached', { cause: new Error('ECONNREFUSED') });
    const recovering = scripted([down, answer(200)]);
    await expect(
      new HttpClientWithRetries(
        recovering,
        createRetryPolicy({}, () => 0.5),
        time.clock,
        time.sleep,
      ).send(request),
    ).resolves.toMatchObject({ status: 200 });
    expect(time.sleeps).toEqual([500]);

    const dead = scripted([down]);
    await expect(
      new HttpClientWithRetries(
        dead,
        createRetryPolicy({}, () => 0),
        time.clock,
        time.sleep,
      ).send(request),
    ).rejects.toMatchObject({
      code: 'graph_unavailable',
      graphStatus: 0,
    });
    expect(dead.sends).toBe(4);
  });

  it('never retries Convene’s own errors or final Graph answers', async () => {
    const time = fakeTime();
    const refused = scripted([new ConveneError('tenant_not_consented', 'no consent')]);
    await expect(new HttpClientWithRetries(refused, createRetryPolicy(), time.clock, time.sleep).send(request)).rejects.toMatchObject({
      code: 'tenant_not_consented',
    });
    expect(refused.sends).toBe(1);

    const notFound = scripted([answer(404), answer(200)]);
    await expect(new HttpClientWithRetries(notFound, createRetryPolicy(), time.clock, time.sleep).send(request)).resolves.toMatchObject({
      status: 404,
    });
    expect(notFound.sends).toBe(1);
    expect(time.sleeps).toEqual([]);
  });
});
