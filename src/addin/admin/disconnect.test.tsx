/** @jest-environment jsdom */
/**
 * Component tests of Disconnect on the admin page: the confirmation dialog says what is deleted
 * and kept, Cancel deletes nothing, confirming shows what was deleted and the Entra link.
 *
 * In a file of its own, and one page for all of it: in jsdom, tabster's modalizer state left by
 * an earlier test's (unmounted) page can leave a later page's Fluent Dialog surface aria-hidden,
 * which one page in a browser never does (test/e2e/admin.e2e.test.ts disconnects in Chromium).
 */
import { configure, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { AdminApp } from './admin-app';
import { ADELE, fakeApi, fakeSignIn, STATUS, TID, ui } from './admin-test-fixtures';

configure({ asyncUtilTimeout: 10_000 });

/**
 * The dialog is found even when tabster left it aria-hidden (see above): jsdom's focus handling
 * makes that flaky, so these tests check what the dialog says and does, and the Chromium test
 * checks it is reachable by role.
 */
const HIDDEN_OK = { hidden: true } as const;

describe('disconnect', () => {
  test('Disconnect asks first and says what is deleted and kept; Cancel deletes nothing; confirmed, it shows what was deleted and the Entra link', async () => {
    const user = userEvent.setup();
    const api = fakeApi();
    ui(<AdminApp signIn={fakeSignIn(ADELE)} api={api} search="" navigate={jest.fn()} />);
    await user.click(await screen.findByRole('button', { name: 'Disconnect Contoso…' }));
    let dialog = await screen.findByRole('alertdialog', HIDDEN_OK);
    expect(dialog.textContent).toMatch(/It deletes:.*interviews Convene booked/);
    expect(dialog.textContent).toMatch(/keeps the audit log/);
    await user.click(await within(dialog).findByRole('button', { name: 'Cancel', ...HIDDEN_OK }));
    await waitFor(() => expect(screen.queryByRole('alertdialog', HIDDEN_OK)).toBeNull());
    expect(api.calls).not.toContain(`disconnect ${TID}`);

    await user.click(screen.getByRole('button', { name: 'Disconnect Contoso…' }));
    dialog = await screen.findByRole('alertdialog', HIDDEN_OK);
    await user.click(await within(dialog).findByRole('button', { name: 'Disconnect and delete data', ...HIDDEN_OK }));
    const done = await screen.findByTestId('disconnected');
    expect(api.calls).toContain(`disconnect ${TID}`);
    expect(done.textContent).toContain('2 interviews');
    expect(within(done).getByRole('link').getAttribute('href')).toBe(STATUS.entraEnterpriseAppUrl);
    await screen.findByRole('heading', { name: 'Connect your Microsoft 365 organization again' });
  });
});
