/**
 * Shared pieces of the bot tests: test tenants (Northwind plus a second "Lukas", so a first name
 * is ambiguous), Teams-shaped activities (their Teams fields as the local chat, sim/chat.ts, sends
 * them), and the Adaptive Card 1.5 schema validator (Microsoft's schema from ../shared/contracts,
 * read relative to the repository root as CI does).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import type { SeedTenant } from '../../sim';
import type { TeamsUser } from '../../sim/chat';
import { DOMAIN, NORTHWIND_TID, TAILSPIN_TID, testTenants, users } from '../fixtures/northwind';

export { NORTHWIND_TID, TAILSPIN_TID, users } from '../fixtures/northwind';

/** A second Lukas in Northwind (Lukas Weber is the other). */
export const lukasMeyer = { id: 'a0000000-0000-4000-8000-0000000000aa', upn: `lukas.meyer@${DOMAIN}` };
/** Tailspin's only user (tenant not consented). */
export const sam = { id: 'b0000000-0000-4000-8000-000000000001', upn: 'sam@tailspin.example' };

/** Northwind and Tailspin, with Lukas Meyer added to Northwind. */
export function botTenants(nowMs: number): SeedTenant[] {
  const tenants = testTenants(nowMs);
  const northwind = tenants.find((t) => t.tenant.id === NORTHWIND_TID);
  northwind?.users.push({
    id: lukasMeyer.id,
    userPrincipalName: lukasMeyer.upn,
    mail: lukasMeyer.upn,
    displayName: 'Lukas Meyer',
    mailboxSettings: { timeZone: 'W. Europe Standard Time' },
    events: [],
  });
  return tenants;
}

export { teamsFields, type TeamsUser } from '../../sim/chat';

export const olivia: TeamsUser = { oid: users.olivia.id, tid: NORTHWIND_TID, name: 'Olivia Brown' };
export const priya: TeamsUser = { oid: users.priya.id, tid: NORTHWIND_TID, name: 'Priya Nair' };
export const samUser: TeamsUser = { oid: sam.id, tid: TAILSPIN_TID, name: 'Sam Taylor' };

let validator: ValidateFunction | undefined;

/** Microsoft's Adaptive Card 1.5 schema (draft-06; its top-level `id` renamed `$id` for Ajv 8). */
export function adaptiveCardValidator(): ValidateFunction {
  if (validator) return validator;
  const path = resolve(__dirname, '../../../shared/contracts/adaptivecards/1.5.0/adaptive-card.json');
  const schema = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  schema.$id = schema.id;
  delete schema.id;
  const ajv = new Ajv({ strict: false, allErrors: true, logger: false });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  ajv.addMetaSchema(require('ajv/dist/refs/json-schema-draft-06.json') as object);
  validator = ajv.compile(schema);
  return validator;
}

/** Fails the test with Ajv's errors when `card` is not a valid Adaptive Card 1.5. */
export function expectValidCard(card: unknown): void {
  const validate = adaptiveCardValidator();
  const ok = validate(card);
  if (!ok) throw new Error(`Adaptive Card does not match the 1.5 schema: ${JSON.stringify(validate.errors?.slice(0, 5), null, 1)}`);
  expect((card as { version?: string }).version).toBe('1.5');
}

/** The Adaptive Cards among a list of activities. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- cards are read as loose JSON in assertions
export function cardsOf(activities: Array<{ attachments?: Array<{ contentType?: string; content?: unknown }> }>): any[] {
  return activities.flatMap((a) =>
    (a.attachments ?? [])
      .filter((x) => x.contentType === 'application/vnd.adaptive.card' || x.contentType === 'application/vnd.microsoft.card.adaptive')
      .map((x) => x.content),
  );
}

/** Every string in a card (to search a card's text). */
export function cardText(card: unknown): string {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') out.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(card);
  return out.join('\n');
}

/** The `Action.Execute` buttons of a card with `verb`. */
export function buttons(card: unknown, verb?: string): Array<{ title: string; verb: string; data: Record<string, unknown> }> {
  const out: Array<{ title: string; verb: string; data: Record<string, unknown> }> = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (o.type === 'Action.Execute' && (!verb || o.verb === verb)) out.push(o as never);
      Object.values(o).forEach(walk);
    }
  };
  walk(card);
  return out;
}
