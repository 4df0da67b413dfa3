/** @jest-environment jsdom */
/**
 * Component tests of the admin page: every consent result in plain words, the permissions table,
 * the mailbox check, and the status page against a fake admin API and sign-in. Disconnect is in
 * disconnect.test.tsx, the own app registration in app-registration.test.tsx.
 */
import { configure, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { CONSENT_RESULTS, ConsentResultCode } from '../../shared/admin';
import { ApiError } from '../common/api-client';
import { consentStartUrl, parseMailboxes } from './admin-api';
import { AdminApp } from './admin-app';
import { ADELE, fakeApi, fakeSignIn, STATUS, TID, ui } from './admin-test-fixtures';
import { ConsentResult, consentResultText } from './consent-result';
import { PermissionsTable } from './permissions-table';

// Fluent's first render is slow in jsdom on a busy 2-core machine: wait longer than 1 s.
configure({ asyncUtilTimeout: 10_000 });

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
    expect(api.calls.filter((c) => c.startsWith('status'))).toEqual([`status ${TID}`]);
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
});
