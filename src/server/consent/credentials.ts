/**
 * Tenant-provided app registrations (issue 3, item 3): for a tenant that will not consent to
 * Convene's multi-tenant app, its admin registers an app of their own (the permissions of
 * `permissions.ts`, admin-consented in their tenant) and gives Convene its client id with a
 * client secret or a certificate. Convene then gets that tenant's app-only tokens with it
 * (authority `<login host>/<tid>`).
 *
 * Before anything is stored the credential is proved: Convene acquires an app-only token for the
 * tenant with it (that token's `roles` become the tenant's granted roles). It is stored sealed
 * (`crypto/sealer.ts`: AES-256-GCM, per-tenant data key wrapped by the master key or Azure Key
 * Vault, key id recorded) and never returned or logged: the status shows only the client id,
 * the credential type, the key id and when it was stored.
 *
 * Stored value (`tenants.encrypted_credential`): JSON `{"v":1,"clientId","type","createdAt",
 * "sealed":"<envelope>"}`. The metadata outside the envelope is for display and rotation; the
 * client id actually used comes from inside the sealed plaintext (authenticated).
 *
 * @see https://learn.microsoft.com/entra/identity-platform/quickstart-register-app
 * @see https://learn.microsoft.com/entra/identity-platform/certificate-credentials
 */
import { z } from 'zod';
import type { AppTokenSource, TenantAppRegistration } from '../auth/app-tokens';
import { probeAppRegistration } from '../auth/app-tokens';
import type { AuthContext } from '../auth/user-token';
import type { CredentialSealer } from '../crypto/sealer';
import type { FetchLike } from '../net';
import type { Store } from '../store/types';
import { ConveneError, internal, invalidRequest } from '../../shared/errors';
import { requireTenantAdmin } from './admin-guard';

/** What an admin (and only an admin) may see of the tenant's app registration. Never a secret. */
export interface AppRegistrationStatus {
  /** `multitenant`: Convene's own app; `tenant`: the tenant's app registration. */
  mode: 'multitenant' | 'tenant';
  /** Application (client) id of the tenant's registration (mode `tenant`). */
  clientId?: string;
  /** `secret` or `certificate` (mode `tenant`). */
  credentialType?: 'secret' | 'certificate';
  /** Id of the key wrapping the data key: 16 hex (master key) or a Key Vault key id. */
  keyId?: string;
  /** When it was stored, ISO 8601 UTC. */
  createdAt?: string;
}

/** PUT body: a client secret, or a certificate with its private key (both PEM). */
export const AppRegistrationInput = z.union([
  z.strictObject({
    clientId: z.uuid({ message: 'must be the application (client) id, a GUID' }),
    clientSecret: z.string().min(1).max(1024),
  }),
  z.strictObject({
    clientId: z.uuid({ message: 'must be the application (client) id, a GUID' }),
    certificatePem: z
      .string()
      .min(1)
      .max(16 * 1024)
      .regex(/-----BEGIN CERTIFICATE-----/, 'must be a PEM certificate'),
    privateKeyPem: z
      .string()
      .min(1)
      .max(16 * 1024)
      .regex(/-----BEGIN [A-Z ]*PRIVATE KEY-----/, 'must be a PEM private key'),
  }),
]);

/** The stored record around the envelope. */
interface StoredCredential {
  v: 1;
  clientId: string;
  type: 'secret' | 'certificate';
  createdAt: string;
  sealed: string;
}

export interface TenantCredentials {
  /**
   * Status of tenant `tid`'s app registration.
   * @throws ConveneError `unauthenticated`/`forbidden` unless `auth` is a `Convene.Admin` of `tid`.
   */
  status(auth: AuthContext | undefined, tid: string): Promise<AppRegistrationStatus>;
  /**
   * Proves and stores the tenant's own registration (replacing any earlier one).
   * @throws ConveneError `forbidden`/`unauthenticated` (not this tenant's admin), `invalid_request`
   *   (bad body, or Entra refused the credential: nothing stored, an earlier credential stays),
   *   `internal` (no master key / Key Vault configured), `graph_unavailable` (Entra unreachable).
   */
  put(auth: AuthContext | undefined, tid: string, body: unknown): Promise<AppRegistrationStatus>;
  /** Back to Convene's multi-tenant app; the credential is deleted. Same guard as `put`. */
  remove(auth: AuthContext | undefined, tid: string): Promise<AppRegistrationStatus>;
  /** The tenant's registration for app-tokens.ts, or null (multi-tenant app). Decrypts: never log the result. */
  registrationFor(tid: string): Promise<TenantAppRegistration | null>;
}

export interface TenantCredentialsOptions {
  store: Pick<Store, 'tenants' | 'tenantCredentials'>;
  /** Undefined when no master key or Key Vault key is configured (production without keys). */
  sealer: CredentialSealer | undefined;
  tokens: Pick<AppTokenSource, 'invalidate'>;
  /** Told after a change, so the consent verdict cached by the tenant registry is dropped. */
  forgetTenant: (tid: string) => void;
  loginEndpoint: string;
  graphEndpoint: string;
  fetch: FetchLike;
  /** Cloud name recorded with the tenant. */
  cloud: string;
  now: () => number;
}

