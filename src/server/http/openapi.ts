/**
 * The OpenAPI 3.1 document served at `/api/openapi.json`, generated from the same zod schemas
 * that validate requests (`src/shared/api.ts`), so the document cannot drift from the code.
 */
import { z } from 'zod';
import * as api from '../../shared/api';

type Json = Record<string, unknown>;

function schema(s: z.ZodType, io: 'input' | 'output'): Json {
  return z.toJSONSchema(s, { io, unrepresentable: 'any' }) as Json;
}

const errorResponse = (description: string): Json => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorBody' } } },
});

const errors = (...codes: number[]): Json =>
  Object.fromEntries(
    codes.map((c) => [
      String(c),
      errorResponse(
        {
          400: 'invalid_request: the body, query or a header does not pass its schema',
          401: 'unauthenticated: missing or invalid user token',
          403: 'tenant_not_consented or forbidden',
          404: 'not_found',
          409: 'slot_taken, idempotency_key_reused or conflict',
          413: 'payload_too_large',
          415: 'unsupported_media_type',
          422: 'unprocessable',
          503: 'graph_unavailable (see Retry-After)',
        }[c] ?? 'error',
      ),
    ]),
  );

const json = (ref: string, description = 'OK'): Json => ({
  description,
  content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } },
});
const body = (ref: string): Json => ({
  required: true,
  content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } },
});
const secured = [{ entra: [] }];

let cached: Json | undefined;

/** Builds (once) and returns the OpenAPI document. */
export function openApiDocument(): Json {
  cached ??= {
    openapi: '3.1.0',
    info: {
      title: 'Convene API',
      version: '1.0.0',
      description: 'Interview scheduling for Microsoft 365. Errors are {"error":{"code","message","requestId"}}.',
    },
    components: {
      securitySchemes: {
        entra: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'A Microsoft Entra ID access token for api://<client id>/access_as_user',
        },
      },
      schemas: {
        AvailabilityRequest: schema(api.AvailabilityRequest, 'input'),
        AvailabilityResponse: schema(api.AvailabilityResponse, 'output'),
        CreateInterviewRequest: schema(api.CreateInterviewRequest, 'input'),
        Interview: schema(api.Interview, 'output'),
        BookedInterview: schema(api.BookedInterview, 'output'),
        InterviewList: schema(z.array(api.Interview), 'output'),
        CancelInterviewRequest: schema(api.CancelInterviewRequest, 'input'),
        PersonList: schema(z.array(api.Person), 'output'),
        ErrorBody: schema(api.ErrorBody, 'output'),
      },
    },
    paths: {
      '/healthz': {
        get: {
          operationId: 'health',
          summary: 'Liveness: 200 when the database answers',
          responses: { '200': { description: 'OK' }, '500': errorResponse('database unavailable') },
        },
      },
      '/api/availability': {
        post: {
          operationId: 'findAvailability',
          summary: "Free slots for a panel, in everyone's own time zone",
          security: secured,
          requestBody: body('AvailabilityRequest'),
          responses: { '200': json('AvailabilityResponse'), ...errors(400, 401, 403, 413, 415, 422, 503) },
        },
      },
      '/api/interviews': {
        post: {
          operationId: 'bookInterview',
          summary: "Book an interview in the caller's calendar (the caller is the organizer)",
          security: secured,
          parameters: [{ name: 'Idempotency-Key', in: 'header', required: true, schema: { type: 'string', maxLength: 255 } }],
          requestBody: body('CreateInterviewRequest'),
          responses: {
            '201': json('BookedInterview', 'Created (or replayed: header Idempotent-Replayed: true)'),
            ...errors(400, 401, 403, 409, 413, 415, 422, 503),
          },
        },
        get: {
          operationId: 'listInterviews',
          summary: "The caller's interviews",
          security: secured,
          parameters: [
            { name: 'from', in: 'query', schema: { type: 'string', format: 'date-time' } },
            { name: 'to', in: 'query', schema: { type: 'string', format: 'date-time' } },
          ],
          responses: { '200': json('InterviewList'), ...errors(400, 401, 403, 503) },
        },
      },
      '/api/interviews/{id}': {
        get: {
          operationId: 'getInterview',
          security: secured,
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
          responses: { '200': json('Interview'), ...errors(401, 403, 404, 503) },
        },
      },
      '/api/interviews/{id}/cancel': {
        post: {
          operationId: 'cancelInterview',
          security: secured,
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
          requestBody: {
            required: false,
            content: { 'application/json': { schema: { $ref: '#/components/schemas/CancelInterviewRequest' } } },
          },
          responses: { '200': json('Interview'), ...errors(400, 401, 403, 404, 409, 503) },
        },
      },
      '/api/people': {
        get: {
          operationId: 'searchPeople',
          summary: "Up to 20 people of the caller's tenant (type-ahead)",
          security: secured,
          parameters: [{ name: 'q', in: 'query', required: true, schema: { type: 'string', minLength: 1, maxLength: 100 } }],
          responses: { '200': json('PersonList'), ...errors(400, 401, 403, 503) },
        },
      },
      '/api/openapi.json': { get: { operationId: 'openApi', responses: { '200': { description: 'This document' } } } },
    },
  };
  return cached;
}
