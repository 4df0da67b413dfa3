import { constants, generateKeyPairSync, privateDecrypt, publicEncrypt } from 'node:crypto';
import { ConveneError } from '../../shared/errors';
import { createKeyring } from './envelope';
import { sealerFromConfig } from './keys';
import { createCredentialSealer, type KeyVaultKeys, type KeyWrapClient } from './sealer';

const tid = '11111111-2222-4333-8444-555555555555';
const secret = '{"clientId":"c","credential":{"kind":"secret","secret":"hunter2~"}}';
const keyA = Buffer.alloc(32, 0xa1);
const keyB = Buffer.alloc(32, 0xb2);
const vault = 'https://convene-test.vault.azure.net/keys/tenant-kek';

/** A Key Vault double: RSA-OAEP-256 with real key pairs per key version, as Key Vault does. */
function fakeKeyVault(currentVersion: string, versions: string[]): KeyVaultKeys & { calls: string[] } {
  const pairs = new Map(versions.map((v) => [`${vault}/${v}`, generateKeyPairSync('rsa', { modulusLength: 2048 })]));
  const calls: string[] = [];
  const client = (id: string): KeyWrapClient => {
    const resolved = id === vault ? `${vault}/${currentVersion}` : id;
    const pair = pairs.get(resolved);
    return {
      async wrapKey(alg, key) {
        calls.push(`wrap ${resolved}`);
        if (!pair) throw new Error('KeyNotFound');
        const result = publicEncrypt({ key: pair.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, key);
        expect(alg).toBe('RSA-OAEP-256');
        return { result, keyID: resolved };
      },
      async unwrapKey(_alg, encrypted) {
        calls.push(`unwrap ${resolved}`);
        if (!pair) throw new Error('KeyNotFound');
        return {
          result: privateDecrypt({ key: pair.privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, encrypted),
        };
      },
    };
  };
  return { keyId: vault, client, calls };
}

function flipCiphertext(envelope: string): string {
  const e = JSON.parse(envelope) as { ct: string };
  const ct = Buffer.from(e.ct, 'base64');
  ct[0] = ct[0]! ^ 1;
  return JSON.stringify({ ...e, ct: ct.toString('base64') });
}

describe('credential sealer', () => {
  it('master key: round trip, key id recorded, other tenant refused', async () => {
    const sealer = createCredentialSealer({ keyring: createKeyring(keyA) });
    const { envelope, keyId } = await sealer.seal(secret, tid);
    expect(keyId).toMatch(/^[0-9a-f]{16}$/);
    expect(sealer.keyIdOf(envelope)).toBe(keyId);
    expect(envelope).not.toContain('hunter2');
    await expect(sealer.open(envelope, tid)).resolves.toBe(secret);
    await expect(sealer.open(envelope, '99999999-2222-4333-8444-555555555555')).rejects.toThrow(/could not be decrypted/);
  });

  it('a tampered ciphertext fails the GCM tag: clear error, nothing decrypted', async () => {
    for (const sealer of [
      createCredentialSealer({ keyring: createKeyring(keyA) }),
      createCredentialSealer({ keyVault: fakeKeyVault('v1', ['v1']) }),
    ]) {
      const { envelope } = await sealer.seal(secret, tid);
      const err = await sealer.open(flipCiphertext(envelope), tid).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ConveneError);
      expect((err as ConveneError).code).toBe('internal');
      expect((err as ConveneError).message).toMatch(/could not be decrypted: wrong key or tenant, or the envelope was altered/);
      expect((err as ConveneError).message).not.toContain('hunter2');
    }
  });

  it('Azure Key Vault: the data key is wrapped by the vault, the versioned key id recorded', async () => {
    const kv = fakeKeyVault('v1', ['v1']);
    const sealer = createCredentialSealer({ keyVault: kv });
    expect(sealer.kind).toBe('key-vault');
    const { envelope, keyId } = await sealer.seal(secret, tid);
    expect(keyId).toBe(`${vault}/v1`);
    expect(JSON.parse(envelope)).toMatchObject({ kek: 'azure-key-vault', kid: `${vault}/v1`, alg: 'A256GCM' });
    await expect(sealer.open(envelope, tid)).resolves.toBe(secret);
    expect(kv.calls).toEqual([`wrap ${vault}/v1`, `unwrap ${vault}/v1`]);
  });

  it('rotation: old master key -> new master key; master key -> Key Vault; Key Vault version -> newer version', async () => {
    const old = createCredentialSealer({ keyring: createKeyring(keyA) });
    const { envelope } = await old.seal(secret, tid);

    const rotated = createCredentialSealer({ keyring: createKeyring(keyB, [keyA]) });
    expect(rotated.isCurrent(envelope)).toBe(false);
    const next = await rotated.rewrap(envelope);
    expect(rotated.isCurrent(next)).toBe(true);
    expect(JSON.parse(next).ct).toBe(JSON.parse(envelope).ct); // only the data key moved
    await expect(createCredentialSealer({ keyring: createKeyring(keyB) }).open(next, tid)).resolves.toBe(secret);
    await expect(createCredentialSealer({ keyring: createKeyring(keyA) }).open(next, tid)).rejects.toThrow(/not in the keyring/);

    const kv1 = fakeKeyVault('v1', ['v1', 'v2']);
    const toVault = createCredentialSealer({ keyring: createKeyring(keyB), keyVault: { keyId: `${vault}/v1`, client: kv1.client } });
    const inVault = await toVault.rewrap(next);
    expect(toVault.isCurrent(inVault)).toBe(true);
    await expect(toVault.open(inVault, tid)).resolves.toBe(secret);

    const v2 = createCredentialSealer({ keyVault: { keyId: `${vault}/v2`, client: kv1.client } });
    expect(v2.isCurrent(inVault)).toBe(false);
    const inV2 = await v2.rewrap(inVault);
    expect(v2.keyIdOf(inV2)).toBe(`${vault}/v2`);
    await expect(v2.open(inV2, tid)).resolves.toBe(secret);
  });

  it('names the missing setting when an envelope needs a key that is not configured', async () => {
    const { envelope } = await createCredentialSealer({ keyVault: fakeKeyVault('v1', ['v1']) }).seal(secret, tid);
    await expect(createCredentialSealer({ keyring: createKeyring(keyA) }).open(envelope, tid)).rejects.toThrow(/CONVENE_KEYVAULT_KEY_ID/);
  });
});

describe('sealerFromConfig', () => {
  const base = { masterKeyPrevious: [], keyVaultKeyId: undefined, production: false, dataDir: 'memory://' };

  it('refuses a master key of the wrong length without echoing it', () => {
    const short = Buffer.alloc(16, 7).toString('base64');
    expect(() => sealerFromConfig({ ...base, masterKey: short })).toThrow(/must hold 32 bytes, it holds 16/);
    try {
      sealerFromConfig({ ...base, masterKey: short });
    } catch (e) {
      expect((e as Error).message).not.toContain(short);
    }
  });

  it('production without keys: no sealer; development: an ephemeral key for memory://', () => {
    expect(sealerFromConfig({ ...base, masterKey: undefined, production: true })).toBeUndefined();
    expect(sealerFromConfig({ ...base, masterKey: undefined })?.kind).toBe('master-key');
    expect(sealerFromConfig({ ...base, masterKey: keyA.toString('base64'), masterKeyPrevious: [keyB.toString('base64')] })?.kind).toBe(
      'master-key',
    );
  });
});
