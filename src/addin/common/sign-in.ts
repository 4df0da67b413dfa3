/**
 * Signing in to Convene's API from a browser page outside Office (the admin page, the taskpane's
 * local preview), from the server's public {@link ClientConfig}:
 * - Microsoft Entra ID: MSAL.js (`@azure/msal-browser`) redirect flow for `apiScope`, loaded only
 *   when needed (a separate chunk). MSAL keeps its cache in sessionStorage.
 * - Local simulator (`devSignIn` present, never on the Microsoft cloud): the user types a simulated
 *   UPN and the page mints a token at the simulator's `POST /_sim/token`, because the simulator
 *   has no interactive sign-in page (Convene's server never mints tokens).
 *
 * Tokens live in memory and, so that a page survives the consent redirect, in sessionStorage
 * (one tab, gone when it closes); never in localStorage or cookies.
 *
 * @see https://learn.microsoft.com/entra/identity-platform/scenario-spa-sign-in
 * @see https://learn.microsoft.com/entra/identity-platform/scenario-spa-acquire-token
 */
import type { ClientConfig } from '../../shared/client-config';
import { readTokenClaims, type TokenClaims, unexpiredClaims } from './token-claims';

/** Who is signed in (claims read for display; the server verifies the token). */
export interface SignedInUser {
  claims: TokenClaims;
}

/** A page's sign-in. */
export interface SignIn {
  /** `dev`: the simulator's token minting; `entra`: MSAL.js redirect flow. */
  readonly mode: 'dev' | 'entra';
  /** Restores the session of this tab (a kept dev token, or the answer of an MSAL redirect); null when signed out. */
  restore(): Promise<SignedInUser | null>;
  /**
   * Signs in. `dev`: mints a token for `username` and resolves with the user. `entra`: navigates
   * to Microsoft's sign-in page (`username` as login hint) and resolves null; {@link restore}
   * completes it when the page loads again.
   * @throws SignInError when the simulator or MSAL refuses (message in plain words)
   */
  signIn(username?: string): Promise<SignedInUser | null>;
  /** A valid access token for Convene's API, or null when signed out or expired. */
  getToken(): Promise<string | null>;
  /** Forgets the session of this tab. */
  signOut(): Promise<void>;
}

/** A failed sign-in, with a message to show. */
export class SignInError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SignInError';
  }
}

export interface SignInOptions {
  /** Where the dev token is kept across the consent redirect (default: `sessionStorage`; null: memory only). */
  storage?: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | null;
  /** Key under which the dev token is kept (default `convene.devToken`). */
  storageKey?: string;
  fetch?: typeof fetch;
  /** Epoch ms. */
  now?: () => number;
}

/** Builds the sign-in the config asks for: dev when `devSignIn` is present, else Entra ID. */
export function createSignIn(config: ClientConfig, options: SignInOptions = {}): SignIn {
  return config.devSignIn ? createDevSignIn(config.devSignIn.tokenUrl, options) : createEntraSignIn(config);
}

function createDevSignIn(tokenUrl: string, options: SignInOptions): SignIn {
  const storage = options.storage === undefined ? (typeof sessionStorage === 'undefined' ? null : sessionStorage) : options.storage;
  const key = options.storageKey ?? 'convene.devToken';
  const now = options.now ?? Date.now;
  const fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
  let token: string | null = null;

  const valid = (t: string | null): SignedInUser | null => {
    const claims = unexpiredClaims(t, now());
    return claims ? { claims } : null;
  };
  const forget = () => {
    token = null;
    storage?.removeItem(key);
  };

  return {
    mode: 'dev',
    async restore() {
      const candidate = token ?? storage?.getItem(key) ?? null;
      const user = valid(candidate);
      if (user) token = candidate;
      else forget();
      return user;
    },
    async signIn(username) {
      const upn = (username ?? '').trim();
      if (!upn) throw new SignInError('Enter the user principal name of a simulated user, for example adele@contoso.example.');
      let res: Response;
      try {
        res = await fetchImpl(tokenUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ upn }) });
      } catch (e) {
        throw new SignInError(
          `The local Microsoft 365 simulator did not answer. Open ${new URL(tokenUrl).origin} once in this browser to accept its self-signed certificate, then try again.`,
          { cause: e },
        );
      }
      const body = (await res.json().catch(() => ({}))) as { access_token?: unknown; error_description?: unknown };
      if (!res.ok || typeof body.access_token !== 'string') {
        const description = typeof body.error_description === 'string' ? body.error_description.split(' Trace ID:')[0] : '';
        throw new SignInError(`The simulator refused to sign in ${upn}${description ? `: ${description}` : '.'}`);
      }
      const user = valid(body.access_token);
      if (!user) throw new SignInError('The simulator returned a token that is already expired.');
      token = body.access_token;
      storage?.setItem(key, token);
      return user;
    },
    async getToken() {
      if (!valid(token)) forget();
      return token;
    },
    async signOut() {
      forget();
    },
  };
}

function createEntraSignIn(config: ClientConfig): SignIn {
  type Msal = typeof import('@azure/msal-browser');
  type Pca = Awaited<ReturnType<Msal['createStandardPublicClientApplication']>>;
  let loaded: Promise<{ msal: Msal; pca: Pca }> | undefined;
  const load = () =>
    (loaded ??= (async () => {
      const msal = await import('@azure/msal-browser');
      const pca = await msal.createStandardPublicClientApplication({
        auth: { clientId: config.clientId, authority: config.authority, redirectUri: `${location.origin}${location.pathname}` },
        cache: { cacheLocation: msal.BrowserCacheLocation.SessionStorage },
      });
      return { msal, pca };
    })());
  const scopes = [config.apiScope];

  const acquire = async (): Promise<string | null> => {
    const { msal, pca } = await load();
    const account = pca.getActiveAccount() ?? pca.getAllAccounts()[0];
    if (!account) return null;
    try {
      return (await pca.acquireTokenSilent({ scopes, account })).accessToken;
    } catch (e) {
      if (e instanceof msal.InteractionRequiredAuthError) return null;
      throw new SignInError('Microsoft Entra ID did not issue a token for Convene. Sign in again.', { cause: e });
    }
  };

  return {
    mode: 'entra',
    async restore() {
      const { pca } = await load();
      let result;
      try {
        result = await pca.handleRedirectPromise();
      } catch (e) {
        throw new SignInError(`Signing in with Microsoft failed: ${(e as Error).message}`, { cause: e });
      }
      if (result?.account) pca.setActiveAccount(result.account);
      const token = result?.accessToken || (await acquire());
      return token ? { claims: readTokenClaims(token) } : null;
    },
    async signIn(username) {
      const { pca } = await load();
      await pca.loginRedirect({ scopes, ...(username ? { loginHint: username } : {}) });
      return null;
    },
    getToken: acquire,
    async signOut() {
      const { pca } = await load();
      const account = pca.getActiveAccount() ?? undefined;
      await pca.logoutRedirect({ ...(account ? { account } : {}), postLogoutRedirectUri: `${location.origin}${location.pathname}` });
    },
  };
}
