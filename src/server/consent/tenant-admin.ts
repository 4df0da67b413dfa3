/**
 * What an IT admin does with a connected tenant (issue 3, items 2, 4, 5): read its status, check
 * which mailboxes Convene can reach, disconnect it; and what any user does with their own data.
 * Only the tenant's own `Convene.Admin` users pass {@link requireTenantAdmin}.
 */
import {
  type DeleteMyDataResponse,
  type DisconnectResponse,
  MailboxCheckRequest,
  type MailboxCheckResponse,
  type MailboxCheckResult,
  type TenantStatus,
} from '../../shared/admin';
import type { AppRegistrationStatus } from '../../shared/app-registration';
import { ConveneError, invalidRequest } from '../../shared/errors';
import type { AppTokenSource } from '../auth/app-tokens';
import type { AuthContext } from '../auth/user-token';
import type { CalendarProvider, MailboxSettingsResult } from '../calendar/provider';
import type { TenantStore } from '../store/types';
import { requireTenantAdmin } from './admin-guard';
import { REQUIRED_APP_PERMISSIONS } from './permissions';
import { exchangeScopingScripts } from './powershell';
import type { TenantRegistry } from './tenant-registry';

export interface TenantAdminOptions {
  /** Application (client) id Convene signs in with. */
  clientId: string;
  /** Cloud name (`global`, `usgov`, `usgovdod`, `china`): picks the Entra admin center host. */
  cloud: string;
  tenants: TenantStore;
  registry: TenantRegistry;
  tokens: AppTokenSource;
  provider: CalendarProvider;
  /** The tenant's own app registration (non-secret facts): `TenantCredentials.status`. */
  appRegistration: (auth: AuthContext | undefined, tid: string) => Promise<AppRegistrationStatus>;
  /** Days audit entries are kept (`CONVENE_AUDIT_RETENTION_DAYS`). */
  auditRetentionDays: number;
}

export interface TenantAdmin {
  /** `GET /api/admin/tenants/{tid}`. @throws ConveneError unauthenticated | forbidden */
  status(auth: AuthContext | undefined, tid: string): Promise<TenantStatus>;
  /**
   * `POST /api/admin/tenants/{tid}/mailbox-check`: reads each mailbox's settings with the
   * tenant's app token (audited like every Graph call) and reports reachable | blocked | notFound | error.
   * @throws ConveneError unauthenticated | forbidden | invalid_request | tenant_not_consented | graph_unavailable
   */
  mailboxCheck(auth: AuthContext | undefined, tid: string, body: unknown, requestId: string): Promise<MailboxCheckResponse>;
  /** `DELETE /api/admin/tenants/{tid}`. @throws ConveneError unauthenticated | forbidden */
  disconnect(auth: AuthContext | undefined, tid: string): Promise<DisconnectResponse>;
  /** `DELETE /api/me/data`: the caller's own rows (interviews, bot conversation references). */
  deleteMyData(auth: AuthContext): Promise<DeleteMyDataResponse>;
}

/** Entra admin center host per cloud. @see https://learn.microsoft.com/entra/identity-platform/authentication-national-cloud */
const ENTRA_ADMIN_CENTER: Readonly<Record<string, string>> = Object.freeze({
  global: 'https://entra.microsoft.com',
  usgov: 'https://entra.microsoft.us',
  usgovdod: 'https://entra.microsoft.us',
  china: 'https://entra.microsoftonline.cn',
});

/**
 * The Entra admin center page of Convene's enterprise application (service principal) in a
 * tenant: Properties, where an admin deletes it (which removes every consent grant).
 */
