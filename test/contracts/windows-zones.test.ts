/**
 * Contract: src/server/scheduling/windows-zones.generated.ts is exactly Unicode CLDR 48's
 * windowsZones (both the XML and the cldr-json copy in ../shared/contracts/cldr), and its known
 * differences from the `windows-iana` npm package (generated from CLDR 40-42) are pinned, so a
 * change on either side is a visible, reviewed diff.
 *
 * Regenerate with `npm run gen:zones`.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { WINDOWS_TO_IANA_MAP } from 'windows-iana';
import {
  CLDR_SOURCE_SHA256,
  CLDR_VERSION,
  WINDOWS_TO_IANA,
  WINDOWS_ZONE_ENTRIES,
} from '../../src/server/scheduling/windows-zones.generated';
import { toIanaZone } from '../../src/server/scheduling/time-zones';

const CLDR_DIR = path.resolve(__dirname, '../../../shared/contracts/cldr');
const XML_PATH = path.join(CLDR_DIR, 'windowsZones.xml');
const JSON_PATH = path.join(CLDR_DIR, 'windowsZones.json');
const haveCldr = existsSync(XML_PATH) && existsSync(JSON_PATH);
if (!haveCldr) {
  // ../shared is a sibling checkout present on the development machines only.
  console.warn(`windows-zones contract: ${CLDR_DIR} not found; the CLDR file comparisons are skipped`);
}
const describeCldr = haveCldr ? describe : describe.skip;

type Entry = [string, string, string[]];

const split = (type: string): string[] => type.split(' ').filter(Boolean);
const generatedEntries = (): Entry[] => WINDOWS_ZONE_ENTRIES.map(([w, t, i]) => [w, t, [...i]]);
/** Entries in a canonical order (the XML groups by UTC offset, cldr-json sorts by name). */
const sorted = (entries: Entry[]): Entry[] =>
  [...entries].sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0) : a[0] < b[0] ? -1 : 1));
const canonicalOf = (entries: Entry[]): Record<string, string> =>
  Object.fromEntries(entries.filter(([, t]) => t === '001').map(([w, , i]) => [w, i[0]!]));

