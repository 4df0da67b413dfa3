/**
 * Content-Security-Policy of Convene's browser pages: each page may load, connect to and be
 * framed by what it needs and nothing else.
 *
 * The Outlook taskpane (`/taskpane.html`, also the Office dialog page `?signin=dialog`):
 * - `script-src`: its own bundles; with office.js from Microsoft's CDN also that CDN
 *   (`https://appsforoffice.microsoft.com`: office.js loads its host file, e.g.
 *   `outlook-web-16.01.js`, its locale strings and telemetry script from the same folder) and
 *   `https://ajax.aspnetcdn.com`, from which Outlook's host files load MicrosoftAjax.js
 *   (`OsfMsAjaxFactory.loadMsAjaxFull`) when it is not on the page. No `'unsafe-eval'`: office.js
 *   parses with `JSON.parse` where the browser has it.
 * - `style-src 'self' 'unsafe-inline'`: Fluent UI v9 (Griffel) inserts `<style>` elements.
 * - `connect-src 'self'` (Convene's API) plus the Microsoft Entra login host: MSAL.js (Office
 *   dialog fallback, sign-in outside Office) fetches the OpenID metadata and redeems the code
 *   there; on the simulator the same origin serves the dev sign-in (`POST /_sim/token`).
 * - `frame-src`: the login host (MSAL's hidden-iframe silent renewal) and, with the CDN, the CDN
 *   (office.js' hidden `AgaveErrorUX` trust-check frame in Outlook on the web).
 * - `frame-ancestors 'self'` plus the Outlook on the web origins of the configured cloud (also
 *   what new Outlook on Windows frames add-ins in). Classic Outlook on Windows, Outlook on Mac
 *   and mobile host the taskpane in a top-level web view, which no ancestor rule concerns.
 *   Office's own telemetry collectors (`*.pipe.aria.microsoft.com`) are not allowed: Convene
 *   does not need them, and office.js works without them.
 *
 * The admin page (`/admin`): `frame-ancestors 'none'` (clickjacking on consent and disconnect),
 * scripts only from Convene, `connect-src` and `frame-src` as the taskpane for MSAL.js / the dev
 * sign-in, `form-action 'self'`.
 *
 * @see https://learn.microsoft.com/office/dev/add-ins/develop/referencing-the-javascript-api-for-office-library-from-its-cdn
 * @see https://learn.microsoft.com/entra/identity-platform/scenario-spa-sign-in
 * @see https://github.com/OfficeDev/office-js/issues/1005 (office.js' script hosts, found by testing)
 * @see https://github.com/OfficeDev/microsoft-teams-library-js/blob/main/packages/teams-js/src/artifactsForCDN/validDomains.json (Microsoft 365 host origins)
 */
import type { CloudName } from '../clouds';

/** Microsoft's office.js CDN. */
export const OFFICE_JS_CDN_ORIGIN = 'https://appsforoffice.microsoft.com';
/** Where Outlook's office.js host files load MicrosoftAjax.js from. */
export const MICROSOFT_AJAX_CDN_ORIGIN = 'https://ajax.aspnetcdn.com';

/**
 * Origins of Outlook on the web (and new Outlook on Windows, which runs it) per Microsoft 365
 * cloud: Microsoft's host origin list for Outlook (TeamsJS `validDomains.json`) and, for the
 * cloud operated by 21Vianet, its Outlook host.
 */
export const OUTLOOK_WEB_ORIGINS: Readonly<Record<CloudName, readonly string[]>> = Object.freeze({
  global: Object.freeze(['https://outlook.office.com', 'https://outlook.office365.com', 'https://outlook.cloud.microsoft']),
  usgov: Object.freeze(['https://outlook.office365.us']),
  usgovdod: Object.freeze(['https://outlook-dod.office365.us', 'https://webmail.apps.mil']),
  china: Object.freeze(['https://partner.outlook.cn']),
});

/** What the policies depend on. */
export interface PagePolicyOptions {
  /** The Entra login host of the configured cloud (the simulator on `npm start`), e.g. `https://login.microsoftonline.com`. */
  loginEndpoint: string;
  /** Local simulator only: the dev sign-in URL the pages post to (`<sim>/_sim/token`). */
  devSignInUrl?: string | undefined;
}

/** Options of {@link taskpaneContentSecurityPolicy}. */
export interface TaskpanePolicyOptions extends PagePolicyOptions {
  /** Where the page loads office.js: Microsoft's CDN, or Convene's packaged copy (`/office-js/`). */
  officeJs: 'cdn' | 'local';
  /** The Microsoft 365 cloud whose Outlook may frame the taskpane. */
  cloud: CloudName;
}

/**
 * The taskpane's Content-Security-Policy header value (see the module comment for each directive).
 * @example taskpaneContentSecurityPolicy({ officeJs: 'cdn', cloud: 'global', loginEndpoint: 'https://login.microsoftonline.com' })
 */
export function taskpaneContentSecurityPolicy(options: TaskpanePolicyOptions): string {
  const cdn = options.officeJs === 'cdn' ? [OFFICE_JS_CDN_ORIGIN] : [];
  const signIn = signInOrigins(options);
  return serialize({
    'default-src': ["'self'"],
    'script-src': ["'self'", ...cdn, ...(options.officeJs === 'cdn' ? [MICROSOFT_AJAX_CDN_ORIGIN] : [])],
    'style-src': ["'self'", "'unsafe-inline'"],
    'img-src': ["'self'", 'data:'],
    'connect-src': ["'self'", ...signIn],
    'frame-src': [...signIn, ...cdn],
    'frame-ancestors': ["'self'", ...OUTLOOK_WEB_ORIGINS[options.cloud]],
    'form-action': ["'self'"],
    'base-uri': ["'none'"],
    'object-src': ["'none'"],
  });
}

/**
 * The admin page's Content-Security-Policy header value: never framed, scripts only from Convene.
 * @example adminContentSecurityPolicy({ loginEndpoint: 'https://login.microsoftonline.com' })
 */
export function adminContentSecurityPolicy(options: PagePolicyOptions): string {
  const signIn = signInOrigins(options);
  return serialize({
    'default-src': ["'self'"],
    'script-src': ["'self'"],
    'style-src': ["'self'", "'unsafe-inline'"],
    'img-src': ["'self'", 'data:'],
    'connect-src': ["'self'", ...signIn],
    'frame-src': signIn,
    'frame-ancestors': ["'none'"],
    'form-action': ["'self'"],
    'base-uri': ["'none'"],
    'object-src': ["'none'"],
  });
}

/** The login host's origin and the dev sign-in's (the simulator: usually the same), deduplicated. */
function signInOrigins(options: PagePolicyOptions): string[] {
  const origins = [new URL(options.loginEndpoint).origin];
  if (options.devSignInUrl) origins.push(new URL(options.devSignInUrl).origin);
  return [...new Set(origins)];
}

function serialize(directives: Record<string, string[]>): string {
  return Object.entries(directives)
    .map(([name, sources]) => `${name} ${sources.length > 0 ? sources.join(' ') : "'none'"}`)
    .join('; ');
}
