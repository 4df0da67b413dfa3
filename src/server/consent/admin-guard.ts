/**
 * Who may call Convene's admin routes: a user of that very tenant whose verified token carries
 * Convene's `Convene.Admin` app role (DESIGN.md "Admin"). A tenant assigns the role in the Entra
 * admin center (Enterprise applications > Convene > Users and groups > Add assignment).
 *
 * @see https://learn.microsoft.com/entra/identity-platform/howto-add-app-roles-in-apps
 */
import { ADMIN_APP_ROLE } from '../../shared/admin';
import { ConveneError, forbidden, unauthenticated } from '../../shared/errors';
import type { AuthContext } from '../auth/user-token';

export { ADMIN_APP_ROLE };

/**
 * Passes when `auth` is a verified token of tenant `tid` with the `Convene.Admin` app role.
 *
 * @param auth the verified user token (undefined when the route got none)
 * @param tid the tenant named by the route (compared case-insensitively: GUIDs)
 * @throws ConveneError `unauthenticated` (401) without a token; `forbidden` (403) for another
 *   tenant's user (even an admin there) or a user of this tenant without the role
 * @example requireTenantAdmin(req.auth, req.params.tid);
 */
export function requireTenantAdmin(auth: AuthContext | undefined, tid: string): void {
  if (!auth) throw new ConveneError(unauthenticated, 'A bearer token is required: send "Authorization: Bearer <token>".');
  if (auth.tid.toLowerCase() !== tid.toLowerCase())
    throw new ConveneError(forbidden, 'You can only administer your own organization in Convene.');
  if (!auth.roles.includes(ADMIN_APP_ROLE))
    throw new ConveneError(
      forbidden,
      `Only users with the ${ADMIN_APP_ROLE} app role may do this. An administrator assigns it in Microsoft Entra ID (Enterprise applications > Convene > Users and groups).`,
    );
}
