/**
 * Schema checks at the boundary: every request body, query and header passes its zod schema
 * from `src/shared/api.ts` or becomes a 400 `invalid_request` naming each bad field.
 */
import type { z } from 'zod';
import { ConveneError } from '../shared/errors';

/**
 * Parses `input` with `schema`.
 * @param label prefix for the field paths in the error (e.g. `Idempotency-Key`)
 * @throws ConveneError `invalid_request` with `details` (path + message per problem)
 */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, label?: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const at = (path: PropertyKey[]) => [label, ...path.map(String)].filter(Boolean).join('.') || '(body)';
  const details = result.error.issues.slice(0, 20).flatMap((issue) =>
    // One entry per unknown field, named by its own path, so a client can point at it.
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: at([...issue.path, key]), message: 'unknown field' }))
      : [{ path: at(issue.path), message: issue.message }],
  );
  const summary = details.map((d) => `${d.path}: ${d.message}`).join('; ');
  throw new ConveneError('invalid_request', `Invalid request: ${summary}`, { details });
}