/** Creates the service. @example const credentials = createTenantCredentials({ store, sealer, tokens, ... }); */
export function createTenantCredentials(options: TenantCredentialsOptions): TenantCredentials {
  function sealer(): CredentialSealer {
    if (!options.sealer)
      throw new ConveneError(
        internal,
        'Convene cannot store tenant credentials: set CONVENE_MASTER_KEY (openssl rand -base64 32) or CONVENE_KEYVAULT_KEY_ID on the server.',
      );
    return options.sealer;
  }

  async function status(tid: string): Promise<AppRegistrationStatus> {
    const record = await options.store.tenants.get(tid);
    if (!record || record.credentialMode !== 'tenant' || !record.encryptedCredential) return { mode: 'multitenant' };
    const stored = parseStored(record.encryptedCredential);
    return {
      mode: 'tenant',
      clientId: stored.clientId,
      credentialType: stored.type,
      keyId: keyIdOf(stored.sealed),
      createdAt: stored.createdAt,
    };
  }

  function keyIdOf(sealed: string): string {
    try {
      return sealer().keyIdOf(sealed);
    } catch {
      return 'unknown';
    }
  }

  return {
    async status(auth, tid) {
      requireTenantAdmin(auth, tid);
      return status(tid.toLowerCase());
    },

    async put(auth, rawTid, body) {
      requireTenantAdmin(auth, rawTid);
      const tid = rawTid.toLowerCase();
      const parsed = AppRegistrationInput.safeParse(body);
      if (!parsed.success)
        throw new ConveneError(invalidRequest, 'Send {clientId, clientSecret} or {clientId, certificatePem, privateKeyPem}.', {
          // Paths and messages only: zod messages never echo the (secret) values.
          details: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
        });
      const input = parsed.data;
      const registration: TenantAppRegistration =
        'clientSecret' in input
          ? { clientId: input.clientId, credential: { kind: 'secret', secret: input.clientSecret } }
          : {
              clientId: input.clientId,
              credential: { kind: 'certificatePem', certificatePem: input.certificatePem, privateKeyPem: input.privateKeyPem },
            };
      const seal = sealer();
      // Proof first: nothing is stored (and an earlier credential stays) unless Entra issues a token.
      const token = await probeAppRegistration(registration, tid, {
        loginEndpoint: options.loginEndpoint,
        graphEndpoint: options.graphEndpoint,
        fetch: options.fetch,
        now: options.now,
      });
      const { envelope } = await seal.seal(JSON.stringify(registration), tid);
      const stored: StoredCredential = {
        v: 1,
        clientId: registration.clientId,
        type: registration.credential.kind === 'secret' ? 'secret' : 'certificate',
        createdAt: new Date(options.now()).toISOString(),
        sealed: envelope,
      };
      const existing = await options.store.tenants.get(tid);
      await options.store.tenants.recordConsent({
        tid,
        displayName: existing?.displayName ?? null,
        cloud: options.cloud,
        grantedRoles: token.roles,
        credentialMode: 'tenant',
        encryptedCredential: JSON.stringify(stored),
      });
      options.tokens.invalidate(tid);
      options.forgetTenant(tid);
      return status(tid);
    },

    async remove(auth, rawTid) {
      requireTenantAdmin(auth, rawTid);
      const tid = rawTid.toLowerCase();
      await options.store.tenantCredentials.clear(tid);
      options.tokens.invalidate(tid);
      options.forgetTenant(tid);
      return status(tid);
    },

    async registrationFor(rawTid) {
      const tid = rawTid.toLowerCase();
      const record = await options.store.tenants.get(tid);
      if (!record || record.credentialMode !== 'tenant' || !record.encryptedCredential) return null;
      const stored = parseStored(record.encryptedCredential);
      const plaintext = await sealer().open(stored.sealed, tid);
      const registration = JSON.parse(plaintext) as TenantAppRegistration;
      return registration;
    },
  };
}

/**
 * Re-wraps every stored tenant credential whose data key is not wrapped by the sealer's current
 * key (master key rotation, or moving to Azure Key Vault). The credential ciphertexts stay as
 * they are; each row is replaced only if unchanged meanwhile (compare-and-swap).
 *
 * @returns Counts: `rewrapped`, `current` (already under the current key), `changed` (replaced
 *   concurrently, left alone), and the tenants that `failed` (e.g. sealed with a key not given).
 */
export async function rotateTenantCredentials(
  store: Pick<Store, 'tenantCredentials'>,
  sealer: CredentialSealer,
): Promise<{ rewrapped: number; current: number; changed: number; failed: Array<{ tid: string; message: string }> }> {
  const result = { rewrapped: 0, current: 0, changed: 0, failed: [] as Array<{ tid: string; message: string }> };
  for (const row of await store.tenantCredentials.listSealed()) {
    try {
      const stored = parseStored(row.encryptedCredential);
      if (sealer.isCurrent(stored.sealed)) {
        result.current++;
        continue;
      }
      const next: StoredCredential = { ...stored, sealed: await sealer.rewrap(stored.sealed) };
      if (await store.tenantCredentials.replaceSealed(row.tid, row.encryptedCredential, JSON.stringify(next))) result.rewrapped++;
      else result.changed++;
    } catch (e) {
      result.failed.push({ tid: row.tid, message: (e as Error).message });
    }
  }
  return result;
}

function parseStored(text: string): StoredCredential {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw new ConveneError(internal, 'the stored tenant credential is not JSON', { cause });
  }
  const s = raw as Partial<StoredCredential> | null;
  if (
    !s ||
    s.v !== 1 ||
    typeof s.clientId !== 'string' ||
    (s.type !== 'secret' && s.type !== 'certificate') ||
    typeof s.createdAt !== 'string' ||
    typeof s.sealed !== 'string'
  )
    throw new ConveneError(internal, 'the stored tenant credential is malformed');
  return s as StoredCredential;
}
