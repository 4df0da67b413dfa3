/**
 * `GET /api/client-config` (no token): the public values a browser page (the admin page, the
 * taskpane's local preview) needs to sign users in to Convene's API. Nothing in it is secret.
 * Browser-safe: no Node imports.
 *
 * In production a page signs in with MSAL.js (`@azure/msal-browser`, redirect flow) against
 * `authority` for `apiScope`. When the server runs on the local Microsoft 365 simulator (a dev tool:
 * `npm start`, tests) `devSignIn` names the simulator's own token endpoint (`POST /_sim/token
 * {"upn"}`), because the simulator has no interactive sign-in page. Only sim/wiring.ts sets it; a
 * server on the Microsoft cloud never does, and Convene's server never mints tokens itself.
 *
 * @see https://learn.microsoft.com/entra/identity-platform/scenario-spa-acquire-token
 */
import { z } from 'zod';

export const ClientConfig = z.object({
  /** Convene's application (client) id. */
  clientId: z.string(),
  /** MSAL authority for a multitenant app: `<login host>/organizations`. */
  authority: z.string(),
  /** The delegated scope for Convene's API: `api://<client id>/access_as_user`. */
  apiScope: z.string(),
  /** Local simulator only: `POST {tokenUrl} {"upn"}` answers `{access_token, expires_in}` (CORS for loopback pages). */
  devSignIn: z.object({ tokenUrl: z.string() }).optional(),
});
export type ClientConfig = z.infer<typeof ClientConfig>;
