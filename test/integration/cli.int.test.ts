/**
 * `npx convene` against the running stack: availability prints a table in the organizer's zone
 * with each attendee's local time; book creates the invite once, and the same command again
 * books nothing new.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/convene';
import { createFetch } from '../../src/server/net';
import { nextMonday, testTenants, users } from '../fixtures/northwind';
import { type Stack, startStack } from '../support/stack';

let stack: Stack;
let dir: string;
const monday = nextMonday(Date.now());

beforeAll(async () => {
  stack = await startStack(testTenants(Date.now()));
  dir = mkdtempSync(join(tmpdir(), 'convene-cli-'));
  writeFileSync(join(dir, 'sim-ca.pem'), stack.sim.caPem);
  writeFileSync(join(dir, 'dev.json'), JSON.stringify({ serverUrl: stack.url, simUrl: stack.sim.url, caPath: join(dir, 'sim-ca.pem') }));
});

afterAll(async () => {
  await stack?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main([...argv, '--server', stack.url], { CONVENE_DATA_DIR: dir }, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

const panel = `${users.priya.upn},${users.lukas.upn},${users.mateo.upn}`;

describe('npx convene', () => {
  it('availability prints the slots in the organizer zone with each attendee local time', async () => {
    const r = await run(
      'availability',
      '--as',
      users.olivia.upn,
      '--panel',
      panel,
      '--duration',
      '60',
      '--from',
      monday.toISODate() as string,
      '--to',
      monday.plus({ days: 1 }).toISODate() as string,
      '--step',
      '30',
    );
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain(`Organizer ${users.olivia.upn} (America/New_York)`);
    const lines = r.out.split('\n');
    const header = lines.find((l) => l.startsWith('Start (organizer)'));
    expect(header).toMatch(/priya\s+lukas\s+mateo/);
    // Monday 13:00 UTC = 08:00 New York, 18:30 India, 14:00 Berlin, 07:00 Chicago.
    expect(lines.find((l) => l.includes('08:00 '))).toMatch(/08:00\s+Mon 18:30\s+Mon 14:00\s+Mon 07:00/);
  });

  it('book creates one invite; the same command again books nothing new', async () => {
    const start = monday.plus({ days: 3, hours: 14, minutes: 30 }).toISO() as string;
    const args = [
      'book',
      '--as',
      users.olivia.upn,
      '--candidate',
      'Ada Lovelace <ada@candidates.example>',
      '--panel',
      panel,
      '--start',
      start,
      '--duration',
      '60',
    ];
    const first = await run(...args);
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/^Booked [0-9a-f-]{36} \(scheduled\)/);
    expect(first.out).toMatch(/Teams: https:\/\//);
    const second = await run(...args);
    expect(second.code).toBe(0);
    expect(second.out).toMatch(/^Already booked with this Idempotency-Key/);
    const res = await createFetch({ caPem: stack.sim.caPem })(`${stack.sim.url}/_sim/users/${users.olivia.upn}/events`);
    const events = ((await res.json()) as { value: Array<{ subject: string; attendees: Array<{ emailAddress: { address: string } }> }> })
      .value;
    const mine = events.filter((e) => e.subject === 'Interview: Ada Lovelace');
    expect(mine).toHaveLength(1);
    expect(mine[0]?.attendees.map((a) => a.emailAddress.address)).toContain('ada@candidates.example');
  });

  it('explains bad input and exits 2 (usage) or 1 (refused by the API)', async () => {
    const usage = await run('book', '--as', users.olivia.upn, '--panel', panel);
    expect(usage.code).toBe(2);
    expect(usage.err).toContain('Missing --start');
    const refused = await run('availability', '--as', users.olivia.upn, '--panel', 'not-an-email', '--duration', '60');
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/invalid_request: .*panel\.0/);
  });
});
