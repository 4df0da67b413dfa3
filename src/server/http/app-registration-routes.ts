/**
 * Tenant-provided app registration routes (issue 3, item 3), pure handlers like `routes.ts`:
 *
 * - `GET /api/admin/tenants/{tid}/app-registration` -> `{mode, clientId?, credentialType?, keyId?, createdAt?}`
 * - `PUT /api/admin/tenants/{tid}/app-registration` body `{clientId, clientSecret}` or
 *   `{clientId, certificatePem, privateKeyPem}` -> 200 status (after proving the credential)
 * - `DELETE /api/admin/tenants/{tid}/app-registration` -> back to Convene's multi-tenant app
 *
 * Only the tenant's own `Convene.Admin` users (checked in the service). No response ever holds a secret.
 */
import type { TenantCredentials } from '../consent/credentials';
import type { Route } from './routes';

/** The routes. */
export function appRegistrationRoutes(deps: { credentials: TenantCredentials }): Route[] {
  const path = '/api/admin/tenants/:tid/app-registration';
  return [
    {
      method: 'GET',
      path,
      auth: true,
      handler: async (r) => ({ status: 200, body: await deps.credentials.status(r.auth, r.params.tid ?? '') }),
    },
    {
      method: 'PUT',
      path,
      auth: true,
      maxBodyBytes: 40 * 1024,
      handler: async (r) => ({ status: 200, body: await deps.credentials.put(r.auth, r.params.tid ?? '', r.body) }),
    },
    {
      method: 'DELETE',
      path,
      auth: true,
      handler: async (r) => ({ status: 200, body: await deps.credentials.remove(r.auth, r.params.tid ?? '') }),
    },
  ];
}
