/** @jest-environment jsdom */
/**
 * Component tests of the tenant-provided app registration section (issue 3, item 3): the request
 * bodies it sends, that a secret or private key never comes back on screen or stays in the form
 * (stored or refused), the server's refusal shown inline with nothing else lost, client-side
 * checks, and "Go back to Convene's app" only after a confirmation.
 */
import { FluentProvider, webLightTheme } from '@fluentui/react-components';
import { configure, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { ReactElement } from 'react';
import type { AppRegistrationInput, AppRegistrationStatus } from '../../shared/app-registration';
import { ApiError } from '../common/api-client';
import type { AdminApi } from './admin-api';
import { AdminApp } from './admin-app';
import * as page from './admin-test-fixtures';
import { AppRegistrationCard } from './app-registration';

configure({ asyncUtilTimeout: 10_000 });

const TID = '2f3b8c1e-6a4d-4c7b-9e21-5d8f0a6b4c31';
const CLIENT_ID = '8a1f3c5e-7b2d-4e9f-a0c1-3d5e7f9b1a2c';
const SECRET = 'Xq8~s3cr3t-VALUE-never-shown_42';
const CERT = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQk\n-----END CERTIFICATE-----\n';
const KEY = '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----\n';
const STORED: AppRegistrationStatus = {
  mode: 'tenant',
  clientId: CLIENT_ID,
  credentialType: 'secret',
  keyId: '3f9a0c1b2d4e5f60',
  createdAt: '2026-11-20T10:00:00.000Z',
};

type Call = { op: 'get' } | { op: 'put'; body: AppRegistrationInput } | { op: 'delete' };

/** The admin API's app registration routes, recording what the page sends. */
function fakeApi(options: { initial?: AppRegistrationStatus; put?: (body: AppRegistrationInput) => Promise<AppRegistrationStatus> } = {}) {
  const calls: Call[] = [];
  let current: AppRegistrationStatus = options.initial ?? { mode: 'multitenant' };
  const notUsed = async (): Promise<never> => {
    throw new Error('not used here');
  };
  const api: AdminApi = {
    tenantStatus: notUsed,
    mailboxCheck: notUsed,
    startConsent: notUsed,
    disconnect: notUsed,
    appRegistration: async () => (calls.push({ op: 'get' }), current),
    setAppRegistration: async (_tid, body) => {
      calls.push({ op: 'put', body: { ...body } });
      current = options.put
        ? await options.put(body)
        : { ...STORED, clientId: body.clientId, credentialType: 'clientSecret' in body ? 'secret' : 'certificate' };
      return current;
    },
    removeAppRegistration: async () => {
      calls.push({ op: 'delete' });
      current = { mode: 'multitenant' };
      return current;
    },
  };
  return { api, calls };
}

function ui(node: ReactElement) {
  return render(<FluentProvider theme={webLightTheme}>{node}</FluentProvider>);
}

/** Neither in the markup nor in any field's live value. */
function expectNowhere(text: string) {
  expect(document.body.innerHTML).not.toContain(text);
  for (const el of document.querySelectorAll('input, textarea')) expect((el as HTMLInputElement).value).not.toContain(text);
}

const refusal = new ApiError(
  400,
  'invalid_request',
  'Microsoft Entra ID rejected the client secret or certificate of this app registration (AADSTS7000215).',
  'req-42',
);

describe('tenant-provided app registration', () => {
  test('multitenant mode: set a client secret; the body is {clientId, clientSecret} and the secret never comes back', async () => {
    const user = userEvent.setup();
    const onChanged = jest.fn();
    const { api, calls } = fakeApi();
    ui(<AppRegistrationCard api={api} tid={TID} orgName="Contoso" onChanged={onChanged} />);
    expect((await screen.findByTestId('app-registration-status')).getAttribute('data-mode')).toBe('multitenant');
    expect(screen.getByText('Convene’s multitenant app')).toBeTruthy();

    await user.click(screen.getByRole('button', { name: 'Use your own app registration…' }));
    const clientId = screen.getByLabelText(/Application \(client\) id/);
    expect(document.activeElement).toBe(clientId); // keyboard users land in the form
    await user.type(clientId, ` ${CLIENT_ID} `);
    const secret = screen.getByLabelText(/Client secret \(value\)/);
    expect(secret.getAttribute('type')).toBe('password');
    await user.click(secret);
    await user.paste(SECRET);
    await user.click(screen.getByRole('button', { name: 'Check and save' }));

    const status = await screen.findByText(CLIENT_ID, { selector: 'dd' });
    expect(calls).toEqual([{ op: 'get' }, { op: 'put', body: { clientId: CLIENT_ID, clientSecret: SECRET } }]);
    expect(status.closest('[data-mode]')?.getAttribute('data-mode')).toBe('tenant');
    const facts = within(screen.getByTestId('app-registration-status'));
    expect(facts.getByText('Your own app registration')).toBeTruthy();
    expect(facts.getByText(/^Client secret/)).toBeTruthy();
    expect(facts.getByText(STORED.keyId!)).toBeTruthy();
    expect(screen.getByTestId('app-registration-announcement').textContent).toContain(`your app registration ${CLIENT_ID}`);
    expect(screen.getByTestId('app-registration-announcement').getAttribute('aria-live')).toBe('polite');
    expect(onChanged).toHaveBeenCalledTimes(1);
    expectNowhere(SECRET);

    // Opening the form again (to rotate the secret) starts with the client id only.
    await user.click(screen.getByRole('button', { name: 'Replace the secret or certificate…' }));
    expect((screen.getByLabelText(/Application \(client\) id/) as HTMLInputElement).value).toBe(CLIENT_ID);
    expect((screen.getByLabelText(/Client secret \(value\)/) as HTMLInputElement).value).toBe('');
    expectNowhere(SECRET);
  });

  test('certificate: the body is {clientId, certificatePem, privateKeyPem}; the private key is dropped afterwards', async () => {
    const user = userEvent.setup();
    const { api, calls } = fakeApi();
    ui(<AppRegistrationCard api={api} tid={TID} orgName="Contoso" />);
    await user.click(await screen.findByRole('button', { name: 'Use your own app registration…' }));
    await user.type(screen.getByLabelText(/Application \(client\) id/), CLIENT_ID);
    await user.click(screen.getByRole('radio', { name: 'Certificate' }));
    expect(screen.queryByLabelText(/Client secret \(value\)/)).toBeNull();
    await user.click(screen.getByLabelText(/Certificate \(PEM\)/));
    await user.paste(CERT);
    await user.click(screen.getByLabelText(/Private key \(PEM/));
    await user.paste(KEY);
    await user.click(screen.getByRole('button', { name: 'Check and save' }));

    await screen.findByText(/^Certificate \(stored encrypted/);
    expect(calls[1]).toEqual({ op: 'put', body: { clientId: CLIENT_ID, certificatePem: CERT, privateKeyPem: KEY } });
    expectNowhere('MIGHAgEAMBMGByqGSM49');
  });

  test('a refused credential: the server’s message and request id inline; client id and certificate kept, secret and key cleared', async () => {
    const user = userEvent.setup();
    const { api, calls } = fakeApi({
      initial: STORED,
      put: async () => {
        throw refusal;
      },
    });
    ui(<AppRegistrationCard api={api} tid={TID} orgName="Contoso" />);
    await user.click(await screen.findByRole('button', { name: 'Replace the secret or certificate…' }));
    const clientId = screen.getByLabelText(/Application \(client\) id/) as HTMLInputElement;
    await user.clear(clientId);
    await user.type(clientId, CLIENT_ID);
    await user.click(screen.getByLabelText(/Client secret \(value\)/));
    await user.paste(SECRET);
    await user.click(screen.getByRole('button', { name: 'Check and save' }));

    const error = await screen.findByTestId('app-registration-error');
    expect(error.getAttribute('role')).toBe('alert');
    expect(error.textContent).toContain(refusal.message);
    expect(error.textContent).toContain('AADSTS7000215');
    expect(error.textContent).toContain('req-42');
    expect(error.textContent).toContain('keeps using the credential stored before');
    expect(calls.filter((c) => c.op === 'put')).toHaveLength(1);
    // Nothing typed is lost except the secret, which the admin types again.
    expect(clientId.value).toBe(CLIENT_ID);
    await waitFor(() => expect((screen.getByLabelText(/Client secret \(value\)/) as HTMLInputElement).value).toBe(''));
    expectNowhere(SECRET);
    // The stored registration is still what the page shows.
    expect(screen.getByTestId('app-registration-status').getAttribute('data-mode')).toBe('tenant');

    // The same with a certificate: the certificate stays, the private key goes.
    await user.click(screen.getByRole('radio', { name: 'Certificate' }));
    await user.click(screen.getByLabelText(/Certificate \(PEM\)/));
    await user.paste(CERT);
    await user.click(screen.getByLabelText(/Private key \(PEM/));
    await user.paste(KEY);
    await user.click(screen.getByRole('button', { name: 'Check and save' }));
    await waitFor(() => expect(calls.filter((c) => c.op === 'put')).toHaveLength(2));
    await waitFor(() => expect((screen.getByLabelText(/Private key \(PEM/) as HTMLTextAreaElement).value).toBe(''));
    expect((screen.getByLabelText(/Certificate \(PEM\)/) as HTMLTextAreaElement).value).toBe(CERT);
    expect(clientId.value).toBe(CLIENT_ID);
    expectNowhere('MIGHAgEAMBMGByqGSM49');
  });

  test('checked before sending: a client id that is not a GUID, an empty secret, a key that is not PEM', async () => {
    const user = userEvent.setup();
    const { api, calls } = fakeApi();
    ui(<AppRegistrationCard api={api} tid={TID} orgName="Contoso" />);
    await user.click(await screen.findByRole('button', { name: 'Use your own app registration…' }));
    await user.type(screen.getByLabelText(/Application \(client\) id/), 'contoso-app');
    await user.click(screen.getByRole('button', { name: 'Check and save' }));
    expect(await screen.findByText('Must be the application (client) id, a GUID.')).toBeTruthy();
    expect(screen.getByText('Enter the client secret.')).toBeTruthy();

    await user.click(screen.getByRole('radio', { name: 'Certificate' }));
    await user.click(screen.getByLabelText(/Certificate \(PEM\)/));
    await user.paste(CERT);
    await user.click(screen.getByLabelText(/Private key \(PEM/));
    await user.paste('not a key');
    await user.click(screen.getByRole('button', { name: 'Check and save' }));
    expect(await screen.findByText(/Must be a PEM private key/)).toBeTruthy();
    expect(calls).toEqual([{ op: 'get' }]);
  });

  test('Go back to Convene’s app: asks first; Cancel and Escape keep the registration, confirming deletes it', async () => {
    const user = userEvent.setup();
    const onChanged = jest.fn();
    const { api, calls } = fakeApi({ initial: STORED });
    ui(<AppRegistrationCard api={api} tid={TID} orgName="Contoso" onChanged={onChanged} />);
    await user.click(await screen.findByRole('button', { name: 'Go back to Convene’s app…' }));
    let confirm = await screen.findByRole('group', { name: 'Go back to Convene’s app?' });
    expect(confirm.textContent).toContain(`deletes the stored client secret of your app registration ${CLIENT_ID}`);
    expect(confirm.textContent).toMatch(/admin consent to Convene’s app/);
    // The safe choice has focus; Cancel returns to the button that asked.
    expect(document.activeElement).toBe(within(confirm).getByRole('button', { name: 'Cancel' }));
    await user.keyboard('{Enter}');
    await waitFor(() => expect(screen.queryByRole('group', { name: 'Go back to Convene’s app?' })).toBeNull());
    await waitFor(() => expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Go back to Convene’s app…' })));

    await user.keyboard('{Enter}');
    await screen.findByRole('group', { name: 'Go back to Convene’s app?' });
    await user.keyboard('{Escape}');
    await waitFor(() => expect(screen.queryByRole('group', { name: 'Go back to Convene’s app?' })).toBeNull());
    expect(calls.some((c) => c.op === 'delete')).toBe(false);
    expect(onChanged).not.toHaveBeenCalled();
    expect(screen.getByTestId('app-registration-status').getAttribute('data-mode')).toBe('tenant');

    await user.click(screen.getByRole('button', { name: 'Go back to Convene’s app…' }));
    confirm = await screen.findByRole('group', { name: 'Go back to Convene’s app?' });
    await user.click(within(confirm).getByRole('button', { name: 'Go back to Convene’s app' }));
    await waitFor(() => expect(screen.getByTestId('app-registration-status').getAttribute('data-mode')).toBe('multitenant'));
    expect(calls.filter((c) => c.op === 'delete')).toHaveLength(1);
    expect(onChanged).toHaveBeenCalledTimes(1);
    expect(screen.getByTestId('app-registration-announcement').textContent).toContain('multitenant app for Contoso again');
    expect(screen.queryByRole('button', { name: 'Go back to Convene’s app…' })).toBeNull();
  });

  test('a failed delete is shown with the confirmation and nothing changes', async () => {
    const user = userEvent.setup();
    const { api } = fakeApi({ initial: STORED });
    api.removeAppRegistration = async () => {
      throw new ApiError(503, 'graph_unavailable', 'Convene’s database is not answering.', 'req-7');
    };
    ui(<AppRegistrationCard api={api} tid={TID} orgName="Contoso" />);
    await user.click(await screen.findByRole('button', { name: 'Go back to Convene’s app…' }));
    const confirm = await screen.findByRole('group', { name: 'Go back to Convene’s app?' });
    await user.click(within(confirm).getByRole('button', { name: 'Go back to Convene’s app' }));
    const alert = await within(confirm).findByRole('alert');
    expect(alert.textContent).toContain('Convene still uses your app registration');
    expect(alert.textContent).toContain('req-7');
    expect(screen.getByTestId('app-registration-status').getAttribute('data-mode')).toBe('tenant');
  });

  test('on the status page: saving reloads the tenant’s status in place, which then names the tenant’s own app', async () => {
    const user = userEvent.setup();
    const api = page.fakeApi();
    page.ui(<AdminApp signIn={page.fakeSignIn(page.ADELE)} api={api} search="" navigate={jest.fn()} />);
    await screen.findByRole('heading', { name: 'Your own app registration (optional)' });
    await user.click(await screen.findByRole('button', { name: 'Use your own app registration…' }));
    await user.type(screen.getByLabelText(/Application \(client\) id/), CLIENT_ID);
    await user.click(screen.getByLabelText(/Client secret \(value\)/));
    await user.paste(SECRET);
    await user.click(screen.getByRole('button', { name: 'Check and save' }));
    await screen.findByText(`${CLIENT_ID} (your own app registration)`);
    // The status already carries the registration's facts: no separate GET.
    expect(api.calls).toEqual([`status ${TID}`, `set app-registration ${TID}`, `status ${TID}`]);
    // The section stayed mounted through the reload (no spinner in between): its announcement is still there.
    expect(screen.getByTestId('app-registration-announcement').textContent).toContain('Saved.');
    expectNowhere(SECRET);
  });
});
