import { ConveneError } from '../../../shared/errors';
import { createGraphClient, GraphTransportError, type AppTokenSource, type FetchLike } from './client';
import { FakeGraph, fakeTokens } from './fake-graph';

describe('createGraphClient', () => {
  it('sends to ${graphEndpoint}/v1.0 with the tenant app token, headers and JSON body', async () => {
    const graph = new FakeGraph('https://127.0.0.1:3001').on('POST', '/users/bob@contoso.example/calendar/getSchedule', {
      status: 200,
      body: { value: [] },
      headers: { 'request-id': 'rid-42' },
    });
    const tokens = fakeTokens();
    const client = createGraphClient({ graphEndpoint: 'https://127.0.0.1:3001/', fetch: graph.fetch, tokens });

    const res = await client.send({
      tenantId: 'tid-1',
      method: 'POST',
      path: '/users/bob@contoso.example/calendar/getSchedule',
      headers: { Prefer: 'outlook.timezone="UTC"' },
      body: { schedules: ['a@contoso.example'] },
    });

    expect(res).toEqual({
      status: 200,
      headers: expect.objectContaining({ 'request-id': 'rid-42' }),
      requestId: 'rid-42',
      body: { value: [] },
    });
    const [sent] = graph.requests;
    expect(sent!.url.href).toBe('https://127.0.0.1:3001/v1.0/users/bob@contoso.example/calendar/getSchedule');
    expect(sent!.headers.authorization).toBe('Bearer token-tid-1-1');
    expect(sent!.headers.prefer).toBe('outlook.timezone="UTC"');
    expect(sent!.headers['content-type']).toMatch(/application\/json/);
    expect(sent!.body).toEqual({ schedules: ['a@contoso.example'] });
  });

  it('hands fetch the headers as Headers would: lower-case names, trimmed values, one name spelt twice joined', async () => {
    // Records init.headers exactly as given (FakeGraph normalizes them itself).
    const given: unknown[] = [];
    const rawFetch: FetchLike = async (_input, init) => {
      given.push(init?.headers);
      return new Response('{"id":"u1"}', { status: 200, headers: { 'content-type': 'application/json' } });
    };
    const client = createGraphClient({ graphEndpoint: 'https://graph.test', fetch: rawFetch, tokens: fakeTokens() });
    await client.send({ tenantId: 't', method: 'GET', path: '/users/u1', headers: { Prefer: 'outlook.timezone="UTC"', 'X-Trace': 'a b' } });
    await client.send({ tenantId: 't', method: 'GET', path: '/users/u1', headers: { 'x-two': 'one', 'X-Two': 'two' } });
    await client.send({ tenantId: 't', method: 'GET', path: '/users/u1', headers: { 'X-Pad': '  padded\t' } });
    expect(given[0]).toMatchObject({ prefer: 'outlook.timezone="UTC"', 'x-trace': 'a b', authorization: 'Bearer token-t-1' });
    expect(given[1]).toMatchObject({ 'x-two': 'one, two' });
    expect(given[2]).toMatchObject({ 'x-pad': 'padded' });
    for (const headers of given) expect(Object.keys(headers as object).filter((name) => name !== name.toLowerCase())).toEqual([]);
  });

  it('keeps an encoded query intact', async () => {
    const graph = new FakeGraph().on('GET', '/users', { status: 200, body: { value: [] } });
    const client = createGraphClient({ graphEndpoint: graph.base, fetch: graph.fetch, tokens: fakeTokens() });
    const filter = encodeURIComponent("startswith(displayName,'O''Brien & Co')");
    await client.send({ tenantId: 't', method: 'GET', path: `/users?$filter=${filter}&$top=5&$select=id,mail` });
    const url = graph.requests[0]!.url;
    expect(url.searchParams.get('$filter')).toBe("startswith(displayName,'O''Brien & Co')");
    expect(url.searchParams.get('$top')).toBe('5');
    expect(url.searchParams.get('$select')).toBe('id,mail');
  });

  it('on 401 drops the token and retries once with a fresh one', async () => {
    let calls = 0;
    const graph = new FakeGraph().on('GET', '/users/u1', () =>
      ++calls === 1 ? { status: 401, body: { error: { code: 'InvalidAuthenticationToken' } } } : { status: 200, body: { id: 'u1' } },
    );
    const tokens = fakeTokens();
    const res = await createGraphClient({ graphEndpoint: graph.base, fetch: graph.fetch, tokens }).send({
      tenantId: 't',
      method: 'GET',
      path: '/users/u1',
    });
    expect(res.status).toBe(200);
    expect(tokens.invalidated).toEqual(['t']);
    expect(graph.requests.map((r) => r.headers.authorization)).toEqual(['Bearer token-t-1', 'Bearer token-t-2']);
  });

  it('returns the second 401 rather than looping', async () => {
    const graph = new FakeGraph().on('GET', '/users/u1', { status: 401, body: null });
    const res = await createGraphClient({ graphEndpoint: graph.base, fetch: graph.fetch, tokens: fakeTokens() }).send({
      tenantId: 't',
      method: 'GET',
      path: '/users/u1',
    });
    expect(res.status).toBe(401);
    expect(graph.requests).toHaveLength(2);
  });

  it('lets the token source’s ConveneError through unchanged (the library would wrap it)', async () => {
    const graph = new FakeGraph().on('GET', '/users/u1', { status: 200, body: {} });
    const refused = new ConveneError('tenant_not_consented', 'No admin consent for this tenant.');
    const tokens: AppTokenSource = { getAppToken: () => Promise.reject(refused) };
    const p = createGraphClient({ graphEndpoint: graph.base, fetch: graph.fetch, tokens }).send({
      tenantId: 't',
      method: 'GET',
      path: '/users/u1',
    });
    await expect(p).rejects.toBe(refused);
    expect(graph.requests).toHaveLength(0);
  });

  it('turns "no answer" into GraphTransportError', async () => {
    const down: FetchLike = () => Promise.reject(new TypeError('fetch failed'));
    const p = createGraphClient({ graphEndpoint: 'https://graph.test', fetch: down, tokens: fakeTokens() }).send({
      tenantId: 't',
      method: 'GET',
      path: '/users/u1',
    });
    await expect(p).rejects.toBeInstanceOf(GraphTransportError);
    await expect(p).rejects.toThrow('could not be reached');
  });
});
