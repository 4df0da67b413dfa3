import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { AvailabilityRequest } from '../../shared/api';
import { openApiDocument } from './openapi';
import { apiRoutes } from './routes';

type Doc = { openapi: string; paths: Record<string, Record<string, unknown>>; components: { schemas: Record<string, object> } };

describe('OpenAPI document', () => {
  const doc = openApiDocument() as Doc;

  it('documents every API route the server serves', () => {
    const routes = apiRoutes({ calendar: {} as never, ping: async () => undefined, openApi: () => ({}) });
    for (const r of routes) {
      const path = r.path.replace(/:(\w+)/g, '{$1}');
      expect({ path, method: r.method, documented: Boolean(doc.paths[path]?.[r.method.toLowerCase()]) }).toEqual({
        path,
        method: r.method,
        documented: true,
      });
    }
  });

  it('has component schemas that compile and agree with the zod validation', () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    const validate = ajv.compile(doc.components.schemas.AvailabilityRequest as object);
    const good = { panel: ['a@b.example'], durationMinutes: 60, window: { start: '2026-11-23T09:00:00Z', end: '2026-11-24T09:00:00Z' } };
    expect(validate(good)).toBe(true);
    expect(AvailabilityRequest.safeParse(good).success).toBe(true);
    const unknownField = { ...good, organizer: 'x@y.example' };
    expect(validate(unknownField)).toBe(false);
    expect(AvailabilityRequest.safeParse(unknownField).success).toBe(false);
    for (const s of Object.values(doc.components.schemas)) expect(() => ajv.compile(s)).not.toThrow();
  });

  it('documents why there are no slots (noSlotsReason) in the availability response', () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    const validate = ajv.compile(doc.components.schemas.AvailabilityResponse as object);
    const empty = { organizer: { email: 'o@x.example', timeZone: 'UTC' }, attendees: [], complete: true, slots: [], truncated: false };
    const reason = { code: 'busy', message: 'The panel is busy.', attendees: ['bob@x.example'] };
    expect(validate({ ...empty, noSlotsReason: reason })).toBe(true);
    expect(validate(empty)).toBe(true); // optional: absent whenever there are slots
    expect(validate({ ...empty, noSlotsReason: { ...reason, code: 'guess' } })).toBe(false);
  });
});
