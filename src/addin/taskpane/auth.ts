/**
 * The taskpane's sign-in to Convene's API (`api://<app id>/access_as_user`), picked by where it runs:
 * - Inside Outlook with `NestedAppAuth` 1.1: nested app authentication, msal-browser
 *   `createNestablePublicClientApplication` (silent first, then a popup Outlook brokers).
 * - Inside Outlook without it: the Office dialog API opens this page with `?signin=dialog`, which
 *   signs in with MSAL.js (redirect flow) and sends the token back with `messageParent`.
 * - Outside Office (local preview): the shared page sign-in (`../common/sign-in`): the simulator's
 *   dev sign-in when the server runs on it, else MSAL.js redirect.
 *
 * Tokens are kept in memory only (this module's closures), never in storage.
 *
 * @see https://learn.microsoft.com/office/dev/add-ins/develop/enable-nested-app-authentication-in-your-add-in
 * @see https://learn.microsoft.com/office/dev/add-ins/develop/auth-with-office-dialog-api
 */
import type { ClientConfig } from '../../shared/client-config';
import { createSignIn, SignInError } from '../common/sign-in';
import { unexpiredClaims } from '../common/token-claims';
import type { OfficeEnvironment } from './office';

/** The taskpane's sign-in. */
export interface TaskpaneAuth {
  /** `naa`, `dialog` (Office dialog API), `dev` (simulator) or `entra` (redirect, outside Office). */
  readonly mode: 'naa' | 'dialog' | 'dev' | 'entra';
  /** Whether sign-in asks for a user name (dev mode). */
  readonly asksForUser: boolean;
  /** Tries to get a token without any prompt; null when the user must sign in. */
  silent(): Promise<string | null>;
  /** Interactive sign-in (`user`: the simulated UPN in dev mode). @throws SignInError */
  signIn(user?: string): Promise<string>;
  /** A valid token, re-acquired silently when expired; null when a prompt is needed. */
  getToken(): Promise<string | null>;
  /** Drops the token in memory (after the API refused it). */
  invalidate(): void;
}

/** `token` while it is valid at `now` (see {@link unexpiredClaims}), else null. */
function fresh(token: string | null, now: number): string | null {
  return unexpiredClaims(token, now) ? token : null;
}

/** Builds the sign-in for `env` (see the module comment). */
export function createTaskpaneAuth(config: ClientConfig, env: OfficeEnvironment, now: () => number = Date.now): TaskpaneAuth {
  if (env.kind === 'outlook' && env.nestedAppAuth) return naaAuth(config, now);
  if (env.kind === 'outlook') return dialogAuth(now);
  // Outside Office: the page sign-in, tokens in memory only (no sessionStorage).
  const page = createSignIn(config, { storage: null, now });
  let token: string | null = null;
  return {
    mode: page.mode,
    asksForUser: page.mode === 'dev',
    async silent() {
      if (page.mode === 'entra') {
        const user = await page.restore();
        token = user ? await page.getToken() : null;
      } else token = fresh(token, now());
      return token;
    },
    async signIn(user) {
      const signed = await page.signIn(user);
      token = signed ? await page.getToken() : null;
      if (!token) throw new SignInError('Signing in did not give a token for Convene.');
      return token;
    },
    async getToken() {
      token = fresh(token, now());
      // MSAL renews silently; the dev sign-in cannot (the user types the name again).
      if (!token && page.mode === 'entra') token = await page.getToken();
      return token;
    },
    invalidate() {
      token = null;
    },
  };
}

