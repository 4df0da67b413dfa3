/**
 * The design's boundaries, checked on the source text (STYLE.md 5, 11):
 * - `src/` never imports the simulator;
 * - `scheduling/` is pure: no node:* modules, no store/calendar/http, no clock of its own;
 * - only `src/server/clouds.ts` names a Microsoft host;
 * - only config.ts (and the CLI and main entry points) read `process.env`;
 * - the shared API module's exports are pinned.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as api from '../../src/shared/api';

const root = join(__dirname, '..', '..');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const src = files(join(root, 'src'));
const product = src.filter((f) => !f.endsWith('.test.ts'));
const imports = (f: string) =>
  [...readFileSync(f, 'utf8').matchAll(/from '([^']+)'|import\('([^']+)'\)|require\('([^']+)'\)/g)].map((m) => m[1] ?? m[2] ?? m[3] ?? '');

describe('architecture', () => {
  it('src/ never imports sim/', () => {
    const offenders = src.filter((f) => imports(f).some((i) => /(^|\/)sim(\/|$)/.test(i)));
    expect(offenders.map((f) => relative(root, f))).toEqual([]);
  });

  it('scheduling/ is pure: no I/O modules, no other layers, no clock', () => {
    const scheduling = product.filter((f) => f.includes(`${join('src', 'server', 'scheduling')}`));
    expect(scheduling.length).toBeGreaterThan(3);
    for (const f of scheduling) {
      const text = readFileSync(f, 'utf8');
      expect({
        f: relative(root, f),
        bad: imports(f).filter(
          (i) =>
            i.startsWith('node:') || /(store|calendar|http|auth|consent)\//.test(i) || ['fs', 'http', 'https', 'net', 'pg'].includes(i),
        ),
      }).toEqual({ f: relative(root, f), bad: [] });
      expect({ f: relative(root, f), clock: /Date\.now\(\)|new Date\(\)|performance\.now\(\)/.test(text) }).toEqual({
        f: relative(root, f),
        clock: false,
      });
    }
  });

  it('Microsoft hosts are named only in clouds.ts', () => {
    const hosts = /(microsoftonline|graph\.microsoft|chinacloudapi|dod-graph)/;
    // join-url.ts lists the Teams hosts a meeting link may point at, to decide what the fronts show
    // as a link: Convene never calls them, so they are not cloud endpoints.
    const allowed = [join('server', 'clouds.ts'), join('shared', 'join-url.ts')];
    const offenders = product.filter(
      (f) => !allowed.some((a) => f.endsWith(a)) && hosts.test(readFileSync(f, 'utf8').replace(/\/\*\*[\s\S]*?\*\/|\/\/.*$/gm, '')),
    );
    expect(offenders.map((f) => relative(root, f))).toEqual([]);
  });

  it('only the configuration loader and entry points read process.env', () => {
    const allowed = ['src/server/config.ts', 'src/server/main.ts', 'src/cli/convene.ts'];
    const offenders = product.filter(
      (f) =>
        /process\.env/.test(readFileSync(f, 'utf8').replace(/\/\*\*[\s\S]*?\*\/|\/\/.*$/gm, '')) && !allowed.includes(relative(root, f)),
    );
    expect(offenders.map((f) => relative(root, f))).toEqual([]);
  });

  it("pins the shared API module's exports (server, bot and add-in import it)", () => {
    expect(Object.keys(api).sort()).toEqual([
      'AttendeeResult',
      'AttendeeStatus',
      'AvailabilityRequest',
      'AvailabilityResponse',
      'BookedInterview',
      'CancelInterviewRequest',
      'CandidatePreferences',
      'Channel',
      'CreateInterviewRequest',
      'DEFAULT_MAX_SLOTS',
      'Email',
      'ErrorBody',
      'IanaZone',
      'IdempotencyKey',
      'Interview',
      'InterviewStatus',
      'IsoInstant',
      'ListInterviewsQuery',
      'MAX_DURATION_MINUTES',
      'MAX_MAX_SLOTS',
      'MAX_PANEL',
      'MAX_WINDOW_DAYS',
      'PeopleQuery',
      'Person',
      'Slot',
      'TimeWindow',
      'WallTime',
      'isIanaZone',
    ]);
  });
});
