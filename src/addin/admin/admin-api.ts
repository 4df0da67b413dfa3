/**
 * The admin page's calls to Convene's admin API (DESIGN.md "Admin"; contract `src/shared/admin.ts`),
 * over the page's {@link ApiClient} (bearer token of a `Convene.Admin` user of the tenant).
 */
import type { ConsentStartResponse, DisconnectResponse, MailboxCheckResponse, TenantStatus } from '../../shared/admin';
import type { AppRegistrationInput, AppRegistrationStatus } from '../../shared/app-registration';
import type { ApiClient } from '../common/api-client';

/** What the admin page needs from the server (a port: tests pass a fake). */
export interface AdminApi {
  /** `GET /api/admin/tenants/{tid}`. @throws ApiError (`forbidden` 403 for non-admins and other tenants) */
  tenantStatus(tid: string): Promise<TenantStatus>;
  /** `POST /api/admin/tenants/{tid}/mailbox-check`. @throws ApiError (`invalid_request` 400 for bad addresses) */
  mailboxCheck(tid: string, mailboxes: string[]): Promise<MailboxCheckResponse>;
  /**
   * `POST /api/admin/consent/start`: a consent started signed in (the only way to connect a
   * disconnected tenant again; it also records who consented). The response sets the
   * browser-binding cookie; the page then navigates to `url`. @throws ApiError
   */
  startConsent(tenant?: string): Promise<ConsentStartResponse>;
  /** `DELETE /api/admin/tenants/{tid}`: deletes the tenant's credentials, interviews and subscriptions. @throws ApiError */
  disconnect(tid: string): Promise<DisconnectResponse>;
  /** `GET /api/admin/tenants/{tid}/app-registration`: the mode and non-secret facts. @throws ApiError */
  appRegistration(tid: string): Promise<AppRegistrationStatus>;
  /**
   * `PUT /api/admin/tenants/{tid}/app-registration`: the server proves the credential with Microsoft
   * Entra ID before storing it (sealed). The body holds a secret: never log or keep it.
   * @throws ApiError (`invalid_request` 400 for a bad body or a credential Entra ID refused, AADSTS code in the message)
   */
  setAppRegistration(tid: string, input: AppRegistrationInput): Promise<AppRegistrationStatus>;
  /** `DELETE /api/admin/tenants/{tid}/app-registration`: back to Convene's multitenant app; the credential is deleted. @throws ApiError */
  removeAppRegistration(tid: string): Promise<AppRegistrationStatus>;
}

/** The {@link AdminApi} over HTTP. */
export function createAdminApi(client: ApiClient): AdminApi {
  const base = (tid: string) => `/api/admin/tenants/${encodeURIComponent(tid)}`;
  return {
    tenantStatus: (tid) => client.request<TenantStatus>('GET', base(tid)),
    mailboxCheck: (tid, mailboxes) => client.request<MailboxCheckResponse>('POST', `${base(tid)}/mailbox-check`, { mailboxes }),
    startConsent: (tenant) =>
      client.request<ConsentStartResponse>('POST', '/api/admin/consent/start', tenant?.trim() ? { tenant: tenant.trim() } : {}),
    disconnect: (tid) => client.request<DisconnectResponse>('DELETE', base(tid)),
    appRegistration: (tid) => client.request<AppRegistrationStatus>('GET', `${base(tid)}/app-registration`),
    setAppRegistration: (tid, input) => client.request<AppRegistrationStatus>('PUT', `${base(tid)}/app-registration`, input),
    removeAppRegistration: (tid) => client.request<AppRegistrationStatus>('DELETE', `${base(tid)}/app-registration`),
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