function naaAuth(config: ClientConfig, now: () => number): TaskpaneAuth {
  type Msal = typeof import('@azure/msal-browser');
  let pca: Promise<{ msal: Msal; app: Awaited<ReturnType<Msal['createNestablePublicClientApplication']>> }> | undefined;
  const load = () =>
    (pca ??= (async () => {
      const msal = await import('@azure/msal-browser');
      // Memory only: MSAL's default cache is sessionStorage, readable by any script of the page.
      // Outlook's broker keeps the account, so a new taskpane still signs in silently.
      const app = await msal.createNestablePublicClientApplication({
        auth: { clientId: config.clientId, authority: config.authority },
        cache: { cacheLocation: msal.BrowserCacheLocation.MemoryStorage },
      });
      return { msal, app };
    })());
  const scopes = [config.apiScope];
  let token: string | null = null;
  const silent = async () => {
    const { app } = await load();
    try {
      const account = app.getActiveAccount() ?? app.getAllAccounts()[0];
      const r = await app.acquireTokenSilent({ scopes, ...(account ? { account } : {}) });
      token = r.accessToken;
    } catch {
      token = null;
    }
    return token;
  };
  return {
    mode: 'naa',
    asksForUser: false,
    silent,
    async signIn() {
      const { app } = await load();
      try {
        const r = await app.acquireTokenPopup({ scopes });
        app.setActiveAccount(r.account);
        token = r.accessToken;
        return token;
      } catch (e) {
        throw new SignInError(`Signing in with Microsoft failed: ${(e as Error).message}`, { cause: e });
      }
    },
    async getToken() {
      return fresh(token, now()) ?? (await silent());
    },
    invalidate() {
      token = null;
    },
  };
}

function dialogAuth(now: () => number): TaskpaneAuth {
  let token: string | null = null;
  return {
    mode: 'dialog',
    asksForUser: false,
    async silent() {
      return fresh(token, now());
    },
    signIn() {
      const url = `${location.origin}${location.pathname}?signin=dialog`;
      return new Promise<string>((resolve, reject) => {
        Office.context.ui.displayDialogAsync(url, { height: 60, width: 30 }, (opened) => {
          if (opened.status !== Office.AsyncResultStatus.Succeeded) {
            reject(new SignInError(`Outlook could not open the sign-in window: ${opened.error.message}`));
            return;
          }
          const dialog = opened.value;
          dialog.addEventHandler(Office.EventType.DialogMessageReceived, (arg) => {
            dialog.close();
            const message = 'message' in arg ? arg.message : '';
            try {
              const parsed = JSON.parse(message) as { accessToken?: string; error?: string };
              if (parsed.accessToken) {
                token = parsed.accessToken;
                resolve(parsed.accessToken);
              } else reject(new SignInError(parsed.error ?? 'Signing in was cancelled.'));
            } catch {
              reject(new SignInError('The sign-in window answered with something unexpected.'));
            }
          });
          dialog.addEventHandler(Office.EventType.DialogEventReceived, () => reject(new SignInError('The sign-in window was closed.')));
        });
      });
    },
    async getToken() {
      // The dialog cannot renew silently: an expired token means a new sign-in prompt.
      token = fresh(token, now());
      return token;
    },
    invalidate() {
      token = null;
    },
  };
}

/**
 * The page opened by the Office dialog (`taskpane.html?signin=dialog`): signs in with MSAL.js
 * (redirect flow, in the dialog) and sends `{accessToken}` or `{error}` to the taskpane.
 */
export async function runDialogSignIn(config: ClientConfig): Promise<void> {
  const msal = await import('@azure/msal-browser');
  const send = (m: { accessToken?: string; error?: string }) => Office.context.ui.messageParent(JSON.stringify(m));
  await Office.onReady();
  try {
    const app = await msal.createStandardPublicClientApplication({
      auth: { clientId: config.clientId, authority: config.authority, redirectUri: `${location.origin}${location.pathname}?signin=dialog` },
      cache: { cacheLocation: msal.BrowserCacheLocation.SessionStorage },
    });
    const result = await app.handleRedirectPromise();
    if (result?.accessToken) return send({ accessToken: result.accessToken });
    await app.loginRedirect({ scopes: [config.apiScope] });
  } catch (e) {
    send({ error: `Signing in with Microsoft failed: ${(e as Error).message}` });
  }
}
