import { ClientConfig } from '../../shared/client-config';
import { clientConfig, clientConfigRoute } from './client-config';

describe('client config', () => {
  const base = { clientId: '5d7c9a4e-2f1b-4c8d-9e3a-6b0f1c2d3e4f', loginEndpoint: 'https://login.microsoftonline.us/' };

  test('multitenant authority of the configured cloud and the API scope; no dev sign-in unless the simulator wiring gives one', async () => {
    const route = clientConfigRoute(base);
    expect(route).toMatchObject({ method: 'GET', path: '/api/client-config', auth: false });
    const res = await route.handler({ body: undefined, query: {}, params: {}, headers: {}, auth: undefined, requestId: 'r' });
    expect(res.status).toBe(200);
    expect(ClientConfig.parse(res.body)).toEqual({
      clientId: base.clientId,
      authority: 'https://login.microsoftonline.us/organizations',
      apiScope: `api://${base.clientId}/access_as_user`,
    });
  });

  test('the dev sign-in URL only when given', () => {
    expect(clientConfig({ ...base, devSignInUrl: 'https://127.0.0.1:3001/_sim/token' }).devSignIn).toEqual({
      tokenUrl: 'https://127.0.0.1:3001/_sim/token',
    });
  });
});
