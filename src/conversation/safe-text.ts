/**
 * What catalog, form and webhook text may become on a chat platform, decided once for every adapter:
 * which URLs may be links, which strings are platform ids that may be mentions, and what a terminal may
 * print. A descriptor's author is untrusted (docs/security.md); everything here fails closed, so a value
 * that does not pass is shown as text, never dropped and never trusted.
 */

/** Schemes a link may use. `javascript:`, `slack:`, `file:` and the rest are shown as text. */
const LINK_SCHEMES = new Set(['http:', 'https:', 'mailto:']);

// Characters that end or split a link in chat markup (`<url|text>`), and anything a reader cannot see.
// eslint-disable-next-line no-control-regex -- refusing control characters is the point
const NOT_IN_LINK = /[<>|\s\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/u;

/** The URL when it may be a link: http, https or mailto, nothing that ends or splits a link, no whitespace. */
export function linkUrl(url: string): string | null {
  if (url.length === 0 || url.length > 3000 || NOT_IN_LINK.test(url)) return null;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (!LINK_SCHEMES.has(parsed.protocol)) return null;
  if (parsed.protocol !== 'mailto:' && !parsed.hostname) return null;
  return url;
}

/**
 * Slack's id formats: users (and Enterprise Grid users) start with U or W, channels with C or G
 * (private channels and group DMs); upper-case letters and digits after. Anything else is not a
 * mention, whatever a descriptor calls it.
 */
export const SLACK_ID = {
  user: /^[UW][A-Z0-9]{2,}$/,
  channel: /^[CG][A-Z0-9]{2,}$/,
} as const;

export const isSlackUserId = (id: string | null | undefined): id is string => typeof id === 'string' && SLACK_ID.user.test(id);
export const isSlackChannelId = (id: string | null | undefined): id is string => typeof id === 'string' && SLACK_ID.channel.test(id);

/**
 * A Teams user as Switchboard mentions them: the Entra ID (AAD) object id, a GUID. The `29:` ids of the
 * Bot Framework are per-app and come only from Teams itself, never from a descriptor.
 */
export const TEAMS_ID = {
  user: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
} as const;

export const isTeamsUserId = (id: string | null | undefined): id is string => typeof id === 'string' && TEAMS_ID.user.test(id);

// ESC sequences first (CSI `ESC [ … final`, OSC `ESC ] … BEL|ESC \` up to the line's end, two-byte `ESC x`), so their
// parameters go with them instead of being left behind as visible junk; then single characters:
// C0 except tab and newline, DEL, C1, and the bidi embeddings, overrides and isolates that can make a
// line read differently from what it is.
// eslint-disable-next-line no-control-regex -- matching control sequences is the point
const ESCAPE_SEQUENCE = /\u001b(?:\[[0-?]*[ -/]*[@-~]?|\][^\u0007\u001b\n]*(?:\u0007|\u001b\\)?|[ -~])?|\u009b[0-?]*[ -/]*[@-~]?/gu;
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/gu;

/** Text safe to print on a terminal: no escape sequences, control characters or bidi overrides. */
export function terminalText(s: string): string {
  return s.replace(ESCAPE_SEQUENCE, '').replace(CONTROL, '');
}
