/** @jest-environment jsdom */
/**
 * Component tests of connecting again (issue 3 review): a signed-in Convene admin of a
 * disconnected organization starts the consent through `POST /api/admin/consent/start` (the
 * only start the server accepts for a disconnected tenant), never through the anonymous
 * `/admin/consent/start`; and the status shows Graph's "every mailbox refused" access warning.
 */
import { configure, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ACCESS_WARNING_REASON } from '../../shared/admin';
import { AdminApp } from './admin-app';
import { ADELE, fakeApi, fakeSignIn, STATUS, TID, ui } from './admin-test-fixtures';

configure({ asyncUtilTimeout: 10_000 });

describe('connect again', () => {
  test('after a disconnect, Connect starts the consent signed in and goes to the URL the server answered', async () => {
    const user = userEvent.setup();
    const navigate = jest.fn();
    const api = fakeApi({ tenantStatus: async () => ({ ...STATUS, consentStatus: 'disconnected', offboardedAt: '2026-11-22T10:00:00Z' }) });
    ui(<AdminApp signIn={fakeSignIn(ADELE)} api={api} search="" navigate={navigate} />);
    await screen.findByRole('heading', { name: 'Connect your Microsoft 365 organization again' });
    await user.click(screen.getByRole('button', { name: 'Connect with Microsoft' }));
    await waitFor(() => expect(navigate).toHaveBeenCalledTimes(1));
    expect(api.calls).toContain(`start consent ${TID}`);
    expect(navigate).toHaveBeenCalledWith(`https://login.example/adminconsent?tenant=${TID}`);
  });

  test('a failed signed-in start is shown on the form, and nothing navigates', async () => {
    const user = userEvent.setup();
    const navigate = jest.fn();
    const api = fakeApi({
      tenantStatus: async () => ({ ...STATUS, consentStatus: 'disconnected' }),
      startConsent: async () => {
        throw new Error('You can only connect your own organization.');
      },
    });
    ui(<AdminApp signIn={fakeSignIn(ADELE)} api={api} search="" navigate={navigate} />);
    await screen.findByRole('heading', { name: 'Connect your Microsoft 365 organization again' });
    await user.click(screen.getByRole('button', { name: 'Connect with Microsoft' }));
    expect(await screen.findByText('You can only connect your own organization.')).toBeTruthy();
    expect(navigate).not.toHaveBeenCalled();
  });

  test('shows the access warning (Graph refused every mailbox) on a connected organization', async () => {
    const api = fakeApi({
      tenantStatus: async () => ({ ...STATUS, accessWarning: { at: '2026-11-22T09:30:00Z', reason: ACCESS_WARNING_REASON } }),
    });
    ui(<AdminApp signIn={fakeSignIn(ADELE)} api={api} search="" navigate={jest.fn()} />);
    const warning = await screen.findByTestId('access-warning');
    expect(warning.textContent).toContain(ACCESS_WARNING_REASON);
    expect(screen.getByTestId('consent-status').getAttribute('data-status')).toBe('granted');
  });
});
