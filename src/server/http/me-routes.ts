/**
 * `GET /api/me` (contract: `src/shared/me.ts`): the caller's mailbox time zone and working hours
 * for the Outlook taskpane. Needs a verified user token; the profile reader then checks the
 * tenant's consent before any Graph call (the dual lock).
 */
import type { AuthContext } from '../auth/user-token';
import type { ProfileReader } from '../calendar/profile';
import type { Route } from './routes';

/** The route. */
export function meRoutes(deps: { profile: ProfileReader }): Route[] {
  return [
    {
      method: 'GET',
      path: '/api/me',
      auth: true,
      handler: async (r) => ({ status: 200, body: await deps.profile.getMe(r.auth as AuthContext, r.requestId) }),
    },
  ];
}
