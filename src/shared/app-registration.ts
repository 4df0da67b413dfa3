/**
 * The contract of the tenant-provided app registration routes (issue 3, item 3), for the admin
 * page. Browser-safe: no Node imports.
 *
 * - `GET /api/admin/tenants/{tid}/app-registration` -> {@link AppRegistrationStatus}
 * - `PUT /api/admin/tenants/{tid}/app-registration` {@link AppRegistrationInput} -> {@link AppRegistrationStatus}
 *   (400 `invalid_request` when the body is wrong or Microsoft Entra ID refuses the credential,
 *   with the AADSTS code in the message; nothing is stored then and an earlier credential stays)
 * - `DELETE /api/admin/tenants/{tid}/app-registration` -> {@link AppRegistrationStatus} (`mode: "multitenant"`)
 *
 * It mirrors `AppRegistrationInput` and `AppRegistrationStatus` of
 * `src/server/consent/credentials.ts` (the server's handler, which validates every request); the
 * page uses these to check what the admin typed before sending it. No response ever holds a secret.
 *
 * @see https://learn.microsoft.com/entra/identity-platform/quickstart-register-app
 * @see https://learn.microsoft.com/entra/identity-platform/certificate-credentials
 */
import { z } from 'zod';

/** What an admin may see of the tenant's app registration: never the secret or the private key. */
export const AppRegistrationStatus = z.object({
  /** `multitenant`: Convene's own app; `tenant`: the tenant's own app registration. */
  mode: z.enum(['multitenant', 'tenant']),
  /** Application (client) id of the tenant's registration (mode `tenant`). */
  clientId: z.string().optional(),
  /** `secret` or `certificate` (mode `tenant`). */
  credentialType: z.enum(['secret', 'certificate']).optional(),
  /** Id of the key wrapping the credential's data key: 16 hex (master key) or an Azure Key Vault key id. */
  keyId: z.string().optional(),
  /** When the credential was stored, ISO 8601 UTC. */
  createdAt: z.string().optional(),
});
export type AppRegistrationStatus = z.infer<typeof AppRegistrationStatus>;

const ClientId = z.uuid({ message: 'must be the application (client) id, a GUID' });

/** The client-secret form of the PUT body. */
export const AppRegistrationSecretInput = z.strictObject({
  clientId: ClientId,
  clientSecret: z.string().min(1, 'enter the client secret').max(1024),
});

/** The certificate form of the PUT body: the certificate and its unencrypted private key, both PEM. */
export const AppRegistrationCertificateInput = z.strictObject({
  clientId: ClientId,
  certificatePem: z
    .string()
    .min(1, 'paste the certificate')
    .max(16 * 1024)
    .regex(/-----BEGIN CERTIFICATE-----/, 'must be a PEM certificate (-----BEGIN CERTIFICATE-----)'),
  privateKeyPem: z
    .string()
    .min(1, 'paste the private key')
    .max(16 * 1024)
    .regex(/-----BEGIN [A-Z ]*PRIVATE KEY-----/, 'must be a PEM private key (-----BEGIN PRIVATE KEY-----)'),
});

/** PUT body: `{clientId, clientSecret}` or `{clientId, certificatePem, privateKeyPem}`. */
export const AppRegistrationInput = z.union([AppRegistrationSecretInput, AppRegistrationCertificateInput]);
export type AppRegistrationInput = z.infer<typeof AppRegistrationInput>;
