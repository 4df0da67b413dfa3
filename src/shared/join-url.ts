/**
 * Which Teams meeting links the fronts (Outlook taskpane, Teams bot cards) may show as links.
 *
 * An interview's `joinUrl` is the `onlineMeeting.joinUrl` Microsoft Graph returned for the invite,
 * but the fronts render it as a clickable link (an `<a href>` in the taskpane, an
 * `Action.OpenUrl` in a card), so it is checked before it becomes one: `https:` and a Teams host
 * of a Microsoft cloud, or this machine (the local simulator serves its own join pages on
 * loopback). Anything else (`javascript:`, `http:`, another host) is shown as no link at all.
 *
 * @see https://learn.microsoft.com/graph/api/resources/onlinemeetinginfo (joinUrl)
 * @see https://learn.microsoft.com/microsoftteams/platform/concepts/build-and-test/deep-link-teams (Teams link hosts)
 */

/**
 * Hosts Microsoft serves Teams meeting join links from: worldwide and GCC, the new
 * `cloud.microsoft` domain, Teams (free), GCC High, DoD, and Teams operated by 21Vianet.
 */
export const TEAMS_JOIN_HOSTS: readonly string[] = Object.freeze([
  'teams.microsoft.com',
  'teams.cloud.microsoft',
  'teams.live.com',
  'gov.teams.microsoft.us',
  'dod.teams.microsoft.us',
  'teams.microsoftonline.cn',
]);

/** This machine: only the local simulator's join pages are there. */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * `url` when it may be shown as a link (https, and a Teams host or loopback), else undefined.
 * @example safeJoinUrl('https://teams.microsoft.com/l/meetup-join/19%3a...') // the same URL
 * @example safeJoinUrl('javascript:alert(1)') // undefined
 */
export function safeJoinUrl(url: string | null | undefined): string | undefined {
  if (!url) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'https:' || parsed.username || parsed.password) return undefined;
  const host = parsed.hostname.toLowerCase();
  return TEAMS_JOIN_HOSTS.includes(host) || LOOPBACK_HOSTS.has(host) ? parsed.href : undefined;
}
