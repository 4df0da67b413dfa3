import { executeBatch, type BatchDeps, type BatchSubRequest } from './batch';
import { createGraphClient } from './client';
import { deferred, FakeGraph, fakeTime, fakeTokens, settle, type RecordedRequest, type Reply } from './fake-graph';
import { createRetryPolicy, HttpClientWithRetries } from './retry';

interface SentSub {
  id: string;
  method: string;
  url: string;
}

function subs(req: RecordedRequest): SentSub[] {
  return (req.body as { requests: SentSub[] }).requests;
}

function setup(handler: (req: RecordedRequest, round: number) => Reply | Promise<Reply>) {
  let round = 0;
  const graph = new FakeGraph().on('POST', '/$batch', (req) => handler(req, round++));
  const time = fakeTime();
  const policy = createRetryPolicy({}, () => 0);
  const transport = new HttpClientWithRetries(
    createGraphClient({ graphEndpoint: graph.base, fetch: graph.fetch, tokens: fakeTokens() }),
    policy,
    time.clock,
    time.sleep,
  );
  const deps: BatchDeps = { transport, policy, clock: time.clock, sleep: time.sleep };
  return { graph, time, deps };
}

const settings = (m: string): BatchSubRequest => ({ method: 'GET', url: `/users/${m}/mailboxSettings`, mailbox: m });

describe('executeBatch', () => {
  it('retries only the throttled sub-request, after its Retry-After, in a new envelope', async () => {
    const { graph, time, deps } = setup((req, round) => {
      const requests = subs(req);
      if (round === 0) {
        return {
          status: 200,
          body: {
            responses: [
              { id: '2', status: 429, headers: { 'Retry-After': '3' }, body: { error: { code: 'ApplicationThrottled' } } },
              { id: '1', status: 200, headers: { 'request-id': 'sub-a' }, body: { timeZone: 'UTC' } },
              { id: '3', status: 200, body: { timeZone: 'Tokyo Standard Time' } },
            ],
          },
        };
      }
      expect(requests).toEqual([{ id: '1', method: 'GET', url: '/users/b@x.example/mailboxSettings' }]);
      return { status: 200, body: { responses: [{ id: '1', status: 200, body: { timeZone: 'Pacific Standard Time' } }] } };
    });

    const out = await executeBatch(deps, 't', [settings('a@x.example'), settings('b@x.example'), settings('c@x.example')]);

    expect(graph.requests).toHaveLength(2);
    expect(subs(graph.requests[0]!).map((s) => s.url)).toEqual([
      '/users/a@x.example/mailboxSettings',
      '/users/b@x.example/mailboxSettings',
      '/users/c@x.example/mailboxSettings',
    ]);
    expect(time.sleeps).toEqual([3000]);
    expect(out).toEqual([
      { kind: 'response', status: 200, headers: { 'request-id': 'sub-a' }, body: { timeZone: 'UTC' }, requestId: 'sub-a' },
      // No request-id on the sub-response: the envelope's (the FakeGraph numbers them) stands in.
      { kind: 'response', status: 200, headers: {}, body: { timeZone: 'Pacific Standard Time' }, requestId: 'req-2' },
      { kind: 'response', status: 200, headers: {}, body: { timeZone: 'Tokyo Standard Time' }, requestId: 'req-1' },
    ]);
  });

  it('never drops a sub-response: a missing id is "missing", errors are kept as responses', async () => {
    const { deps } = setup(() => ({
      status: 200,
      body: {
        responses: [
          {
            id: '1',
            status: 403,
            body: {
              error: { code: 'ErrorAccessDenied', message: 'Access to OData is disabled.', innerError: { 'request-id': 'inner-1' } },
            },
          },
          // cal.com dropped entries like this one (no body.value) and read the calendar as free.
          { id: '3', status: 404, body: { error: { code: 'ErrorInvalidUser' } } },
        ],
      },
    }));
    const out = await executeBatch(deps, 't', [settings('a'), settings('b'), settings('c')]);
    expect(out).toHaveLength(3);
    expect(out[0]).toMatchObject({ kind: 'response', status: 403, requestId: 'inner-1' });
    expect(out[1]).toEqual({ kind: 'missing', requestId: 'req-1' });
    expect(out[2]).toMatchObject({ kind: 'response', status: 404 });
  });

  it('reports sub-requests still throttled after the bounds as "throttled" with the wait', async () => {
    const { graph, deps } = setup((req) => ({
      status: 200,
      body: {
        responses: subs(req).map((s) => ({
          id: s.id,
          status: s.url.includes('/b/') ? 503 : 200,
          headers: { 'retry-after': '1' },
          body: {},
        })),
      },
    }));
    const out = await executeBatch(deps, 't', [settings('a'), settings('b')]);
    expect(out[0]).toMatchObject({ kind: 'response', status: 200 });
    expect(out[1]).toMatchObject({ kind: 'throttled', status: 503, retryAfterMs: 1000 });
    expect(graph.requests).toHaveLength(4); // 1 + 3 retries of the one sub-request
    expect(subs(graph.requests[3]!)).toHaveLength(1);
  });

  it('marks every sub-request of a failed envelope as failed', async () => {
    const { deps } = setup(() => ({ status: 400, body: { error: { code: 'BadRequest' } } }));
    const out = await executeBatch(deps, 't', [settings('a'), settings('b')]);
    expect(out.map((o) => o.kind)).toEqual(['failed', 'failed']);
    expect(out[0]).toMatchObject({ error: { code: 'graph_error', graphStatus: 400, graphCode: 'BadRequest' } });
  });

  it('sends at most 20 per envelope, all envelopes at once, and keeps request order', async () => {
    const gates: Array<ReturnType<typeof deferred<Reply>>> = [];
    const { graph, deps } = setup((req) => {
      const g = deferred<Reply>();
      gates.push(g);
      void g.promise;
      return g.promise.then(() => ({
        status: 200,
        body: { responses: subs(req).map((s) => ({ id: s.id, status: 200, body: { url: s.url } })) },
      }));
    });
    const requests = Array.from({ length: 45 }, (_, i) => settings(`m${i}`));
    const done = executeBatch(deps, 't', requests);
    await settle();
    expect(graph.requests.map((r) => subs(r).length)).toEqual([20, 20, 5]);
    for (const g of gates) g.resolve({ status: 200 });
    const out = await done;
    expect(out.map((o) => (o.kind === 'response' ? (o.body as { url: string }).url : o.kind))).toEqual(requests.map((r) => r.url));
  });
});
