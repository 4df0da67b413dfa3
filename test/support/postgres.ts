/**
 * PostgreSQL for tests: is there a server (probed synchronously, because jest declares tests
 * synchronously and a skipped suite must be declared as such), and a database of one's own per
 * run (`convene_test_<random>`, created through the admin database and dropped with FORCE after).
 *
 * When none answers, PostgreSQL suites skip with a printed reason, except under `CI=true`, where
 * they fail. `CONVENE_TEST_PG_URL` (a URL to an admin database) overrides the default candidates.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

export type PgProbe = { ok: true; adminUrl: string } | { ok: false; reason: string };

/** Finds a PostgreSQL to use (127.0.0.1:5432 as `postgres` or `root`, or `CONVENE_TEST_PG_URL`). */
export function probePostgres(): PgProbe {
  const candidates = process.env.CONVENE_TEST_PG_URL
    ? [process.env.CONVENE_TEST_PG_URL]
    : ['postgres://postgres@127.0.0.1:5432/postgres', 'postgres://root@127.0.0.1:5432/postgres'];
  const script = `
    const { Client } = require(${JSON.stringify(require.resolve('pg'))});
    const c = new Client({ connectionString: process.argv[1], connectionTimeoutMillis: 2000 });
    c.connect().then(() => c.query('select 1')).then(() => c.end()).then(
      () => process.exit(0),
      (e) => { process.stderr.write(String(e && e.message)); process.exit(1); });`;
  const failures: string[] = [];
  for (const url of candidates) {
    const r = spawnSync(process.execPath, ['-e', script, url], { encoding: 'utf8', timeout: 5000 });
    if (r.status === 0) return { ok: true, adminUrl: url };
    failures.push(`${url.replace(/\/\/[^@]*@/, '//<user>@')}: ${r.stderr.trim() || r.error?.message || `exit ${r.status}`}`);
  }
  return { ok: false, reason: `no PostgreSQL answered (${failures.join('; ')})` };
}

/**
 * `describe` when PostgreSQL answers; otherwise `describe.skip` with the reason printed, or, under
 * `CI=true`, a failing test that says why.
 */
export function describeWithPostgres(name: string, fn: (adminUrl: () => string) => void): void {
  const probe = probePostgres();
  if (probe.ok) {
    describe(name, () => fn(() => probe.adminUrl));
    return;
  }
  if (process.env.CI === 'true') {
    describe(name, () => {
      it('needs PostgreSQL (CI=true: never skipped)', () => {
        throw new Error(probe.reason);
      });
    });
    return;
  }
  console.warn(`Skipping "${name}": ${probe.reason}`);
  describe.skip(name, () => fn(() => ''));
}

/** Create a fresh database through the admin URL; returns its URL and a dropper. */
export async function createTestDatabase(adminUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `convene_test_${randomBytes(6).toString('hex')}`;
  // Identifiers cannot be parameters; the name is generated here and checked anyway.
  if (!/^convene_test_[0-9a-f]{12}$/.test(name)) throw new Error(`bad test database name ${name}`);
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new Client({ connectionString: adminUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
