/**
 * Microsoft cloud endpoints (login host for Entra ID, Microsoft Graph host), as frozen presets
 * picked by `CONVENE_CLOUD`, with `GRAPH_ENDPOINT` / `LOGIN_ENDPOINT` overrides (teams.ts
 * `cloud-environment.ts`). No other module names a Microsoft host.
 *
 * @see https://learn.microsoft.com/graph/deployments
 * @see https://learn.microsoft.com/entra/identity-platform/authentication-national-cloud
 */

/** Where Convene signs in and calls Graph. URLs have no trailing slash. */
export interface CloudEnvironment {
  readonly name: CloudName;
  /** Entra ID authority host, e.g. `https://login.microsoftonline.com`. */
  readonly loginEndpoint: string;
  /** Microsoft Graph host, e.g. `https://graph.microsoft.com` (requests go to `<host>/v1.0`). */
  readonly graphEndpoint: string;
}

export type CloudName = 'global' | 'usgov' | 'usgovdod' | 'china';

/** Microsoft's global service. */
export const GLOBAL: CloudEnvironment = Object.freeze({
  name: 'global',
  loginEndpoint: 'https://login.microsoftonline.com',
  graphEndpoint: 'https://graph.microsoft.com',
});

/** US Government L4 (GCC High). */
export const US_GOV: CloudEnvironment = Object.freeze({
  name: 'usgov',
  loginEndpoint: 'https://login.microsoftonline.us',
  graphEndpoint: 'https://graph.microsoft.us',
});

/** US Government L5 (DoD). */
export const US_GOV_DOD: CloudEnvironment = Object.freeze({
  name: 'usgovdod',
  loginEndpoint: 'https://login.microsoftonline.us',
  graphEndpoint: 'https://dod-graph.microsoft.us',
});

/** Microsoft Graph China operated by 21Vianet. */
export const CHINA: CloudEnvironment = Object.freeze({
  name: 'china',
  // v2 tokens in China are issued by login.partner.microsoftonline.cn (it is also the authority).
  loginEndpoint: 'https://login.partner.microsoftonline.cn',
  graphEndpoint: 'https://microsoftgraph.chinacloudapi.cn',
});

export const CLOUDS: Readonly<Record<CloudName, CloudEnvironment>> = Object.freeze({
  global: GLOBAL,
  usgov: US_GOV,
  usgovdod: US_GOV_DOD,
  china: CHINA,
});

/** A preset with some endpoints replaced (trailing slashes removed). */
export function withOverrides(
  base: CloudEnvironment,
  overrides: { loginEndpoint?: string | undefined; graphEndpoint?: string | undefined },
): CloudEnvironment {
  const trim = (u: string) => u.replace(/\/+$/, '');
  return Object.freeze({
    name: base.name,
    loginEndpoint: trim(overrides.loginEndpoint ?? base.loginEndpoint),
    graphEndpoint: trim(overrides.graphEndpoint ?? base.graphEndpoint),
  });
}
