/**
 * The admin routes (DESIGN.md "Admin"; contract in `src/shared/admin.ts`) as pure handlers, like
 * `routes.ts`. The consent pair answers with redirects; the `/api/admin` routes with JSON and are
 * open only to the tenant's own `Convene.Admin` users (checked in {@link TenantAdmin}).
 */
import type { AuthContext } from '../auth/user-token';
import type { ConsentFlow, ConsentRedirect } from '../consent/consent-flow';
import type { TenantAdmin } from '../consent/tenant-admin';
import type { HttpResponse } from './errors';
import type { Route } from './routes';

export interface AdminRouteDeps {
  consent: ConsentFlow;
  admin: TenantAdmin;
}

function redirect(r: ConsentRedirect): HttpResponse {
  return {
    status: 302,
    body: { location: r.location },
    headers: { Location: r.location, 'Set-Cookie': r.setCookie, 'Referrer-Policy': 'no-referrer' },
  };
}

/** The admin routes. */
export function adminRoutes(deps: AdminRouteDeps): Route[] {
  return [
    {
      method: 'GET',
      path: '/admin/consent/start',
      auth: false,
      handler: async (r) => redirect(await deps.consent.start(r.query, r.clientIp)),
    },
    {
      // The signed-in start (a Convene.Admin of the tenant): JSON `{url}` for the page, and the
      // same browser-binding cookie. The only start that connects a disconnected tenant again.
      method: 'POST',
      path: '/api/admin/consent/start',
      auth: true,
      maxBodyBytes: 4 * 1024,
      handler: async (r) => {
        const answer = await deps.consent.startAuthenticated(r.auth, r.body);
        return {
          status: 200,
          body: { url: answer.url },
          headers: { 'Set-Cookie': answer.setCookie, 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' },
        };
      },
    },
    {
      method: 'GET',
      path: '/admin/consent/callback',
      auth: false,
      handler: async (r) => redirect(await deps.consent.callback(r.query, r.headers.cookie, r.requestId)),
    },
    {
      method: 'GET',
      path: '/api/admin/tenants/:tid',
      auth: true,
      handler: async (r) => ({ status: 200, body: await deps.admin.status(r.auth, r.params.tid ?? '') }),
    },
    {
      method: 'POST',
      path: '/api/admin/tenants/:tid/mailbox-check',
      auth: true,
      maxBodyBytes: 16 * 1024,
      handler: async (r) => ({ status: 200, body: await deps.admin.mailboxCheck(r.auth, r.params.tid ?? '', r.body, r.requestId) }),
    },
    {
      method: 'DELETE',
      path: '/api/admin/tenants/:tid',
      auth: true,
      handler: async (r) => ({ status: 200, body: await deps.admin.disconnect(r.auth, r.params.tid ?? '') }),
    },
    {
      method: 'DELETE',
      path: '/api/me/data',
      auth: true,
      handler: async (r) => ({ status: 200, body: await deps.admin.deleteMyData(r.auth as AuthContext) }),
    },
  ];
}
