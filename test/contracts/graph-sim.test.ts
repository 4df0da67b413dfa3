/**
 * Contract test: the Graph requests Convene sends (mirrored here) and the simulator's responses
 * validate against Microsoft's Graph OpenAPI description (../shared/contracts, a subset of the
 * msgraph-sdk-powershell documents), with Ajv 8.
 *
 * Workarounds, as ../shared/contracts/README.md lists them:
 * 1. every `additionalProperties: {type: object}` is deleted (with `allOf` it rejects valid payloads);
 * 2. `format: time` is a custom format (`08:00:00.0000000`, no offset), like the other Edm formats
 *    Ajv does not know (int16, base64url);
 * 3. `nullable` (OpenAPI 3.0) is Ajv's own keyword;
 * 4. the whole document is registered with `addSchema` and validated through `$ref`s (full
 *    dereferencing overflows on the recursive schemas);
 * 5. getSchedule and cancel parameters are PascalCase in the metadata (`Schedules`, `StartTime`,
 *    `Comment`) while Graph's documentation and Convene use camelCase, which Graph accepts: request
 *    bodies are NORMALIZED to the metadata's casing before validation (the simulator accepts both,
 *    see sim/simulator.test.ts);
 * 6. `$batch` is not in the OpenAPI: its envelope is checked against a schema written from
 *    https://learn.microsoft.com/graph/json-batching, its sub-requests and sub-responses against
 *    their operations.
 * 7. Graph returns `"recurrence": null` and `"onlineMeeting": null` on single, offline events
 *    (the examples on https://learn.microsoft.com/graph/api/user-post-events show it) although the
 *    metadata types them as plain complex types: those two event properties accept null here.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { createSimClient, type SimClient } from '../../sim/client';
import { loadSeedFiles } from '../../sim/seed';
import { startSimulator, type Simulator } from '../../sim/server';
import { eventBody as conveneEventBody, transactionPropertyId } from '../../src/server/calendar/graph/graph-provider';

const CONTRACT = resolve(__dirname, '../../../shared/contracts/graph/msgraph-v1.0-subset.openapi.json');
const present = existsSync(CONTRACT);
if (!present) {
  if (process.env.CI === 'true') throw new Error(`Graph contract missing at ${CONTRACT}`);
  console.warn(`Skipping the Graph contract test: ${CONTRACT} is not present.`);
}
const describeIf = present ? describe : describe.skip;

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const NOW = Date.parse('2026-11-20T12:00:00Z');
const NORTHWIND = '0b9e8d7c-6a5b-4c3d-9e2f-1a0b9c8d7e6f';

/** Deletes every `additionalProperties` (workaround 1). */
function stripAdditionalProperties(node: unknown): void {
  if (Array.isArray(node)) node.forEach(stripAdditionalProperties);
  else if (node && typeof node === 'object') {
    const obj = node as Record<string, unknown>;
    delete obj.additionalProperties;
    Object.values(obj).forEach(stripAdditionalProperties);
  }
}

/** Lets the event properties Graph sends as null be null (workaround 7). */
function allowNullWhereGraphSendsNull(doc: Json): void {
  const props = (doc.components.schemas['microsoft.graph.event'].allOf as Json[]).find((s) => s.properties?.recurrence)!.properties as Json;
  for (const name of ['recurrence', 'onlineMeeting']) props[name] = { anyOf: [props[name], { type: 'null' }] };
}

const pointer = (parts: string[]) => `graph#/${parts.map((p) => encodeURIComponent(p.replace(/~/g, '~0').replace(/\//g, '~1'))).join('/')}`;

