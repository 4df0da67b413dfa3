/**
 * The taskpane keeps tokens in memory only: nested app authentication must not let MSAL put its
 * cache in sessionStorage (its default). MSAL itself is replaced by a recorder of its settings.
 */
import type { ClientConfig } from '../../shared/client-config';
import { createTaskpaneAuth } from './auth';
import type { OfficeEnvironment } from './office';

const created: unknown[] = [];

jest.mock('@azure/msal-browser', () => ({
  BrowserCacheLocation: { LocalStorage: 'localStorage', SessionStorage: 'sessionStorage', MemoryStorage: 'memoryStorage' },
  createNestablePublicClientApplication: async (config: unknown) => {
    created.push(config);
    return {
      getActiveAccount: () => null,
      getAllAccounts: () => [],
      acquireTokenSilent: async () => ({ accessToken: 'naa-token' }),
    };
  },
}));

const config: ClientConfig = {
  clientId: '11111111-2222-4333-8444-555555555555',
  authority: 'https://login.microsoftonline.com/organizations',
  apiScope: 'api://11111111-2222-4333-8444-555555555555/access_as_user',
};

const outlook: OfficeEnvironment = {
  kind: 'outlook',
  description: 'Outlook on the web',
  nestedAppAuth: true,
  mailbox15: true,
  appointmentCompose: true,
  appointmentRead: false,
  userProfileTimeZone: undefined,
  userEmail: undefined,
  theme: 'light',
};

describe('nested app authentication (review)', () => {
  it('asks MSAL for an in-memory cache, never sessionStorage or localStorage', async () => {
    const auth = createTaskpaneAuth(config, outlook);
    expect(auth.mode).toBe('naa');
    await expect(auth.silent()).resolves.toBe('naa-token');
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ auth: { clientId: config.clientId }, cache: { cacheLocation: 'memoryStorage' } });
  });
});
