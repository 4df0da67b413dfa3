import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CONTOSO_TENANT_ID, demoTenant, demoTenants, fabrikamTenant } from './demo-tenant';
import { expandOccurrences } from './recurrence';
import { loadSeedFiles, parseSeeds, type SeedTenant } from './seed';
import { resolveZone, toEpochMs } from './time';

const EXAMPLE = resolve(__dirname, 'seeds/example.json');

describe('loadSeedFiles', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sim-seed-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, value: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
    return path;
  };

  test('loads the committed example seed', () => {
    const [tenant, ...rest] = loadSeedFiles([EXAMPLE]);
    expect(rest).toHaveLength(0);
    expect(tenant?.tenant.domain).toBe('northwind.example');
    expect(tenant?.accessPolicy).toEqual({
      accessRight: 'RestrictAccess',
      members: ['alice@northwind.example', 'ben@northwind.example', 'chen@northwind.example'],
    });
    expect(tenant?.users.map((u) => u.userPrincipalName)).toEqual([
      'alice@northwind.example',
      'ben@northwind.example',
      'chen@northwind.example',
      'dana@northwind.example',
    ]);
    expect(tenant?.users[0]?.events?.[0]?.recurrence?.pattern.type).toBe('weekly');
  });

  test('an error names the file and the field', () => {
    const bad = JSON.parse(JSON.stringify(loadSeedFiles([EXAMPLE])[0])) as SeedTenant;
    bad.users[2]!.mailboxSettings!.timeZone = 'Atlantis Standard Time';
    const path = write('bad-zone.json', bad);
    expect(() => loadSeedFiles([path])).toThrow(`${path}: users[2].mailboxSettings.timeZone: unknown time zone`);

    const badTime = JSON.parse(JSON.stringify(bad)) as SeedTenant;
    badTime.users[2]!.mailboxSettings!.timeZone = 'UTC';
    badTime.users[0]!.events![1]!.start.dateTime = '23/11/2026 10:00';
    const path2 = write('bad-time.json', [badTime]);
    expect(() => loadSeedFiles([path2])).toThrow(`${path2}: [0].users[0].events[1].start.dateTime: dateTime must be a wall time`);
  });

  test('unknown keys, missing fields, bad JSON, duplicate users and duplicate tenants are refused', () => {
    const good = loadSeedFiles([EXAMPLE])[0] as SeedTenant;
    expect(() => loadSeedFiles([write('typo.json', { ...good, acessPolicy: null })])).toThrow(
      /typo\.json: \(root\): Unrecognized key.*acessPolicy/,
    );
    expect(() => loadSeedFiles([write('no-users.json', { tenant: good.tenant })])).toThrow(/no-users\.json: users: /);
    expect(() => loadSeedFiles([write('broken.json', '{"tenant": ')])).toThrow(/broken\.json is not valid JSON/);
    expect(() => loadSeedFiles([join(dir, 'missing.json')])).toThrow(/Cannot read simulator seed file .*missing\.json/);
    const dupUser = { ...good, users: [good.users[0]!, { ...good.users[1]!, userPrincipalName: good.users[0]!.userPrincipalName }] };
    expect(() => loadSeedFiles([write('dup-user.json', dupUser)])).toThrow(
      /dup-user\.json: users\[1\]: "alice@northwind.example" is already used by users\[0\]/,
    );
    const other = write('again.json', good);
    expect(() => loadSeedFiles([EXAMPLE, other])).toThrow(
      /again\.json: tenant.id\/domain "0b9e8d7c-6a5b-4c3d-9e2f-1a0b9c8d7e6f" is already defined in .*example\.json/,
    );
  });

  test('defaults are applied: showAs busy, not all-day, no recurrence', () => {
    const [t] = parseSeeds({
      tenant: { id: '99999999-9999-4999-8999-999999999999', domain: 'x.example', displayName: 'X' },
      users: [
        {
          id: '99999999-9999-4999-8999-000000000001',
          userPrincipalName: 'a@x.example',
          displayName: 'A',
          events: [
            { start: { dateTime: '2026-11-23T10:00:00', timeZone: 'UTC' }, end: { dateTime: '2026-11-23T11:00:00', timeZone: 'UTC' } },
          ],
        },
      ],
    });
    expect(t?.users[0]?.events?.[0]).toMatchObject({ showAs: 'busy', isAllDay: false, recurrence: null, subject: '' });
    expect(t?.consent).toBeUndefined();
  });
});

