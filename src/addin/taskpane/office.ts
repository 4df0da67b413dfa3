/**
 * Everything the taskpane reads from or writes to Outlook through office.js, feature-detected:
 * the page also runs where office.js is absent (a plain browser) or loaded outside Office
 * (`Office.onReady` resolves with `host: null`), and then says so instead of failing.
 *
 * Floor: Mailbox requirement set 1.5 (compose `start`/`end`/`requiredAttendees` `getAsync` /
 * `setAsync`, `item.close`); newer calls (`closeAsync`, theme change events) are detected first.
 *
 * @see https://learn.microsoft.com/javascript/api/outlook/office.appointmentcompose
 * @see https://learn.microsoft.com/office/dev/add-ins/develop/specify-office-hosts-and-api-requirements
 */

/** Where the taskpane runs. */
export interface OfficeEnvironment {
  /** `outlook`: inside Outlook with a mailbox; `office-other`: another Office host; `browser`: outside Office. */
  kind: 'outlook' | 'office-other' | 'browser';
  /** Plain words for the status line ("Outlook on the web", "Local preview: office.js is not loaded"). */
  description: string;
  /** True when `Office.context.requirements.isSetSupported("NestedAppAuth", "1.1")`. */
  nestedAppAuth: boolean;
  /** True when the Mailbox 1.5 floor is met. */
  mailbox15: boolean;
  /** The open item is an appointment being composed (prefill and "fill this meeting" possible). */
  appointmentCompose: boolean;
  /** The open item is an appointment being read. */
  appointmentRead: boolean;
  /** `Office.context.mailbox.userProfile.timeZone` (fallback zone), when given. */
  userProfileTimeZone: string | undefined;
  /** The signed-in mailbox address, when given. */
  userEmail: string | undefined;
  /** `light`, `dark` or `contrast` from `Office.context.officeTheme` (or the system in a browser). */
  theme: ThemeKind;
}

export type ThemeKind = 'light' | 'dark' | 'contrast';

/** What the open appointment offers as a starting point. */
export interface AppointmentPrefill {
  /** Required and optional attendees' addresses (the user's own left out). */
  attendees: string[];
  /** Minutes between start and end, when both are set and apart. */
  durationMinutes: number | undefined;
  /** The appointment's start, epoch ms. */
  startMs: number | undefined;
}

/** The office.js global, when loaded. */
function office(): typeof Office | undefined {
  return typeof Office === 'undefined' ? undefined : (globalThis as { Office?: typeof Office }).Office;
}

/** Relative luminance of `#rrggbb` (0 black .. 1 white); undefined when unparsable. */
export function luminance(hex: string | undefined): number | undefined {
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex ?? '');
  if (!m) return undefined;
  const [r, g, b] = [m[1], m[2], m[3]].map((h) => parseInt(h ?? '0', 16) / 255) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** The theme Outlook shows (its officeTheme background), else the system's preference. */
export function detectTheme(): ThemeKind {
  const forced = typeof matchMedia === 'function' && matchMedia('(forced-colors: active)').matches;
  if (forced) return 'contrast';
  let theme: { bodyBackgroundColor?: string } | undefined;
  try {
    theme = office()?.context?.officeTheme;
  } catch {
    theme = undefined;
  }
  const l = luminance(theme?.bodyBackgroundColor);
  if (l !== undefined) return l < 0.4 ? 'dark' : 'light';
  return typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

const HOST_NAMES: Record<string, string> = {
  OutlookWebApp: 'Outlook on the web',
  OutlookWebAppV2: 'Outlook on the web',
  Outlook: 'Outlook on Windows',
  OutlookIOS: 'Outlook on iOS',
  OutlookAndroid: 'Outlook on Android',
  Mac: 'Outlook on Mac',
  PC: 'Outlook on Windows',
  OfficeOnline: 'Outlook on the web',
};

/**
 * Waits for office.js (at most `timeoutMs`) and describes where the page runs. Never throws.
 * @param timeoutMs how long to wait for `Office.onReady` (ms)
 */
export async function detectOffice(timeoutMs = 3000): Promise<OfficeEnvironment> {
  const O = office();
  const browser = (description: string): OfficeEnvironment => ({
    kind: 'browser',
    description,
    nestedAppAuth: false,
    mailbox15: false,
    appointmentCompose: false,
    appointmentRead: false,
    userProfileTimeZone: undefined,
    userEmail: undefined,
    theme: detectTheme(),
  });
  if (!O || typeof O.onReady !== 'function') return browser('Local preview: office.js is not loaded, so Outlook features are off.');
  let info: { host: Office.HostType | null; platform: Office.PlatformType | null } | undefined;
  try {
    info = await Promise.race([O.onReady(), new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), timeoutMs))]);
  } catch {
    info = undefined;
  }
  if (!info) return browser('Local preview: office.js did not start, so Outlook features are off.');
  if (!info.host) return browser('Local preview: not inside Office (office.js reports no host), so Outlook features are off.');
  const supported = (name: string, version: string) => {
    try {
      return Boolean(O.context.requirements.isSetSupported(name, version));
    } catch {
      return false;
    }
  };
  const platform = info.platform ? String(info.platform) : '';
  if (info.host !== O.HostType.Outlook)
    return { ...browser(`Inside ${String(info.host)}: Convene's taskpane is made for Outlook.`), kind: 'office-other' };
  const mailbox = O.context.mailbox;
  const item = mailbox?.item as (Office.AppointmentCompose & Office.AppointmentRead) | undefined;
  const isAppointment = item?.itemType === O.MailboxEnums.ItemType.Appointment;
  const compose = Boolean(isAppointment && item && typeof (item.start as Office.Time | undefined)?.getAsync === 'function');
  return {
    kind: 'outlook',
    description: HOST_NAMES[platform] ?? `Outlook (${platform || 'unknown platform'})`,
    nestedAppAuth: supported('NestedAppAuth', '1.1'),
    mailbox15: supported('Mailbox', '1.5'),
    appointmentCompose: compose,
    appointmentRead: Boolean(isAppointment && !compose),
    userProfileTimeZone: mailbox?.userProfile?.timeZone || undefined,
    userEmail: mailbox?.userProfile?.emailAddress || undefined,
    theme: detectTheme(),
  };
}

