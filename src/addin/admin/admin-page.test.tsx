/** @jest-environment jsdom */
/**
 * Component tests of the admin page: every consent result in plain words, the permissions table,
 * the mailbox check, and the status page against a fake admin API and sign-in.
 */
import { FluentProvider, webLightTheme } from '@fluentui/react-components';
import { configure, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { ReactElement } from 'react';
import { CONSENT_RESULTS, ConsentResultCode, type MailboxCheckResponse, type TenantStatus } from '../../shared/admin';
import { ApiError } from '../common/api-client';
import type { SignIn, SignedInUser } from '../common/sign-in';
import { type AdminApi, consentStartUrl, parseMailboxes } from './admin-api';
import { AdminApp } from './admin-app';
import { ConsentResult, consentResultText } from './consent-result';
import { PermissionsTable } from './permissions-table';

// Fluent's first render is slow in jsdom on a busy 2-core machine: wait longer than 1 s.
configure({ asyncUtilTimeout: 10_000 });

const TID = '2f3b8c1e-6a4d-4c7b-9e21-5d8f0a6b4c31';

function ui(node: ReactElement) {
  return render(<FluentProvider theme={webLightTheme}>{node}</FluentProvider>);
}

const STATUS: TenantStatus = {
  tid: TID,
  displayName: 'Contoso',
  cloud: 'global',
  consentStatus: 'granted',
  consentedAt: '2026-11-20T10:00:00Z',
  consentedBy: 'adele@contoso.example',
  offboardedAt: null,
  grantedRoles: ['Calendars.ReadWrite', 'User.ReadBasic.All'],
  permissions: [
    { name: 'Calendars.ReadWrite', reason: 'Read free/busy and book the invite in the organizer’s calendar.', granted: true },
    { name: 'MailboxSettings.Read', reason: 'Read time zones and working hours.', granted: false },
    { name: 'User.ReadBasic.All', reason: 'Find people for the panel picker.', granted: true },
  ],
  credentialMode: 'multitenant',
  appId: '5d7c9a4e-2f1b-4c8d-9e3a-6b0f1c2d3e4f',
  powershell: {
    rbacForApplications: 'New-ServicePrincipal -AppId 5d7c9a4e',
    applicationAccessPolicy: 'New-ApplicationAccessPolicy -AppId 5d7c9a4e',
  },
  connectUrl: `/admin/consent/start?tenant=${TID}`,
  entraEnterpriseAppUrl: 'https://entra.microsoft.com/#view/enterprise-app',
};

function fakeSignIn(user: SignedInUser | null): SignIn & { signedInAs: string[] } {
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

const ADELE: SignedInUser = {
  claims: {
    tid: TID,
    oid: 'o1',
    username: 'adele@contoso.example',
    name: 'Adele',
    roles: ['Convene.Admin'],
    expiresAtMs: Date.now() + 3_600_000,
  },
};

function fakeApi(overrides: Partial<AdminApi> = {}): AdminApi & { calls: string[] } {
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
    ...overrides,
  };
}

describe('consent results', () => {
  test.each(ConsentResultCode.options)('%s: says what happened and what to do next', (code) => {
    ui(<ConsentResult code={code} />);
    const bar = screen.getByTestId('consent-result');
    const text = CONSENT_RESULTS[code];
    expect(within(bar).getByText(text.title)).toBeTruthy();
    expect(bar.textContent).toContain(text.explanation);
    expect(bar.textContent).toContain(`Next: ${text.nextStep}`);
  });

  test('an unknown code reads as a generic consent failure, never as success', () => {
    expect(consentResultText('<script>')).toBe(CONSENT_RESULTS.consent_failed);
    ui(<ConsentResult code="connected&evil" />);
    expect(screen.getByText(CONSENT_RESULTS.consent_failed.title)).toBeTruthy();
  });
});

describe('permissions table', () => {
  test('one row per permission with its reason, granted or missing', () => {
    ui(<PermissionsTable permissions={STATUS.permissions} />);
    const table = screen.getByRole('table', { name: 'Permissions Convene needs' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(
      rows.map((r) =>
        within(r)
          .getAllByRole('cell')
          .map((c) => c.textContent),
      ),
    ).toEqual([
      ['Calendars.ReadWrite', STATUS.permissions[0]?.reason, 'Granted'],
      ['MailboxSettings.Read', STATUS.permissions[1]?.reason, 'Missing'],
      ['User.ReadBasic.All', STATUS.permissions[2]?.reason, 'Granted'],
    ]);
    // A missing mailbox permission may still come from RBAC for Applications: say so.
    expect(screen.getByText(/RBAC for Applications/)).toBeTruthy();
  });
});

describe('helpers', () => {
  test('consentStartUrl encodes the tenant and omits it when empty', () => {
    expect(consentStartUrl('contoso.example')).toBe('/admin/consent/start?tenant=contoso.example');
    expect(consentStartUrl('  ')).toBe('/admin/consent/start');
    expect(consentStartUrl('a&b=c')).toBe('/admin/consent/start?tenant=a%26b%3Dc');
  });
  test('parseMailboxes splits lines, commas and <angle> forms, dropping duplicates and non-addresses', () => {
    expect(parseMailboxes('a@x.com\nB@x.com, a@x.com; <c@x.com>  nope\n')).toEqual(['a@x.com', 'B@x.com', 'c@x.com']);
  });
});

describe('admin page', () => {
  test('signed out: connect form (validated) and sign-in; Connect goes to the consent start', async () => {
    const user = userEvent.setup();
    const navigate = jest.fn();
    ui(<AdminApp signIn={fakeSignIn(null)} api={fakeApi()} search="" navigate={navigate} />);
    await screen.findByRole('heading', { name: 'Connect your Microsoft 365 organization' });
    const field = screen.getByLabelText('Tenant id or domain (optional)');
    await user.type(field, 'not a domain');
    await user.click(screen.getByRole('button', { name: 'Connect with Microsoft' }));
    expect(screen.getByText(/Enter a tenant id \(a GUID\)/)).toBeTruthy();
    expect(navigate).not.toHaveBeenCalled();
    await user.clear(field);
    await user.type(field, 'contoso.onmicrosoft.com{Enter}');
    expect(navigate).toHaveBeenCalledWith('/admin/consent/start?tenant=contoso.onmicrosoft.com');
    expect(screen.getByRole('heading', { name: 'Sign in to see your organization’s status' })).toBeTruthy();
  });

  test('after the callback: the result, then sign-in, then the status page for the token’s tenant', async () => {
    const user = userEvent.setup();
    const signIn = fakeSignIn(null);
    const api = fakeApi();
    ui(<AdminApp signIn={signIn} api={api} search={`?tenant=${TID}&result=connected`} navigate={jest.fn()} />);
    expect((await screen.findByTestId('consent-result')).textContent).toContain(CONSENT_RESULTS.connected.title);
    await user.type(await screen.findByLabelText('User principal name'), 'adele@contoso.example');
    await user.click(screen.getByRole('button', { name: 'Sign in (simulator)' }));
    expect(signIn.signedInAs).toEqual(['adele@contoso.example']);
    await screen.findByRole('heading', { name: 'Contoso' });
    expect(api.calls).toEqual([`status ${TID}`]);
    expect(screen.getByTestId('consent-status').getAttribute('data-status')).toBe('granted');
    expect(screen.getByText('adele@contoso.example', { selector: 'dd' })).toBeTruthy();
    expect(screen.getByTestId('script-rbac').textContent).toBe(STATUS.powershell.rbacForApplications);
  });

  test('mailbox check: results per mailbox in a live region', async () => {
    const user = userEvent.setup();
    const api = fakeApi();
    ui(<AdminApp signIn={fakeSignIn(ADELE)} api={api} search="" navigate={jest.fn()} />);
    await user.type(
      await screen.findByLabelText('Mailboxes to check'),
      'marcus@contoso.example\nhannah@contoso.example\nghost@contoso.example',
    );
    await user.click(screen.getByRole('button', { name: 'Check access' }));
    const summary = await screen.findByTestId('mailbox-summary');
    expect(summary.textContent).toBe('3 mailboxes checked: 1 reachable, 1 blocked, 1 not found.');
    expect(summary.closest('[aria-live="polite"]')).not.toBeNull();
    const rows = within(screen.getByRole('table', { name: 'Mailbox access results' }))
      .getAllByRole('row')
      .slice(1);
    expect(rows.map((r) => [r.getAttribute('data-mailbox'), r.getAttribute('data-access')])).toEqual([
      ['marcus@contoso.example', 'reachable'],
      ['hannah@contoso.example', 'blocked'],
      ['ghost@contoso.example', 'notFound'],
    ]);
    expect(rows[1]?.textContent).toContain('Application Access Policy');
  });

  test('mailbox check: an API error is shown, not results', async () => {
    const user = userEvent.setup();
    const api = fakeApi({
      mailboxCheck: async () => {
        throw new ApiError(400, 'invalid_request', 'mailboxes[0]: must be an email address', 'r1');
      },
    });
    ui(<AdminApp signIn={fakeSignIn(ADELE)} api={api} search="" navigate={jest.fn()} />);
    await user.type(await screen.findByLabelText('Mailboxes to check'), 'x@y.z');
    await user.click(screen.getByRole('button', { name: 'Check access' }));
    expect(await screen.findByText('mailboxes[0]: must be an email address')).toBeTruthy();
    expect(screen.queryByTestId('mailbox-summary')).toBeNull();
  });

  test('a user without the Convene.Admin role sees why, not a status', async () => {
    const api = fakeApi({
      tenantStatus: async () => {
        throw new ApiError(403, 'forbidden', 'Only users with the Convene.Admin app role may do this.', 'req-9');
      },
    });
    ui(<AdminApp signIn={fakeSignIn(ADELE)} api={api} search="" navigate={jest.fn()} />);
    const error = await screen.findByTestId('status-error');
    expect(error.textContent).toContain('You are not a Convene admin of this organization');
    expect(error.textContent).toContain('req-9');
    expect(screen.queryByRole('heading', { name: 'Permissions Convene needs' })).toBeNull();
  });

  test('Disconnect asks first and says what is deleted and kept; Cancel deletes nothing', async () => {
    const user = userEvent.setup();
    const api = fakeApi();
    ui(<AdminApp signIn={fakeSignIn(ADELE)} api={api} search="" navigate={jest.fn()} />);
    await user.click(await screen.findByRole('button', { name: 'Disconnect Contoso…' }));
    const dialog = await screen.findByRole('alertdialog');
    expect(dialog.textContent).toMatch(/It deletes:.*interviews Convene booked/);
    expect(dialog.textContent).toMatch(/keeps the audit log/);
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(api.calls).not.toContain(`disconnect ${TID}`);
  });

  test('Disconnect, confirmed, shows what was deleted, the Entra link and the connect form', async () => {
    const user = userEvent.setup();
    const api = fakeApi();
    ui(<AdminApp signIn={fakeSignIn(ADELE)} api={api} search="" navigate={jest.fn()} />);
    await user.click(await screen.findByRole('button', { name: 'Disconnect Contoso…' }));
    await user.click(within(await screen.findByRole('alertdialog')).getByRole('button', { name: 'Disconnect and delete data' }));
    const done = await screen.findByTestId('disconnected', {}, { timeout: 3000 });
    expect(api.calls).toContain(`disconnect ${TID}`);
    expect(done.textContent).toContain('2 interviews');
    expect(within(done).getByRole('link').getAttribute('href')).toBe(STATUS.entraEnterpriseAppUrl);
    await screen.findByRole('heading', { name: 'Connect your Microsoft 365 organization again' });
  });
});
