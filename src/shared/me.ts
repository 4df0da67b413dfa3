/**
 * `GET /api/me` (user token; dual lock): the signed-in user's own mailbox time zone and working
 * hours, read just in time from Microsoft Graph mailboxSettings and never stored. The taskpane
 * shows slots in this zone (Outlook's `userProfile.timeZone` is only the fallback).
 * Browser-safe: no Node imports.
 *
 * @see https://learn.microsoft.com/graph/api/user-get-mailboxsettings
 */
import { z } from 'zod';

/** `GET /api/me` 200 body. */
export const Me = z.object({
  email: z.string(),
  displayName: z.string(),
  /** The mailbox time zone as an IANA name (Windows names mapped with CLDR). */
  timeZone: z.string(),
  /** Working hours when the mailbox has them: `HH:mm` wall times in `timeZone` (an IANA name). */
  workingHours: z.object({ daysOfWeek: z.array(z.string()), startTime: z.string(), endTime: z.string(), timeZone: z.string() }).optional(),
});
export type Me = z.infer<typeof Me>;
