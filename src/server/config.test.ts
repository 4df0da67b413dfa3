import { isConveneError } from '../shared/errors';
import { loadConfig } from './config';

describe('loadConfig', () => {
  it('defaults to the embedded setup: port 3000, simulator on 3001, PGlite, global cloud, no app', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 3000, simPort: 3001, databaseUrl: undefined, app: undefined, dataDir: '.data' });
    expect(c.cloud).toEqual({
      name: 'global',
      loginEndpoint: 'https://login.microsoftonline.com',
      graphEndpoint: 'https://graph.microsoft.com',
    });
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('picks a national cloud and lets GRAPH_ENDPOINT / LOGIN_ENDPOINT override it', () => {
    expect(loadConfig({ CONVENE_CLOUD: 'china' }).cloud).toMatchObject({
      loginEndpoint: 'https://login.partner.microsoftonline.cn',
      graphEndpoint: 'https://microsoftgraph.chinacloudapi.cn',
    });
    expect(loadConfig({ CONVENE_CLOUD: 'usgovdod' }).cloud.graphEndpoint).toBe('https://dod-graph.microsoft.us');
    const c = loadConfig({ CONVENE_CLOUD: 'usgov', GRAPH_ENDPOINT: 'https://127.0.0.1:3001/' });
    expect(c.cloud).toEqual({ name: 'usgov', loginEndpoint: 'https://login.microsoftonline.us', graphEndpoint: 'https://127.0.0.1:3001' });
  });

  it('reads a secret or a certificate credential', () => {
    const id = '11111111-2222-4333-8444-555555555555';
    expect(loadConfig({ AZURE_CLIENT_ID: id, AZURE_CLIENT_SECRET: 's' }).app).toEqual({
      clientId: id,
      credential: { kind: 'secret', secret: 's' },
    });
    expect(loadConfig({ AZURE_CLIENT_ID: id, AZURE_CLIENT_CERTIFICATE_PATH: '/c.pem' }).app?.credential).toEqual({
      kind: 'certificate',
      path: '/c.pem',
    });
  });

  it.each([
    [{ AZURE_CLIENT_ID: '11111111-2222-4333-8444-555555555555' }, 'neither AZURE_CLIENT_SECRET nor AZURE_CLIENT_CERTIFICATE_PATH'],
    [{ AZURE_CLIENT_SECRET: 's' }, 'AZURE_CLIENT_ID is not'],
    [
      { AZURE_CLIENT_ID: '11111111-2222-4333-8444-555555555555', AZURE_CLIENT_SECRET: 's', AZURE_CLIENT_CERTIFICATE_PATH: '/c' },
      'not both',
    ],
    [{ AZURE_CLIENT_ID: 'not-a-guid', AZURE_CLIENT_SECRET: 's' }, 'AZURE_CLIENT_ID'],
    [{ PORT: 'eighty' }, 'PORT'],
    [{ CONVENE_CLOUD: 'mars' }, 'CONVENE_CLOUD'],
    [{ GRAPH_ENDPOINT: 'http://graph.example' }, 'GRAPH_ENDPOINT'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ CONVENE_MASTER_KEY: 'c2hvcnQ=' }, 'CONVENE_MASTER_KEY'],
    [{ MicrosoftAppId: 'x' }, 'MicrosoftAppPassword'],
  ])('refuses half-set or bad configuration %#', (env, mention) => {
    let thrown: unknown;
    try {
      loadConfig(env);
    } catch (e) {
      thrown = e;
    }
    expect(isConveneError(thrown, 'invalid_request')).toBe(true);
    expect((thrown as Error).message).toContain(mention);
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ AZURE_CLIENT_ID: '', AZURE_CLIENT_SECRET: '', PORT: '' }).app).toBeUndefined();
  });
});
