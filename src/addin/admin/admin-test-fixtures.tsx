/**
 * Shared fixtures of the admin page's component tests (not a test file): a connected tenant's
 * status, a fake sign-in and a fake admin API that records its calls.
 */
import { FluentProvider, webLightTheme } from '@fluentui/react-components';
import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import type { MailboxCheckResponse, TenantStatus } from '../../shared/admin';
import type { SignIn, SignedInUser } from '../common/sign-in';
import type { AdminApi } from './admin-api';

export const TID = '2f3b8c1e-6a4d-4c7b-9e21-5d8f0a6b4c31';

export function ui(node: ReactElement) {
  return render(<FluentProvider theme={webLightTheme}>{node}</FluentProvider>);
}

export const STATUS: TenantStatus = {
  tid: TID,
  displayName: 'Contoso',
  cloud: 'global',
  consentStatus: 'granted',
  consentedAt: '2026-11-20T10:00:00Z',
  consentedBy: 'adele@contoso.example',
  consentedByOid: 'o1',
  accessWarning: null,
  offboardedAt: null,
  grantedRoles: ['Calendars.ReadWrite', 'User.ReadBasic.All'],
  permissions: [
    { name: 'Calendars.ReadWrite', reason: 'Read free/busy and book the invite in the organizer’s calendar.', granted: true },
    { name: 'MailboxSettings.Read', reason: 'Read time zones and working hours.', granted: false },
    { name: 'User.ReadBasic.All', reason: 'Find people for the panel picker.', granted: true },
  ],
  credentialMode: 'multitenant',
  appRegistration: { mode: 'multitenant' },
  auditRetentionDays: 90,
  appId: '5d7c9a4e-2f1b-4c8d-9e3a-6b0f1c2d3e4f',
  powershell: {
    rbacForApplications: 'New-ServicePrincipal -AppId 5d7c9a4e',
    applicationAccessPolicy: 'New-ApplicationAccessPolicy -AppId 5d7c9a4e',
  },
  connectUrl: `/admin/consent/start?tenant=${TID}`,
  entraEnterpriseAppUrl: 'https://entra.microsoft.com/#view/enterprise-app',
};

export function fakeSignIn(user: SignedInUser | null): SignIn & { signedInAs: string[] } {
  let current = user;
  const signedInAs: string[] = [];
  return {
    mode: 'dev',
    signedInAs,
    restore: async () => current,
    signIn: async (upn) => {
      signedInAs.push(upn ?? '');
      current = {
        claims: { tid: TID, oid: 'o1', username: upn, name: 'Adele', roles: ['Convene.Admin'], expiresAtMs: Date.now() + 3_600_000 },
      };
      return current;
    },
    getToken: async () => (current ? 'token' : null),
    signOut: async () => {
      current = null;
    },
  };
}

export const ADELE: SignedInUser = {
  claims: {
    tid: TID,
    oid: 'o1',
    username: 'adele@contoso.example',
    name: 'Adele',
    roles: ['Convene.Admin'],
    expiresAtMs: Date.now() + 3_600_000,
  },
};

export function fakeApi(overrides: Partial<AdminApi> = {}): AdminApi & { calls: string[] } {
  const calls: string[] = [];
  let status = STATUS;
  return {
    calls,
    tenantStatus: async (tid) => (calls.push(`status ${tid}`), status),
    mailboxCheck: async (tid, mailboxes) => {
      calls.push(`check ${tid} ${mailboxes.join(',')}`);
      return mailboxes.map((m) =>
        m.startsWith('hannah')
          ? { mailbox: m, access: 'blocked' as const, reason: 'Blocked by the tenant’s Application Access Policy.' }
          : m.startsWith('ghost')
            ? { mailbox: m, access: 'notFound' as const, reason: 'No such user in the tenant.' }
            : { mailbox: m, access: 'reachable' as const, reason: 'Working hours read.' },
      ) satisfies MailboxCheckResponse;
    },
    startConsent: async (tenant) => (
      calls.push(`start consent ${tenant ?? ''}`),
      { url: `https://login.example/adminconsent?tenant=${tenant ?? ''}` }
    ),
    disconnect: async (tid) => {
      calls.push(`disconnect ${tid}`);
      status = { ...STATUS, consentStatus: 'disconnected', offboardedAt: '2026-11-22T10:00:00Z' };
      return {
        tid,
        consentStatus: 'disconnected',
        deleted: { interviews: 2, tenant_credentials: 0 },
        entraEnterpriseAppUrl: STATUS.entraEnterpriseAppUrl,
      };
    },
    appRegistration: async (tid) => (calls.push(`app-registration ${tid}`), { mode: 'multitenant' }),
    setAppRegistration: async (tid, input) => {
      calls.push(`set app-registration ${tid}`);
      const appRegistration = {
        mode: 'tenant' as const,
        clientId: input.clientId,
        credentialType: 'secret' as const,
        keyId: 'k1',
        createdAt: '2026-11-21T10:00:00Z',
      };
      status = { ...status, credentialMode: 'tenant', appId: input.clientId, appRegistration };
      return appRegistration;
    },
    removeAppRegistration: async (tid) => {
      calls.push(`remove app-registration ${tid}`);
      status = { ...status, credentialMode: 'multitenant', appId: STATUS.appId, appRegistration: { mode: 'multitenant' } };
      return { mode: 'multitenant' };
    },
    ...overrides,
  };
}
