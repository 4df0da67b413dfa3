/**
 * Startup memory (issue 2, "Speed": server RSS < 250 MB): the server does not load what a request
 * path does not need. botbuilder (~30 MB with the bot's conversation) loads on the first
 * `POST /api/messages` when no `MicrosoftAppId` is set, and the bot still answers that first
 * message; the Azure SDKs for Key Vault load only with `CONVENE_KEYVAULT_KEY_ID` (or with botbuilder, whose
 * connector uses @azure/identity). The whole stack
 * on loopback (simulator + PGlite), the modules observed through jest's module registry.
 */
const mockLoaded = new Set<string>();
jest.mock('botbuilder', () => {
  mockLoaded.add('botbuilder');
  return jest.requireActual('botbuilder');
});
jest.mock('@azure/identity', () => {
  mockLoaded.add('@azure/identity');
  return jest.requireActual('@azure/identity');
});
jest.mock('@azure/keyvault-keys', () => {
  mockLoaded.add('@azure/keyvault-keys');
  return jest.requireActual('@azure/keyvault-keys');
});

import { loadConfig } from '../../src/server/config';
import { sealerFromConfig } from '../../src/server/crypto/keys';
import { botTenants, olivia, teamsFields } from '../bot/support';
import { startStack, type Stack } from '../support/stack';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack(botTenants(Date.now()));
});

afterAll(async () => {
  await stack?.close();
});

describe('modules loaded on demand', () => {
  it('a started server serving the API has loaded neither botbuilder nor the Key Vault SDKs', async () => {
    expect((await stack.call('GET', '/healthz')).status).toBe(200);
    expect((await stack.call('GET', '/api/openapi.json')).status).toBe(200);
    expect([...mockLoaded]).toEqual([]);
  });

  it('the first bot message loads botbuilder and is answered', async () => {
    const res = await fetch(`${stack.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'message',
        id: 'first-activity',
        timestamp: new Date().toISOString(),
        serviceUrl: 'http://127.0.0.1:9/never-called',
        deliveryMode: 'expectReplies',
        ...teamsFields(olivia),
        text: 'help',
      }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { activities?: Array<{ attachments?: Array<{ contentType: string }> }> };
    expect(body.activities?.[0]?.attachments?.[0]?.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(mockLoaded.has('botbuilder')).toBe(true);
  });

  it('CONVENE_KEYVAULT_KEY_ID loads the Key Vault SDKs and seals with Key Vault', () => {
    const config = loadConfig({
      CONVENE_KEYVAULT_KEY_ID: 'https://convene-test.vault.azure.net/keys/tenant-kek',
      CONVENE_DATA_DIR: 'memory://',
    });
    expect(sealerFromConfig(config)?.kind).toBe('key-vault');
    expect(mockLoaded.has('@azure/identity')).toBe(true);
    expect(mockLoaded.has('@azure/keyvault-keys')).toBe(true);
  });
});
