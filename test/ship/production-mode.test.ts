/**
 * With NODE_ENV=production the server refuses to start (loadConfig throws, so `main()` and
 * `npm start` exit 1 with the message) without a master key, with TLS off, or with the local
 * Microsoft 365 simulator enabled. Each refusal names the variable at fault.
 */
import { isConveneError } from '../../src/shared/errors';
import { loadConfig } from '../../src/server/config';

const KEY = Buffer.alloc(32, 7).toString('base64');
const PRODUCTION: Record<string, string> = {
  NODE_ENV: 'production',
  CONVENE_MASTER_KEY: KEY,
  CONVENE_PUBLIC_URL: 'https://convene.contoso.com',
  AZURE_CLIENT_ID: '11111111-2222-4333-8444-555555555555',
  AZURE_CLIENT_SECRET: 'from-key-vault',
  DATABASE_URL: 'postgres://convene@db.postgres.database.azure.com:5432/convene?sslmode=require',
};

function refusal(env: Record<string, string | undefined>): string {
  let thrown: unknown;
  try {
    loadConfig(env);
  } catch (e) {
    thrown = e;
  }
  expect(isConveneError(thrown, 'invalid_request')).toBe(true);
  return (thrown as Error).message;
}

describe('production mode (NODE_ENV=production)', () => {
  it('starts with a master key, an https public address and Microsoft credentials', () => {
    const config = loadConfig(PRODUCTION);
    expect(config.production).toBe(true);
    expect(config.app?.clientId).toBe(PRODUCTION.AZURE_CLIENT_ID);
  });

  it('refuses to start without a master key', () => {
    const message = refusal({ ...PRODUCTION, CONVENE_MASTER_KEY: undefined });
    expect(message).toContain('CONVENE_MASTER_KEY: required in production');
    expect(refusal({ ...PRODUCTION, CONVENE_MASTER_KEY: '' })).toContain('CONVENE_MASTER_KEY');
  });

  it('accepts an Azure Key Vault key instead of the master key', () => {
    const env = {
      ...PRODUCTION,
      CONVENE_MASTER_KEY: undefined,
      CONVENE_KEYVAULT_KEY_ID: 'https://convene-kv.vault.azure.net/keys/convene-master',
    };
    expect(loadConfig(env).production).toBe(true);
  });

  it('refuses to start with TLS off: the public address must be https', () => {
    expect(refusal({ ...PRODUCTION, CONVENE_PUBLIC_URL: 'http://convene.contoso.com' })).toContain(
      'CONVENE_PUBLIC_URL: TLS is off (http://convene.contoso.com)',
    );
    expect(refusal({ ...PRODUCTION, CONVENE_PUBLIC_URL: undefined })).toContain('CONVENE_PUBLIC_URL: required in production');
  });

  it('refuses to start with the simulator enabled', () => {
    expect(refusal({ ...PRODUCTION, AZURE_CLIENT_ID: undefined, AZURE_CLIENT_SECRET: undefined })).toContain(
      'AZURE_CLIENT_ID: required in production',
    );
    expect(refusal({ ...PRODUCTION, CONVENE_SIM_SEED: 'seed.json' })).toContain(
      'CONVENE_SIM_SEED: the local Microsoft 365 simulator is not allowed',
    );
    expect(refusal({ ...PRODUCTION, SIM_PORT: '3001' })).toContain('SIM_PORT: the local Microsoft 365 simulator is not allowed');
    expect(refusal({ ...PRODUCTION, GRAPH_ENDPOINT: 'https://127.0.0.1:3001' })).toContain(
      'GRAPH_ENDPOINT: https://127.0.0.1:3001 is this machine',
    );
    expect(refusal({ ...PRODUCTION, LOGIN_ENDPOINT: 'https://localhost:3001' })).toContain('LOGIN_ENDPOINT');
  });

  it('lists every problem at once', () => {
    const message = refusal({ NODE_ENV: 'production', CONVENE_PUBLIC_URL: 'http://x.example' });
    for (const name of ['CONVENE_MASTER_KEY', 'CONVENE_PUBLIC_URL', 'AZURE_CLIENT_ID']) expect(message).toContain(name);
  });

  it('leaves development alone: the embedded defaults still load without NODE_ENV=production', () => {
    expect(loadConfig({}).production).toBe(false);
    expect(loadConfig({ NODE_ENV: 'development', SIM_PORT: '3001', CONVENE_PUBLIC_URL: 'http://localhost:3000' }).production).toBe(false);
  });
});
