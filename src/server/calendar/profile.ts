/**
 * The signed-in user's own profile for the fronts (`GET /api/me`): display name, address,
 * mailbox time zone (IANA) and working hours, read just in time from Microsoft Graph
 * (`GET /users/{oid}` and `GET /users/{oid}/mailboxSettings` in one `$batch`) and never stored.
 * The dual lock applies as in the Calendar Service: a verified {@link AuthContext}, then the
 * tenant's consent, then Graph.
 *
 * @see https://learn.microsoft.com/graph/api/user-get-mailboxsettings
 */
import type { Me } from '../../shared/me';
import { ConveneError } from '../../shared/errors';
import type { AuthContext } from '../auth/user-token';
import type { TenantRegistry } from '../consent/tenant-registry';
import { tryResolveZone } from '../scheduling';
import { userLeftMessage } from './organizer-check';
import type { CalendarProvider } from './provider';

export interface ProfileReader {
  /**
   * The caller's profile.
   * @throws ConveneError tenant_not_consented | unauthenticated (the user left the tenant) |
   *   forbidden (no mailbox, or the access policy blocks it) | unprocessable (zone cannot be mapped) | graph_unavailable
   */
  getMe(auth: AuthContext, requestId: string): Promise<Me>;
}

export interface ProfileReaderDeps {
  provider: Pick<CalendarProvider, 'getOrganizerAndMailboxSettings'>;
  tenants: Pick<TenantRegistry, 'ensureConsented'>;
}

/** Creates the reader. */
export function createProfileReader(deps: ProfileReaderDeps): ProfileReader {
  return {
    async getMe(auth, requestId) {
      await deps.tenants.ensureConsented(auth.tid);
      const ctx = { tenantId: auth.tid, actorOid: auth.oid, requestId };
      const r = await deps.provider.getOrganizerAndMailboxSettings(ctx, auth.oid, []);
      if (r.organizer.status !== 'ok') {
        if (r.organizer.status === 'notFound') throw new ConveneError('unauthenticated', userLeftMessage);
        throw new ConveneError('forbidden', `Convene cannot read your account: ${r.organizer.reason}`);
      }
      if (r.organizerSettings.status !== 'ok') {
        if (r.organizerSettings.status === 'notFound')
          throw new ConveneError('forbidden', 'Your account has no Exchange Online mailbox, so Convene cannot schedule for you.');
        throw new ConveneError('forbidden', `Convene cannot act for your mailbox: ${r.organizerSettings.reason}`);
      }
      const settings = r.organizerSettings.settings;
      const mailboxZone = tryResolveZone(settings.timeZone);
      const hoursZone = tryResolveZone(settings.workingHours?.timeZone);
      const zone = mailboxZone.ok ? mailboxZone.zone.name : hoursZone.ok ? hoursZone.zone.name : undefined;
      if (!zone)
        throw new ConveneError('unprocessable', `Your mailbox time zone cannot be used: ${mailboxZone.ok ? '' : mailboxZone.reason}`);
      const wh = settings.workingHours;
      return {
        email: r.organizer.user.mail,
        displayName: r.organizer.user.displayName,
        timeZone: zone,
        ...(wh
          ? {
              workingHours: {
                daysOfWeek: [...wh.daysOfWeek],
                startTime: wh.startTime.slice(0, 5),
                endTime: wh.endTime.slice(0, 5),
                timeZone: hoursZone.ok ? hoursZone.zone.name : zone,
              },
            }
          : {}),
      };
    },
  };
}
