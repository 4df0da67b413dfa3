/**
 * The IT admin's command line: `convene doctor` against the simulator (what `npm start` runs),
 * and `convene keys rotate` on PGlite and on PostgreSQL.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/convene';
import { createKeyring } from '../../src/server/crypto/envelope';
import { createCredentialSealer } from '../../src/server/crypto/sealer';
import { openStore } from '../../src/server/store';
import { DOMAIN, NORTHWIND_TID, TAILSPIN_TID, testTenants, users } from '../fixtures/northwind';
import { createTestDatabase, describeWithPostgres } from '../support/postgres';
import { type Stack, startStack } from '../support/stack';

type Run = { code: number; out: string; err: string };
async function cli(argv: string[], env: Record<string, string>): Promise<Run> {
  let out = '';
  let err = '';
  const code = await main(argv, env, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

describe('convene doctor against the simulator', () => {
  let stack: Stack;
  let dir: string;
  beforeAll(async () => {
    stack = await startStack(testTenants(Date.now()));
    dir = mkdtempSync(join(tmpdir(), 'convene-doctor-'));
    writeFileSync(join(dir, 'sim-ca.pem'), stack.sim.caPem);
    // As sim/dev.ts (npm start) writes it.
    writeFileSync(
      join(dir, 'dev.json'),
      JSON.stringify({
        serverUrl: stack.url,
        simUrl: stack.sim.url,
        caPath: join(dir, 'sim-ca.pem'),
        simClientId: stack.sim.clientId,
        simClientSecret: stack.sim.clientSecret,
      }),
    );
  });
  afterAll(async () => {
    await stack?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const doctor = (...args: string[]) => cli(['doctor', ...args], { CONVENE_DATA_DIR: dir });

  it('a reachable mailbox: every check ok, exit 0', async () => {
    const r = await doctor('--tenant', DOMAIN, '--mailbox', users.priya.upn);
    expect(r.err).toBe('');
    expect(r.out).toMatch(/^ok +login host/m);
    expect(r.out).toMatch(/^ok +clock skew +[+-]\d+\.\d s/m);
    expect(r.out).toMatch(/^ok +graph host/m);
    expect(r.out).toContain(`${DOMAIN} is tenant ${NORTHWIND_TID}`);
    expect(r.out).toMatch(/^ok +consent/m);
    expect(r.out).toMatch(/^ok +granted roles +Calendars\.ReadWrite, MailboxSettings\.Read, User\.ReadBasic\.All/m);
    expect(r.out).toMatch(new RegExp(`^ok +mailbox +${users.priya.upn}: reachable`, 'm'));
    expect(r.out).toContain('No problems found.');
    expect(r.code).toBe(0);
  });

  it('a mailbox blocked by the access policy: FAIL line with the reason, exit 1', async () => {
    const r = await doctor('--tenant', NORTHWIND_TID, '--mailbox', users.priya.upn, '--mailbox', users.gwen.upn);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(new RegExp(`^FAIL  mailbox +${users.gwen.upn}: blocked \\(getSchedule: ErrorAccessDenied`, 'm'));
    expect(r.out).toContain('1 problem found.');
  });

  it('an unconsented tenant and an unknown one fail', async () => {
    const tailspin = await doctor('--tenant', TAILSPIN_TID);
    expect(tailspin.code).toBe(1);
    expect(tailspin.out).toMatch(/^FAIL {2}consent +no app-only token .*AADSTS700016/m);
    const unknown = await doctor('--tenant', 'nowhere.example', '--json');
    expect(unknown.code).toBe(1);
    const json = JSON.parse(unknown.out) as { checks: Array<{ name: string; status: string }> };
    expect(json.checks.find((c) => c.name === 'tenant')?.status).toBe('fail');
  });

  it('needs --tenant (usage, exit 2)', async () => {
    const r = await doctor();
    expect(r.code).toBe(2);
    expect(r.err).toContain('Missing --tenant');
  });
});

const keyA = randomBytes(32);
const keyB = randomBytes(32);
const tids = ['a1000000-0000-4000-8000-000000000001', 'a1000000-0000-4000-8000-000000000002'];

/** Two tenants with credentials sealed under key A, stored as the PUT route stores them. */
async function seedCredentials(location: { databaseUrl?: string; dataDir: string }): Promise<void> {
  const store = await openStore(location);
  const sealer = createCredentialSealer({ keyring: createKeyring(keyA) });
  try {
    for (const tid of tids) {
      const { envelope } = await sealer.seal(JSON.stringify({ clientId: 'c', credential: { kind: 'secret', secret: `s-${tid}` } }), tid);
      await store.tenants.recordConsent({
        tid,
        displayName: null,
        cloud: 'global',
        grantedRoles: [],
        credentialMode: 'tenant',
        encryptedCredential: JSON.stringify({ v: 1, clientId: 'c', type: 'secret', createdAt: new Date().toISOString(), sealed: envelope }),
      });
    }
  } finally {
    await store.close();
  }
}