/** `<mapZone other=".." territory=".." type=".."/>` entries of the XML, in file order (comments skipped). */
function xmlEntries(xml: string): Entry[] {
  const withoutComments = xml.replace(/<!--[\s\S]*?-->/g, '');
  const out: Entry[] = [];
  for (const m of withoutComments.matchAll(/<mapZone\s+([^>]*?)\/>/g)) {
    const attrs = Object.fromEntries([...m[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((a) => [a[1]!, a[2]!]));
    out.push([attrs.other!, attrs.territory!, split(attrs.type!)]);
  }
  return out;
}

describeCldr('windows-zones.generated.ts matches CLDR 48', () => {
  it('holds every mapZone entry of windowsZones.xml and nothing else', () => {
    const entries = xmlEntries(readFileSync(XML_PATH, 'utf8'));
    expect(entries).toHaveLength(500);
    expect(sorted(generatedEntries())).toEqual(sorted(entries));
  });

  it('holds every entry of windowsZones.json in its order, and records its version and checksum', () => {
    const raw = readFileSync(JSON_PATH);
    const json = JSON.parse(raw.toString('utf8')) as {
      supplemental: {
        version: { _cldrVersion: string };
        windowsZones: { mapTimezones: Array<{ mapZone: { _other: string; _territory: string; _type: string } }> };
      };
    };
    expect(CLDR_VERSION).toBe('48');
    expect(json.supplemental.version._cldrVersion).toBe(CLDR_VERSION);
    expect(CLDR_SOURCE_SHA256).toBe(createHash('sha256').update(raw).digest('hex'));
    const entries = json.supplemental.windowsZones.mapTimezones.map(({ mapZone: z }): Entry => [z._other, z._territory, split(z._type)]);
    expect(generatedEntries()).toEqual(entries);
  });

  it('maps each Windows name to its territory="001" zone, and nothing else', () => {
    const expected = canonicalOf(xmlEntries(readFileSync(XML_PATH, 'utf8')));
    expect(Object.keys(expected)).toHaveLength(139);
    expect({ ...WINDOWS_TO_IANA }).toEqual(expected);
  });
});

describe('windows-zones.generated.ts versus the windows-iana package (CLDR 40-42)', () => {
  const theirs: Entry[] = WINDOWS_TO_IANA_MAP.map((e) => [e.windowsName, e.territory, [...e.iana]]);

  it('differs in exactly two canonical (001) zones, where CLDR 48 is what Convene uses', () => {
    const ours = WINDOWS_TO_IANA;
    const their001 = canonicalOf(theirs);
    expect(Object.keys(their001).sort()).toEqual(Object.keys(ours).sort());
    const changed = Object.keys(ours)
      .filter((w) => ours[w] !== their001[w])
      .sort()
      .map((w) => [w, their001[w], ours[w]]);
    expect(changed).toEqual([
      ['Central Asia Standard Time', 'Asia/Almaty', 'Asia/Bishkek'],
      ['Mountain Standard Time (Mexico)', 'America/Chihuahua', 'America/Mazatlan'],
    ]);
    expect(toIanaZone('Mountain Standard Time (Mexico)')).toBe('America/Mazatlan');
    expect(toIanaZone('Central Asia Standard Time')).toBe('Asia/Bishkek');
  });

  it('differs in a pinned set of territory entries', () => {
    const key = ([w, t, i]: Entry): string => `${w}|${t}|${i.join(' ')}`;
    const ourKeys = new Set(generatedEntries().map(key));
    const theirKeys = new Set(theirs.map(key));
    const nameAndTerritory = (k: string): string => k.split('|').slice(0, 2).join('|');
    const onlyTheirs = [...theirKeys]
      .filter((k) => !ourKeys.has(k))
      .map(nameAndTerritory)
      .sort();
    const onlyOurs = [...ourKeys]
      .filter((k) => !theirKeys.has(k))
      .map(nameAndTerritory)
      .sort();
    expect(theirs).toHaveLength(506);
    expect(onlyTheirs).toEqual([
      'Central Asia Standard Time|001',
      'Central Asia Standard Time|KZ',
      'Central Standard Time (Mexico)|MX',
      'Central Standard Time|CA',
      'Central Standard Time|MX',
      'Central Standard Time|ZZ',
      'Eastern Standard Time|CA',
      'Eastern Standard Time|ZZ',
      'FLE Standard Time|UA',
      'Hawaiian Standard Time|UM',
      'Magallanes Standard Time|CL',
      'Mountain Standard Time (Mexico)|001',
      'Mountain Standard Time (Mexico)|MX',
      'Mountain Standard Time|CA',
      'Mountain Standard Time|MX',
      'Mountain Standard Time|ZZ',
      'Pacific Standard Time (Mexico)|MX',
      'Pacific Standard Time|ZZ',
      'Tasmania Standard Time|AU',
      'Ulaanbaatar Standard Time|MN',
      'West Asia Standard Time|KZ',
    ]);
    expect(onlyOurs).toEqual([
      'Central Asia Standard Time|001',
      'Central Standard Time (Mexico)|MX',
      'Central Standard Time|CA',
      'Central Standard Time|MX',
      'Eastern Standard Time|CA',
      'FLE Standard Time|UA',
      'Magallanes Standard Time|CL',
      'Mountain Standard Time (Mexico)|001',
      'Mountain Standard Time (Mexico)|MX',
      'Mountain Standard Time|CA',
      'Mountain Standard Time|MX',
      'Pacific Standard Time (Mexico)|MX',
      'Tasmania Standard Time|AU',
      'Ulaanbaatar Standard Time|MN',
      'West Asia Standard Time|KZ',
    ]);
  });
});
