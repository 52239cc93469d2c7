/**
 * The platform-neutral reply model. The core says what to show; each adapter decides how (Block Kit,
 * Adaptive Cards, terminal text) and fits it into its platform's limits. Every string here is text,
 * whoever wrote it: markup exists only as spans, and each renderer escapes the rest (safe-text.ts).
 */
import type { ChatIds } from '../catalog/index.js';

/** A person in a reply: each surface mentions them by its own id, found here or by e-mail. */
export interface SpanPerson {
  ref: string;
  displayName: string;
  email: string | null;
  chatIds: ChatIds;
}

/** Inline text: plain strings and a few marked-up pieces every platform can render. */
export type Span =
  | string
  | { bold: string }
  | { code: string }
  | { link: string; text: string }
  /** A person: rendered as a mention where the platform knows them, else by name. */
  | { person: SpanPerson }
  /** A team's chat channel as the catalog names it: a link where it is a valid platform id, else text. */
  | { channel: string }
  /** A time: rendered in the reader's time zone where the platform can. */
  | { time: string; fallback: string };

export type Text = Span[];

export interface Button {
  /** What the click does: an intent encoded by encodeAction(). */
  action: string;
  label: string;
  style?: 'primary' | 'danger';
}

export type Block =
  | { type: 'header'; text: string }
  | { type: 'section'; text: Text }
  | { type: 'fields'; fields: { label: string; value: Text }[] }
  /** A list that may be cut: renderers show as many items as fit, then "and N more". `more` counts
   *  items the core already left out. */
  | { type: 'list'; title: string; items: Text[]; more?: number }
  | { type: 'actions'; buttons: Button[] }
  | { type: 'context'; text: Text }
  | { type: 'divider' };

export interface Reply {
  /** One line of plain text: the notification and the fallback where blocks are not shown. */
  summary: string;
  blocks: Block[];
  /** `private`: only the asker sees it (Slack ephemeral); `channel`: everyone in the conversation. */
  visibility: 'private' | 'channel';
}

/** Plain text of a span list, for summaries, logs and the terminal. */
export function plain(text: Text): string {
  return text
    .map((s) => {
      if (typeof s === 'string') return s;
      if ('bold' in s) return s.bold;
      if ('code' in s) return s.code;
      if ('link' in s) return s.text === s.link ? s.link : `${s.text} (${s.link})`;
      if ('person' in s) return s.person.displayName;
      if ('channel' in s) return s.channel;
      return s.fallback;
    })
    .join('');
}

/** Joins span lists with a separator, e.g. people with ", ". */
export function join(parts: Text[], separator: string): Text {
  return parts.flatMap((p, i) => (i === 0 ? p : [separator, ...p]));
}

/** Every person a reply mentions, so a surface can look their ids up before rendering. */
export function peopleIn(reply: Reply): SpanPerson[] {
  const spans: Span[] = [];
  for (const b of reply.blocks) {
    if (b.type === 'section' || b.type === 'context') spans.push(...b.text);
    else if (b.type === 'fields') b.fields.forEach((f) => spans.push(...f.value));
    else if (b.type === 'list') b.items.forEach((i) => spans.push(...i));
  }
  const people = new Map<string, SpanPerson>();
  for (const s of spans) if (typeof s === 'object' && 'person' in s) people.set(s.person.ref, s.person);
  return [...people.values()];
}