/** Every stored credential opens with key B alone, and says so in its key id. */
async function expectAllUnderB(location: { databaseUrl?: string; dataDir: string }): Promise<void> {
  const store = await openStore(location);
  const onlyB = createCredentialSealer({ keyring: createKeyring(keyB) });
  try {
    const rows = await store.tenantCredentials.listSealed();
    expect(rows.map((r) => r.tid)).toEqual(tids);
    for (const row of rows) {
      const sealed = (JSON.parse(row.encryptedCredential) as { sealed: string }).sealed;
      expect(onlyB.isCurrent(sealed)).toBe(true);
      expect(JSON.parse(await onlyB.open(sealed, row.tid))).toMatchObject({ credential: { secret: `s-${row.tid}` } });
    }
  } finally {
    await store.close();
  }
}

async function rotateScenario(
  env: Record<string, string>,
  location: { databaseUrl?: string; dataDir: string },
  checkRerun: boolean,
): Promise<void> {
  await seedCredentials(location);
  // Without the old key: nothing can be rewrapped, exit 1 naming the setting.
  const missing = await cli(['keys', 'rotate'], { ...env, CONVENE_MASTER_KEY: keyB.toString('base64') });
  expect(missing.code).toBe(1);
  expect(missing.out).toContain('0 rewrapped');
  expect(missing.err).toContain('CONVENE_MASTER_KEY_PREVIOUS');
  const withOld = { ...env, CONVENE_MASTER_KEY: keyB.toString('base64'), CONVENE_MASTER_KEY_PREVIOUS: keyA.toString('base64') };
  const first = await cli(['keys', 'rotate'], withOld);
  expect(first.err).toBe('');
  expect(first.out).toContain('2 rewrapped, 0 already under the current key');
  expect(first.code).toBe(0);
  if (checkRerun) {
    const again = await cli(['keys', 'rotate'], withOld);
    expect(again.out).toContain('0 rewrapped, 2 already under the current key');
  }
  await expectAllUnderB(location);
}

describe('convene keys rotate', () => {
  it('re-wraps every tenant credential on PGlite (server stopped)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'convene-keys-'));
    try {
      // Each PGlite open of a directory costs seconds: the rerun check is left to PostgreSQL.
      await rotateScenario({ CONVENE_DATA_DIR: dir }, { dataDir: dir }, false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('usage: an unknown subcommand exits 2', async () => {
    expect((await cli(['keys', 'spin'], {})).code).toBe(2);
  });
});

describeWithPostgres('convene keys rotate on PostgreSQL', (adminUrl) => {
  it('re-wraps every tenant credential', async () => {
    const db = await createTestDatabase(adminUrl());
    try {
      await rotateScenario({ DATABASE_URL: db.url, CONVENE_DATA_DIR: 'memory://' }, { databaseUrl: db.url, dataDir: 'memory://' }, true);
    } finally {
      await db.drop();
    }
  });
});