export function entraEnterpriseAppUrl(cloud: string, tid: string, appId: string): string {
  const host = ENTRA_ADMIN_CENTER[cloud] ?? ENTRA_ADMIN_CENTER.global;
  return `${host}/#@${encodeURIComponent(tid)}/view/Microsoft_AAD_IAM/ManagedAppMenuBlade/~/Properties/appId/${encodeURIComponent(appId)}`;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function checkTid(tid: string): string {
  if (!GUID.test(tid)) throw new ConveneError(invalidRequest, 'The tenant must be a tenant id (GUID).');
  return tid.toLowerCase();
}

function toCheckResult(r: MailboxSettingsResult): MailboxCheckResult {
  switch (r.status) {
    case 'ok':
      return { mailbox: r.mailbox, access: 'reachable', reason: 'Convene read this mailbox (time zone and working hours).' };
    case 'blocked':
      return { mailbox: r.mailbox, access: 'blocked', reason: r.reason };
    case 'notFound':
      return { mailbox: r.mailbox, access: 'notFound', reason: r.reason };
    case 'error':
      return { mailbox: r.mailbox, access: 'error', reason: r.reason };
    default: {
      const never: never = r;
      return never;
    }
  }
}

/** Creates the service. */
export function createTenantAdmin(options: TenantAdminOptions): TenantAdmin {
  /** The tenant's app registration status; a stored credential that cannot be read still says `tenant`. */
  async function registrationOf(
    auth: AuthContext | undefined,
    tid: string,
    mode: 'multitenant' | 'tenant',
  ): Promise<AppRegistrationStatus> {
    try {
      return await options.appRegistration(auth, tid);
    } catch (e) {
      if (e instanceof ConveneError && (e.code === 'forbidden' || e.code === 'unauthenticated')) throw e;
      return { mode };
    }
  }

  return {
    async status(auth, rawTid) {
      requireTenantAdmin(auth, rawTid);
      const tid = checkTid(rawTid);
      const record = await options.tenants.get(tid);
      const live = record !== null && record.consentStatus !== 'disconnected';
      const granted = live ? record.grantedRoles : [];
      const appRegistration = await registrationOf(auth, tid, record?.credentialMode ?? 'multitenant');
      // The scripts, and the Entra page, name the app Convene actually signs in with for this tenant.
      const appId = appRegistration.mode === 'tenant' && appRegistration.clientId ? appRegistration.clientId : options.clientId;
      const scripts = exchangeScopingScripts({
        appId,
        ...(record?.displayName ? { tenantDisplayName: record.displayName } : {}),
      });
      return {
        tid,
        displayName: record?.displayName ?? null,
        cloud: record && record.cloud !== 'unknown' ? record.cloud : null,
        consentStatus: record ? record.consentStatus : 'notConnected',
        consentedAt: record && record.cloud !== 'unknown' ? record.consentedAt : null,
        consentedBy: live && record.consentedBy ? (record.consentedBy.name ?? record.consentedBy.oid) : null,
        consentedByOid: live && record.consentedBy ? record.consentedBy.oid : null,
        accessWarning: live && record.accessWarning ? record.accessWarning : null,
        offboardedAt: record?.offboardedAt ?? null,
        grantedRoles: granted,
        permissions: REQUIRED_APP_PERMISSIONS.map((p) => ({ name: p.name, reason: p.reason, granted: granted.includes(p.name) })),
        credentialMode: appRegistration.mode,
        appId,
        appRegistration,
        auditRetentionDays: options.auditRetentionDays,
        powershell: { rbacForApplications: scripts.rbac, applicationAccessPolicy: scripts.legacy },
        connectUrl: `/admin/consent/start?tenant=${tid}`,
        entraEnterpriseAppUrl: entraEnterpriseAppUrl(options.cloud, tid, appId),
      };
    },

    async mailboxCheck(auth, rawTid, body, requestId) {
      requireTenantAdmin(auth, rawTid);
      const tid = checkTid(rawTid);
      const parsed = MailboxCheckRequest.safeParse(body);
      if (!parsed.success)
        throw new ConveneError(invalidRequest, 'The body must be {"mailboxes": ["someone@contoso.com", ...]} (1 to 50 addresses).', {
          details: parsed.error.issues.map((i) => ({ path: i.path.join('.') || 'body', message: i.message })),
        });
      // The dual lock: a tenant that is not (or no longer) consented is refused before Graph.
      await options.registry.ensureConsented(tid);
      const mailboxes = [...new Set(parsed.data.mailboxes.map((m) => m.toLowerCase()))];
      const results = await options.provider.getMailboxSettings(
        { tenantId: tid, actorOid: (auth as AuthContext).oid, requestId },
        mailboxes,
      );
      const byMailbox = new Map(results.map((r) => [r.mailbox.toLowerCase(), toCheckResult(r)]));
      return parsed.data.mailboxes.map(
        (m) =>
          ({
            ...(byMailbox.get(m.toLowerCase()) ?? { access: 'error', reason: 'Microsoft Graph gave no answer for this mailbox.' }),
            mailbox: m,
          }) as MailboxCheckResult,
      );
    },

    async disconnect(auth, rawTid) {
      requireTenantAdmin(auth, rawTid);
      const tid = checkTid(rawTid);
      const deleted = await options.tenants.disconnect(tid);
      options.registry.forget(tid);
      options.tokens.invalidate(tid);
      return {
        tid,
        consentStatus: 'disconnected',
        deleted,
        entraEnterpriseAppUrl: entraEnterpriseAppUrl(options.cloud, tid, options.clientId),
      };
    },

    async deleteMyData(auth) {
      return { deleted: await options.tenants.deleteUserData(auth.tid.toLowerCase(), auth.oid) };
    },
  };
}