describeIf('Graph requests and simulator responses follow the Graph OpenAPI description', () => {
  let doc: Json;
  let ajv: Ajv;
  let sim: Simulator;
  let client: SimClient;
  let app: string;
  const compiled = new Map<string, ValidateFunction>();

  /** A validator for an operation's request body or response (2XX or the `default` error). */
  function validator(method: string, path: string, part: 'request' | '2XX' | 'default'): ValidateFunction {
    const key = `${method} ${path} ${part}`;
    let v = compiled.get(key);
    if (!v) {
      const op = doc.paths[path]?.[method];
      if (!op) throw new Error(`No operation ${method} ${path} in the contract`);
      let parts: string[];
      if (part === 'request') parts = ['paths', path, method, 'requestBody', 'content', 'application/json', 'schema'];
      else {
        const response = op.responses[part];
        parts =
          typeof response.$ref === 'string'
            ? [...(response.$ref as string).slice(2).split('/'), 'content', 'application/json', 'schema']
            : ['paths', path, method, 'responses', part, 'content', 'application/json', 'schema'];
      }
      v = ajv.compile({ $ref: pointer(parts) });
      compiled.set(key, v);
    }
    return v;
  }

  function expectValid(method: string, path: string, part: 'request' | '2XX' | 'default', value: unknown): void {
    const v = validator(method, path, part);
    const ok = v(value);
    if (!ok)
      throw new Error(
        `${method.toUpperCase()} ${path} ${part} does not match the contract:\n${ajv.errorsText(v.errors, { separator: '\n' })}\n${JSON.stringify(value, null, 1).slice(0, 2000)}`,
      );
  }

  /** Renames body keys to the metadata's casing (workaround 5). */
  function toMetadataCase(method: string, path: string, body: Json): Json {
    const props = Object.keys(doc.paths[path][method].requestBody.content['application/json'].schema.properties ?? {});
    return Object.fromEntries(Object.entries(body).map(([k, v]) => [props.find((p) => p.toLowerCase() === k.toLowerCase()) ?? k, v]));
  }

  const graph = (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
    client.request<Json>(method, `/v1.0${path}`, { token: app, ...(body === undefined ? {} : { body }), ...(headers ? { headers } : {}) });

  beforeAll(async () => {
    doc = JSON.parse(readFileSync(CONTRACT, 'utf8')) as Json;
    stripAdditionalProperties(doc);
    allowNullWhereGraphSendsNull(doc);
    ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addFormat('time', /^([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,12})?$/); // workaround 2
    ajv.addFormat('int16', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -32768 && n <= 32767 });
    ajv.addFormat('base64url', /^[A-Za-z0-9_-]*$/);
    ajv.addSchema(doc, 'graph'); // workaround 4
    sim = await startSimulator({ port: 0, seeds: loadSeedFiles([resolve(__dirname, '../../sim/seeds/example.json')]), now: () => NOW });
    client = createSimClient(sim);
    app = await client.appToken(NORTHWIND);
  });
  afterAll(async () => {
    await client?.close();
    await sim?.close();
  });

  // What Convene sends (src/server/calendar/graph mirrors these shapes).
  const getScheduleBody = {
    schedules: [
      'alice@northwind.example',
      'ben@northwind.example',
      'chen@northwind.example',
      'dana@northwind.example',
      'nobody@northwind.example',
    ],
    startTime: { dateTime: '2026-11-23T00:00:00', timeZone: 'UTC' },
    endTime: { dateTime: '2026-11-28T00:00:00', timeZone: 'UTC' },
    availabilityViewInterval: 15,
  };
  const eventBody = {
    subject: 'Interview: Jordan Candidate',
    body: { contentType: 'html', content: '<p>Interview loop</p>' },
    start: { dateTime: '2026-11-24T10:00:00', timeZone: 'Pacific Standard Time' },
    end: { dateTime: '2026-11-24T11:00:00', timeZone: 'Pacific Standard Time' },
    attendees: [
      { type: 'required', emailAddress: { address: 'ben@northwind.example', name: 'Ben Rao' } },
      { type: 'required', emailAddress: { address: 'jordan@candidates.example', name: 'Jordan Candidate' } },
    ],
    isOnlineMeeting: true,
    onlineMeetingProvider: 'teamsForBusiness',
    transactionId: 'convene-contract-0001',
    singleValueExtendedProperties: [{ id: transactionPropertyId, value: 'convene-contract-0001' }],
  };

  test('the contract catches a wrong payload (so a pass means something)', () => {
    expect(
      validator('post', '/users/{user-id}/calendar/getSchedule', '2XX')({ value: [{ scheduleItems: [{ status: 'sleeping' }] }] }),
    ).toBe(false);
    expect(validator('get', '/users/{user-id}/mailboxSettings', '2XX')({ workingHours: { startTime: '8am' } })).toBe(false);
    expect(validator('post', '/users/{user-id}/events', 'request')({ showAs: 'maybe' })).toBe(false);
    expect(validator('get', '/users', 'default')({ message: 'no error envelope' })).toBe(false);
  });

  test('getSchedule: request (normalized to PascalCase) and response, including error entries', async () => {
    expectValid(
      'post',
      '/users/{user-id}/calendar/getSchedule',
      'request',
      toMetadataCase('post', '/users/{user-id}/calendar/getSchedule', getScheduleBody),
    );
    const res = await graph('POST', '/users/alice@northwind.example/calendar/getSchedule', getScheduleBody, {
      prefer: 'outlook.timezone="Pacific Standard Time"',
    });
    expect(res.status).toBe(200);
    expect(res.body.value.filter((v: Json) => v.error)).toHaveLength(2);
    expectValid('post', '/users/{user-id}/calendar/getSchedule', '2XX', res.body);
  });

  test('mailboxSettings, user, users list: responses', async () => {
    for (const who of ['alice@northwind.example', 'chen@northwind.example', 'ben@northwind.example']) {
      const settings = await graph('GET', `/users/${who}/mailboxSettings`);
      expect(settings.status).toBe(200);
      expectValid('get', '/users/{user-id}/mailboxSettings', '2XX', settings.body);
    }
    const user = await graph('GET', '/users/alice@northwind.example');
    expectValid('get', '/users/{user-id}', '2XX', user.body);
    const list = await graph(
      'GET',
      `/users?$filter=${encodeURIComponent("startswith(displayName,'a') or startswith(mail,'a') or startswith(userPrincipalName,'a')")}&$top=20&$select=id,displayName,mail,userPrincipalName`,
    );
    expect(list.body.value).toHaveLength(1);
    expectValid('get', '/users', '2XX', list.body);
  });

  test('events: create request and response, get, list, cancel request', async () => {
    expectValid('post', '/users/{user-id}/events', 'request', eventBody);
    const created = await graph('POST', '/users/alice@northwind.example/events', eventBody);
    expect(created.status).toBe(201);
    expectValid('post', '/users/{user-id}/events', '2XX', created.body);
    const got = await graph('GET', `/users/alice@northwind.example/events/${created.body.id}`);
    expectValid('get', '/users/{user-id}/events/{event-id}', '2XX', got.body);
    const list = await graph('GET', '/users/ben@northwind.example/events');
    expectValid('get', '/users/{user-id}/events', '2XX', list.body);
    const cancelBody = { comment: 'The candidate withdrew.' };
    expectValid(
      'post',
      '/users/{user-id}/events/{event-id}/cancel',
      'request',
      toMetadataCase('post', '/users/{user-id}/events/{event-id}/cancel', cancelBody),
    );
    const cancelled = await graph('POST', `/users/alice@northwind.example/events/${created.body.id}/cancel`, cancelBody);
    expect(cancelled.status).toBe(202);
  });

  test("Convene's own event body, a repeated transactionId (400 ErrorDuplicateTransactionId) and the extended-property lookup", async () => {
    const body = conveneEventBody({
      subject: 'Interview: Contract',
      bodyHtml: '<p>x</p>',
      startMs: Date.parse('2026-11-26T17:00:00Z'),
      endMs: Date.parse('2026-11-26T18:00:00Z'),
      timeZone: 'America/Los_Angeles',
      attendees: [{ email: 'ben@northwind.example', name: 'Ben Rao' }],
      teamsMeeting: true,
      transactionId: 'convene-contract-0002',
    });
    expectValid('post', '/users/{user-id}/events', 'request', body);
    const created = await graph('POST', '/users/alice@northwind.example/events', body);
    expect(created.status).toBe(201);
    const repeated = await graph('POST', '/users/alice@northwind.example/events', body);
    expect([repeated.status, repeated.body.error.code]).toEqual([400, 'ErrorDuplicateTransactionId']);
    expectValid('post', '/users/{user-id}/events', 'default', repeated.body);
    const filter = `singleValueExtendedProperties/Any(ep: ep/id eq '${transactionPropertyId}' and ep/value eq 'convene-contract-0002')`;
    const found = await graph(
      'GET',
      `/users/alice@northwind.example/events?$filter=${encodeURIComponent(filter)}&$select=id,iCalUId,webLink,onlineMeeting,transactionId&$top=5`,
    );
    expect(found.body.value.map((e: Json) => e.id)).toEqual([created.body.id]);
    expectValid('get', '/users/{user-id}/events', '2XX', found.body);
    const expanded = await graph(
      'GET',
      `/users/alice@northwind.example/events/${created.body.id}?$expand=${encodeURIComponent(`singleValueExtendedProperties($filter=id eq '${transactionPropertyId}')`)}`,
    );
    expectValid('get', '/users/{user-id}/events/{event-id}', '2XX', expanded.body);
    expect(expanded.body.singleValueExtendedProperties).toEqual([{ id: transactionPropertyId, value: 'convene-contract-0002' }]);
    await graph('POST', `/users/alice@northwind.example/events/${created.body.id}/cancel`, {});
  });

  test('error responses (401, 403 access policy, 404, 400) are Graph OData errors', async () => {
    const unauth = await client.request<Json>('GET', '/v1.0/users');
    const blocked = await graph('GET', '/users/dana@northwind.example/mailboxSettings');
    const missing = await graph('GET', '/users/ghost@northwind.example');
    const invalid = await graph('POST', '/users/alice@northwind.example/calendar/getSchedule', { schedules: [] });
    expect([unauth.status, blocked.status, missing.status, invalid.status]).toEqual([401, 403, 404, 400]);
    for (const [path, res] of [
      ['/users', unauth],
      ['/users/{user-id}/mailboxSettings', blocked],
      ['/users/{user-id}', missing],
    ] as const)
      expectValid('get', path, 'default', res.body);
    expectValid('post', '/users/{user-id}/calendar/getSchedule', 'default', invalid.body);
  });

  test('$batch: envelope per the JSON batching doc; sub-requests and sub-responses per their operations', async () => {
    const batchSchema = {
      type: 'object',
      required: ['requests'],
      properties: {
        requests: {
          type: 'array',
          minItems: 1,
          maxItems: 20,
          items: {
            type: 'object',
            required: ['id', 'method', 'url'],
            properties: {
              id: { type: 'string' },
              method: { enum: ['GET', 'POST', 'PATCH', 'PUT', 'DELETE'] },
              url: { type: 'string', pattern: '^/?[^/]' },
              headers: { type: 'object' },
              body: {},
              dependsOn: { type: 'array', items: { type: 'string' } },
            },
          },
        },
      },
    };
    const batchResponseSchema = {
      type: 'object',
      required: ['responses'],
      properties: {
        responses: {
          type: 'array',
          items: {
            type: 'object',
            required: ['id', 'status'],
            properties: {
              id: { type: 'string' },
              status: { type: 'integer' },
              headers: { type: 'object', additionalProperties: { type: 'string' } },
              body: {},
            },
          },
        },
      },
    };
    const batch = {
      requests: ['alice', 'ben', 'chen', 'dana'].map((u, i) => ({
        id: String(i + 1),
        method: 'GET',
        url: `/users/${u}@northwind.example/mailboxSettings`,
      })),
    };
    expect(ajv.validate(batchSchema, batch)).toBe(true);
    sim.faults.add({ pathPattern: '/users/chen@northwind\\.example/mailboxSettings$', status: 429, times: 1, retryAfterSeconds: 2 });
    const res = await graph('POST', '/$batch', batch);
    expect(ajv.validate(batchResponseSchema, res.body)).toBe(true);
    const statuses: number[] = [];
    for (const sub of res.body.responses as Json[]) {
      statuses.push(sub.status);
      expectValid('get', '/users/{user-id}/mailboxSettings', sub.status < 300 ? '2XX' : 'default', sub.body);
    }
    expect(statuses).toEqual([200, 200, 429, 403]);
  });

  test('$batch with getSchedule as a POST sub-request (how Convene reads a panel in one request): request and sub-response', async () => {
    const sub = {
      id: '1',
      method: 'POST',
      url: '/users/alice@northwind.example/calendar/getSchedule',
      headers: { 'Content-Type': 'application/json', Prefer: 'outlook.timezone="UTC"' },
      body: getScheduleBody,
    };
    expectValid(
      'post',
      '/users/{user-id}/calendar/getSchedule',
      'request',
      toMetadataCase('post', '/users/{user-id}/calendar/getSchedule', sub.body),
    );
    const res = await graph('POST', '/$batch', {
      requests: [sub, { id: '2', method: 'GET', url: '/users/ben@northwind.example/mailboxSettings' }],
    });
    const [schedule, settings] = ['1', '2'].map((id) => (res.body.responses as Json[]).find((r) => r.id === id)!);
    expect([schedule!.status, settings!.status]).toEqual([200, 200]);
    expect(schedule!.body.value.map((v: Json) => v.scheduleId)).toEqual(getScheduleBody.schedules);
    expectValid('post', '/users/{user-id}/calendar/getSchedule', '2XX', schedule!.body);
    expectValid('get', '/users/{user-id}/mailboxSettings', '2XX', settings!.body);
  });

  test('the demo tenant (custom working-hours zone, OOF auto-replies, all-day, private and workingElsewhere items) validates too', async () => {
    const demo = await startSimulator({ port: 0, now: () => NOW });
    const demoClient = createSimClient(demo);
    try {
      const token = await demoClient.appToken('contoso.example');
      const people = demo.users.filter((u) => u.tenantId === demo.tenants[0]!.id).map((u) => u.upn);
      for (const upn of ['grace@contoso.example', 'noah@contoso.example', 'marcus@contoso.example']) {
        const settings = await demoClient.request<Json>('GET', `/v1.0/users/${upn}/mailboxSettings`, { token });
        expectValid('get', '/users/{user-id}/mailboxSettings', '2XX', settings.body);
      }
      const res = await demoClient.request<Json>('POST', '/v1.0/users/adele@contoso.example/calendar/getSchedule', {
        token,
        body: {
          schedules: people,
          startTime: { dateTime: '2026-11-16T00:00:00', timeZone: 'UTC' },
          endTime: { dateTime: '2026-12-05T00:00:00', timeZone: 'UTC' },
          availabilityViewInterval: 30,
        },
      });
      const statuses = new Set((res.body.value as Json[]).flatMap((v) => (v.scheduleItems ?? []).map((i: Json) => i.status)));
      expect([...statuses].sort()).toEqual(['busy', 'free', 'oof', 'tentative', 'workingElsewhere']);
      expect((res.body.value as Json[]).some((v) => (v.scheduleItems ?? []).some((i: Json) => i.isPrivate))).toBe(true);
      expectValid('post', '/users/{user-id}/calendar/getSchedule', '2XX', res.body);
    } finally {
      await demoClient.close();
      await demo.close();
    }
  });
});
