/**
 * The grammar of conversation, thread and message refs: `<platform>:<part>[:<part>…]`, each part
 * percent-encoded, so a part may hold anything (Teams conversation ids contain colons and `;`). Slack's
 * and the terminal's ids need no encoding, so their refs read as before: `slack:C123:1712.0001`.
 * Refs travel through workflow inputs and the bot's state; they are parsed here and nowhere else.
 *
 * slack:<channel>[:<ts>[:<thread root>]]
 * teams:<conversation id>[:<activity id>[:<thread root activity id>]]
 * shell:<session>
 */

export interface ParsedRef {
  platform: string;
  /** The conversation: a Slack channel, a Teams conversation id, a terminal session. */
  conversation: string;
  /** The message in it, when the ref names one. */
  message?: string;
  /** The root of the thread the message is a reply in. */
  root?: string;
}

const enc = (s: string) => s.replace(/[%:]/g, (c) => (c === '%' ? '%25' : '%3A'));

/** A ref from its parts; a missing message or root is left out. */
export function formatRef(ref: ParsedRef): string {
  const parts = [ref.conversation, ref.message, ref.root];
  while (parts.length && parts[parts.length - 1] === undefined) parts.pop();
  if (ref.root !== undefined && ref.message === undefined) throw new Error('a thread root needs a message');
  return [ref.platform, ...parts.map((p) => enc(p ?? ''))].join(':');
}

/** The parts of a ref; throws, quoting it, when it has no platform or conversation. */
export function parseRef(ref: string): ParsedRef {
  const [platform = '', conversation, message, root, ...rest] = ref.split(':');
  if (!/^[a-z]+$/.test(platform) || !conversation || rest.length) throw new Error(`"${ref.slice(0, 200)}" is not a conversation or message ref`);
  let dec: (s: string) => string = decodeURIComponent;
  try {
    [conversation, message ?? '', root ?? ''].forEach((p) => dec(p));
  } catch {
    dec = (s) => s; // Not percent-encoded (an old ref with a stray `%`): taken as written.
  }
  return { platform, conversation: dec(conversation), ...(message && { message: dec(message) }), ...(root && { root: dec(root) }) };
}

/** The platform a ref belongs to (`slack`, `teams`, `shell`), without parsing the rest. */
export const platformOf = (ref: string) => ref.slice(0, Math.max(0, ref.indexOf(':'))) || ref;

/** The conversation a thread or message ref is in, as a ref: `slack:C1:17.1` → `slack:C1`. */
export function conversationOf(ref: string): string {
  const { platform, conversation } = parseRef(ref);
  return formatRef({ platform, conversation });
}
