/**
 * The admin page's calls to Convene's admin API (DESIGN.md "Admin"; contract `src/shared/admin.ts`),
 * over the page's {@link ApiClient} (bearer token of a `Convene.Admin` user of the tenant).
 */
import type { DisconnectResponse, MailboxCheckResponse, TenantStatus } from '../../shared/admin';
import type { ApiClient } from '../common/api-client';

/** What the admin page needs from the server (a port: tests pass a fake). */
export interface AdminApi {
  /** `GET /api/admin/tenants/{tid}`. @throws ApiError (`forbidden` 403 for non-admins and other tenants) */
  tenantStatus(tid: string): Promise<TenantStatus>;
  /** `POST /api/admin/tenants/{tid}/mailbox-check`. @throws ApiError (`invalid_request` 400 for bad addresses) */
  mailboxCheck(tid: string, mailboxes: string[]): Promise<MailboxCheckResponse>;
  /** `DELETE /api/admin/tenants/{tid}`: deletes the tenant's credentials, interviews and subscriptions. @throws ApiError */
  disconnect(tid: string): Promise<DisconnectResponse>;
}

/** The {@link AdminApi} over HTTP. */
export function createAdminApi(client: ApiClient): AdminApi {
  const base = (tid: string) => `/api/admin/tenants/${encodeURIComponent(tid)}`;
  return {
    tenantStatus: (tid) => client.request<TenantStatus>('GET', base(tid)),
    mailboxCheck: (tid, mailboxes) => client.request<MailboxCheckResponse>('POST', `${base(tid)}/mailbox-check`, { mailboxes }),
    disconnect: (tid) => client.request<DisconnectResponse>('DELETE', base(tid)),
  };
}

/** The `/admin/consent/start` URL for an optional tenant id or domain. */
export function consentStartUrl(tenant?: string): string {
  const t = tenant?.trim();
  return t ? `/admin/consent/start?tenant=${encodeURIComponent(t)}` : '/admin/consent/start';
}

/**
 * Splits what an admin typed or pasted (one per line, or separated by commas, semicolons or
 * spaces; `Name <a@b>` forms too) into distinct addresses, in order.
 */
export function parseMailboxes(text: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of text.split(/[\s,;]+/)) {
    const m = raw.replace(/^<|>$/g, '').trim();
    if (!m || !m.includes('@')) continue;
    const key = m.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(m);
  }
  return out;
}
