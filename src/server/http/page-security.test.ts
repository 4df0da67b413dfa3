import { adminContentSecurityPolicy, OUTLOOK_WEB_ORIGINS, taskpaneContentSecurityPolicy } from './page-security';

/** The policy as directive -> sources. */
const parse = (policy: string) =>
  Object.fromEntries(
    policy.split(';').map((d) => {
      const [name, ...sources] = d.trim().split(/\s+/);
      return [name!, sources];
    }),
  ) as Record<string, string[]>;

const LOGIN = 'https://login.microsoftonline.com';

describe('Content-Security-Policy of the pages', () => {
  it('taskpane in Outlook: office.js and MicrosoftAjax from their CDNs, Entra for MSAL, framed only by Outlook on the web', () => {
    const p = parse(taskpaneContentSecurityPolicy({ officeJs: 'cdn', cloud: 'global', loginEndpoint: `${LOGIN}/` }));
    expect(p['default-src']).toEqual(["'self'"]);
    expect(p['script-src']).toEqual(["'self'", 'https://appsforoffice.microsoft.com', 'https://ajax.aspnetcdn.com']);
    expect(p['script-src']).not.toContain("'unsafe-eval'");
    expect(p['script-src']).not.toContain("'unsafe-inline'");
    expect(p['style-src']).toEqual(["'self'", "'unsafe-inline'"]);
    expect(p['connect-src']).toEqual(["'self'", LOGIN]);
    expect(p['frame-src']).toEqual([LOGIN, 'https://appsforoffice.microsoft.com']);
    expect(p['frame-ancestors']).toEqual([
      "'self'",
      'https://outlook.office.com',
      'https://outlook.office365.com',
      'https://outlook.cloud.microsoft',
    ]);
    expect(p['object-src']).toEqual(["'none'"]);
    expect(p['base-uri']).toEqual(["'none'"]);
  });

  it('taskpane on the simulator: office.js from Convene itself, the dev sign-in at the simulator', () => {
    const sim = 'https://127.0.0.1:3001';
    const p = parse(
      taskpaneContentSecurityPolicy({ officeJs: 'local', cloud: 'global', loginEndpoint: sim, devSignInUrl: `${sim}/_sim/token` }),
    );
    expect(p['script-src']).toEqual(["'self'"]);
    expect(p['connect-src']).toEqual(["'self'", sim]);
    expect(p['frame-src']).toEqual([sim]);
  });

  it('a national cloud’s taskpane is framed by that cloud’s Outlook only', () => {
    for (const cloud of ['usgov', 'usgovdod', 'china'] as const) {
      const p = parse(taskpaneContentSecurityPolicy({ officeJs: 'cdn', cloud, loginEndpoint: LOGIN }));
      expect(p['frame-ancestors']).toEqual(["'self'", ...OUTLOOK_WEB_ORIGINS[cloud]]);
      expect(p['frame-ancestors']).not.toContain('https://outlook.office.com');
    }
  });

  it('admin page: never framed, scripts only from Convene, sign-in host for MSAL and the dev sign-in', () => {
    const p = parse(adminContentSecurityPolicy({ loginEndpoint: LOGIN, devSignInUrl: 'https://127.0.0.1:3001/_sim/token' }));
    expect(p['frame-ancestors']).toEqual(["'none'"]);
    expect(p['script-src']).toEqual(["'self'"]);
    expect(p['style-src']).toEqual(["'self'", "'unsafe-inline'"]);
    expect(p['form-action']).toEqual(["'self'"]);
    expect(p['connect-src']).toEqual(["'self'", LOGIN, 'https://127.0.0.1:3001']);
    expect(p['default-src']).toEqual(["'self'"]);
  });
});
