/**
 * `GET /api/client-config` (no token): the public sign-in settings of the browser pages,
 * {@link ClientConfig} (`src/shared/client-config.ts`). The dev sign-in URL is given only by the
 * simulator wiring (sim/wiring.ts); the server itself never mints tokens.
 */
import type { ClientConfig } from '../../shared/client-config';
import type { Route } from './routes';

export interface ClientConfigOptions {
  clientId: string;
  /** The Entra login host of the configured cloud, e.g. `https://login.microsoftonline.com`. */
  loginEndpoint: string;
  /** Local simulator only: its `POST /_sim/token` URL. */
  devSignInUrl?: string | undefined;
}

/** The public client configuration for `options`. */
export function clientConfig(options: ClientConfigOptions): ClientConfig {
  return {
    clientId: options.clientId,
    authority: `${options.loginEndpoint.replace(/\/+$/, '')}/organizations`,
    apiScope: `api://${options.clientId}/access_as_user`,
    ...(options.devSignInUrl ? { devSignIn: { tokenUrl: options.devSignInUrl } } : {}),
  };
}

/** The route serving {@link clientConfig}. */
export function clientConfigRoute(options: ClientConfigOptions): Route {
  const body = clientConfig(options);
  return {
    method: 'GET',
    path: '/api/client-config',
    auth: false,
    handler: async () => ({ status: 200, body, headers: { 'Cache-Control': 'no-cache' } }),
  };
}
