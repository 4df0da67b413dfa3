/**
 * The tenant's name for its consent record: Graph `GET /organization` when Convene is permitted
 * to read it (Organization.Read.All or Directory.Read.All, which Convene does not ask for), else
 * the tenant's verified domain, read from a user's userPrincipalName (User.ReadBasic.All, which
 * Convene has). Both calls are audited like every Graph call; failures give `null`, never throw:
 * the name is display only.
 *
 * @see https://learn.microsoft.com/graph/api/organization-get
 * @see https://learn.microsoft.com/graph/api/user-list
 */
import type { FetchLike } from '../net';
import type { AuditStore } from '../store/types';

export interface OrganizationNameOptions {
  graphEndpoint: string;
  fetch: FetchLike;
  audit: AuditStore;
  now: () => number;
}

/** Who asks, for the audit log. */
export interface OrganizationNameContext {
  tid: string;
  accessToken: string;
  /** `app` (the consent callback acts for no signed-in user). */
  actorOid: string;
  requestId: string;
}

/** Reads the tenant's display name (or verified domain); null when neither can be read. */
export type OrganizationNameReader = (ctx: OrganizationNameContext) => Promise<string | null>;

/** Creates the reader. */
export function createOrganizationNameReader(options: OrganizationNameOptions): OrganizationNameReader {
  async function get(ctx: OrganizationNameContext, operation: string, path: string): Promise<unknown> {
    let status = 0;
    let graphRequestId: string | null = null;
    try {
      const res = await options.fetch(`${options.graphEndpoint}/v1.0${path}`, {
        headers: { authorization: `Bearer ${ctx.accessToken}`, accept: 'application/json', 'client-request-id': ctx.requestId },
        signal: AbortSignal.timeout(10_000),
      });
      status = res.status;
      graphRequestId = res.headers.get('request-id');
      const text = await res.text();
      return res.ok ? (JSON.parse(text) as unknown) : null;
    } catch {
      return null;
    } finally {
      await options.audit
        .append([
          {
            tid: ctx.tid,
            actorOid: ctx.actorOid,
            operation,
            targetMailbox: null,
            status,
            graphRequestId,
            requestId: ctx.requestId,
            at: new Date(options.now()).toISOString(),
          },
        ])
        .catch(() => undefined);
    }
  }

  return async (ctx) => {
    const org = await get(ctx, 'organization.get', '/organization?$select=id,displayName,verifiedDomains');
    const first = Array.isArray((org as { value?: unknown } | null)?.value) ? (org as { value: unknown[] }).value[0] : undefined;
    if (first && typeof first === 'object') {
      const o = first as { displayName?: unknown; verifiedDomains?: Array<{ name?: unknown; isDefault?: unknown }> };
      if (typeof o.displayName === 'string' && o.displayName.trim()) return o.displayName.trim();
      const domain = o.verifiedDomains?.find((d) => d.isDefault === true)?.name;
      if (typeof domain === 'string') return domain;
    }
    const users = await get(ctx, 'users.list', '/users?$top=1&$select=userPrincipalName');
    const upn = (users as { value?: Array<{ userPrincipalName?: unknown }> } | null)?.value?.[0]?.userPrincipalName;
    if (typeof upn === 'string' && upn.includes('@')) return upn.slice(upn.lastIndexOf('@') + 1).toLowerCase();
    return null;
  };
}