describe('demo tenants', () => {
  const NOW = Date.parse('2026-11-25T15:00:00Z'); // a Wednesday
  const [contoso, fabrikam] = demoTenants(NOW) as [SeedTenant, SeedTenant];
  const user = (key: string) => contoso.users.find((u) => u.userPrincipalName === `${key}@contoso.example`)!;

  test('Contoso: at least 12 people over at least 6 zones, including India, a southern-hemisphere DST zone, a US zone and Europe', () => {
    expect(contoso.tenant).toEqual({ id: CONTOSO_TENANT_ID, domain: 'contoso.example', displayName: 'Contoso' });
    expect(contoso.users.length).toBeGreaterThanOrEqual(12);
    const zones = new Set(contoso.users.map((u) => u.mailboxSettings?.timeZone));
    expect(zones.size).toBeGreaterThanOrEqual(6);
    for (const z of ['India Standard Time', 'AUS Eastern Standard Time', 'Pacific Standard Time', 'W. Europe Standard Time'])
      expect(zones).toContain(z);
    for (const z of zones) expect(resolveZone(z)).toBeDefined();
  });

  test('one working-hours zone differs from the mailbox zone; one is a customTimeZone', () => {
    const marcus = user('marcus').mailboxSettings!;
    expect(marcus.timeZone).toBe('Eastern Standard Time');
    expect(marcus.workingHours?.timeZone).toEqual({ name: 'Central Standard Time' });
    expect(user('grace').mailboxSettings?.workingHours?.timeZone).toMatchObject({
      '@odata.type': '#microsoft.graph.customTimeZone',
      bias: 480,
    });
  });

  test('admin, access policy, unconsented Fabrikam, a mailbox-less user', () => {
    expect(user('adele').appRoles).toEqual(['Convene.Admin']);
    expect(contoso.accessPolicy).toEqual({ accessRight: 'DenyAccess', members: ['hannah@contoso.example'] });
    expect(user('ivan').mailboxEnabled).toBe(false);
    expect(fabrikam.consent?.granted).toBe(false);
    expect(fabrikam.tenant.domain).toBe('fabrikam.example');
    expect(demoTenant(NOW)).toEqual(contoso);
    expect(fabrikamTenant(NOW)).toEqual(fabrikam);
  });

  test('calendars: weekly stand-ups, an OOF week, a tentative hold, all-day events, several meetings a day', () => {
    const events = contoso.users.flatMap((u) => u.events ?? []);
    expect(events.some((e) => e.recurrence?.pattern.type === 'weekly' && (e.recurrence.pattern.daysOfWeek?.length ?? 0) >= 3)).toBe(true);
    expect(user('noah').events!.some((e) => e.showAs === 'oof' && e.isAllDay)).toBe(true);
    expect(events.some((e) => e.showAs === 'tentative' && /^Hold/.test(e.subject ?? ''))).toBe(true);
    expect(events.filter((e) => e.isAllDay && e.showAs === 'busy')).not.toHaveLength(0);
    // Adele on this week's Tuesday: several items once recurring meetings are expanded.
    const tuesday = [Date.parse('2026-11-24T08:00:00Z'), Date.parse('2026-11-25T08:00:00Z')] as const;
    const items = user('adele').events!.flatMap((e) => expandOccurrences(e, tuesday[0], tuesday[1]));
    expect(items.length).toBeGreaterThanOrEqual(2);
  });

  test('is deterministic and follows the clock, so it never goes stale', () => {
    expect(demoTenants(NOW)).toEqual(demoTenants(NOW + 3_600_000));
    const later = demoTenant(Date.parse('2031-03-05T12:00:00Z'));
    const inWeek = later.users
      .flatMap((u) => u.events ?? [])
      .filter((e) => {
        const start = toEpochMs(e.start);
        return !e.recurrence && start >= Date.parse('2031-03-03T00:00:00Z') && start < Date.parse('2031-03-08T00:00:00Z');
      });
    expect(inWeek.length).toBeGreaterThan(20);
  });
});