/** Calls `theme changed` handlers when Outlook's theme changes (where the event exists). */
export function onThemeChanged(handler: (theme: ThemeKind) => void): void {
  const O = office();
  const mailbox = O?.context?.mailbox as { addHandlerAsync?: Office.Mailbox['addHandlerAsync'] } | undefined;
  const event = (O?.EventType as Record<string, string> | undefined)?.OfficeThemeChanged;
  if (mailbox?.addHandlerAsync && event)
    try {
      mailbox.addHandlerAsync(event as unknown as Office.EventType, () => handler(detectTheme()));
    } catch {
      // The event is newer than Mailbox 1.5: the theme simply stays as it was at start.
    }
}

function getAsync<T>(source: { getAsync(cb: (r: Office.AsyncResult<T>) => void): void }): Promise<T> {
  return new Promise((resolve, reject) =>
    source.getAsync((r) => (r.status === Office.AsyncResultStatus.Succeeded ? resolve(r.value) : reject(new Error(r.error?.message)))),
  );
}

function setAsync<T>(target: { setAsync(value: T, cb: (r: Office.AsyncResult<void>) => void): void }, value: T): Promise<void> {
  return new Promise((resolve, reject) =>
    target.setAsync(value, (r) => (r.status === Office.AsyncResultStatus.Succeeded ? resolve() : reject(new Error(r.error?.message)))),
  );
}

/**
 * The open appointment's attendees and duration (compose: `getAsync`; read: properties).
 * Returns undefined outside an appointment.
 */
export async function readAppointment(env: OfficeEnvironment): Promise<AppointmentPrefill | undefined> {
  if (!env.appointmentCompose && !env.appointmentRead) return undefined;
  const item = Office.context.mailbox.item as unknown as Record<string, unknown>;
  const self = env.userEmail?.toLowerCase();
  const addresses = (list: Office.EmailAddressDetails[] | undefined) =>
    (list ?? []).map((a) => a.emailAddress).filter((a): a is string => Boolean(a) && a.toLowerCase() !== self);
  let attendees: string[];
  let start: Date | undefined;
  let end: Date | undefined;
  if (env.appointmentCompose) {
    const c = item as unknown as Office.AppointmentCompose;
    const [req, opt, s, e] = await Promise.all([
      getAsync(c.requiredAttendees).catch(() => []),
      getAsync(c.optionalAttendees).catch(() => []),
      getAsync<Date>(c.start).catch(() => undefined),
      getAsync<Date>(c.end).catch(() => undefined),
    ]);
    attendees = [...addresses(req), ...addresses(opt)];
    start = s;
    end = e;
  } else {
    const r = item as unknown as Office.AppointmentRead;
    attendees = [...addresses(r.requiredAttendees), ...addresses(r.optionalAttendees)];
    start = r.start;
    end = r.end;
  }
  const seen = new Set<string>();
  attendees = attendees.filter((a) => !seen.has(a.toLowerCase()) && seen.add(a.toLowerCase()));
  const minutes = start && end ? Math.round((end.getTime() - start.getTime()) / 60_000) : undefined;
  return {
    attendees,
    durationMinutes: minutes && minutes > 0 ? minutes : undefined,
    startMs: start?.getTime(),
  };
}

/**
 * "Fill this meeting": writes the chosen time and attendees into the appointment being composed
 * (`start.setAsync`, `end.setAsync`, `requiredAttendees.setAsync`); nothing is created through Graph.
 * @throws Error with Outlook's message when a write fails
 */
export async function fillAppointment(
  slot: { startMs: number; endMs: number },
  attendees: Array<{ email: string; name?: string }>,
): Promise<void> {
  const item = Office.context.mailbox.item as unknown as Office.AppointmentCompose;
  await setAsync(item.start, new Date(slot.startMs));
  await setAsync(item.end, new Date(slot.endMs));
  await setAsync(
    item.requiredAttendees,
    attendees.map((a) => ({ emailAddress: a.email, displayName: a.name ?? a.email })),
  );
}

/** Closes the draft (the invite was created by Graph): `closeAsync({discardItem})` where supported, else `close()`. */
export function closeDraft(): void {
  const item = Office.context.mailbox.item as unknown as {
    closeAsync?: (options: { discardItem: boolean }, cb: () => void) => void;
    close?: () => void;
  };
  if (typeof item.closeAsync === 'function') item.closeAsync({ discardItem: true }, () => undefined);
  else item.close?.();
}
