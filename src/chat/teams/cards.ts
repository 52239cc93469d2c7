/**
 * The reply model as an Adaptive Card (schema 1.5), fitted within Teams' message size. Every string is
 * text (STYLE.md rule 13): Teams renders a markdown subset in TextBlocks and turns `<at>…</at>` into a
 * mention when an entity matches, so markdown punctuation is backslash-escaped and `<`/`>` become look-alike
 * brackets; links exist only for spans whose URL passes safe-text.ts, mentions only for Entra object ids.
 * Buttons are Universal Actions (`Action.Execute`, verb `sb`), answered by refreshing the card in place;
 * Reject asks for a reason in the card itself (Action.ShowCard with a required input).
 */
import { type Block, decodeAction, type Reply, type Span, type Text } from '../../conversation/index.js';
import { isTeamsUserId, linkUrl } from '../../conversation/safe-text.js';

/** Teams refuses a message over 100 KB (80 KB recommended; UTF-16 bytes); we stay under the recommendation. */
export const LIMITS = { messageBytes: 80_000, textBlock: 4_000, facts: 30, listItems: 100, actions: 6, buttonTitle: 50 } as const;

export type AdaptiveCard = Record<string, unknown> & { type: 'AdaptiveCard'; version: string; body: Record<string, unknown>[] };
export type TeamsMessage = {
  type: 'message';
  text: string;
  summary?: string;
  attachments: { contentType: 'application/vnd.microsoft.card.adaptive'; content: AdaptiveCard }[];
};

/** Teams' mentions, by catalog ref: the Entra object id and the name to show. */
export type TeamsMentions = ReadonlyMap<string, { id: string; name: string }>;

// What starts markup anywhere in Teams' markdown subset (emphasis, code, links), and what starts a list,
// heading or quote at the beginning of a line. Escaped with a backslash (CommonMark); `<` and `>` (HTML,
// `<at>` mentions) become look-alike brackets, which no renderer reads as markup.
const INLINE = /[\\`*_[\]~]/g;
const LINE_START = /^(\s*)([-+#>]|\d+[.)])/gm;
/** Text Teams shows as written: no emphasis, list, heading or link, and no `<at>` or HTML. */
export const escapeText = (s: string) =>
  s
    .replace(INLINE, '\\$&')
    .replace(LINE_START, (_, space: string, mark: string) => `${space}${/^\d/.test(mark) ? `${mark.slice(0, -1)}\\${mark.slice(-1)}` : `\\${mark}`}`)
    .replace(/</g, '‹')
    .replace(/>/g, '›');
const cut = (s: string, n: number) => (s.length <= n ? s : `${s.slice(0, n - 1)}…`);

interface Rendering {
  mentions: TeamsMentions;
  entities: Map<string, { type: 'mention'; text: string; mentioned: { id: string; name: string } }>;
}

function span(s: Span, r: Rendering): string {
  if (typeof s === 'string') return escapeText(s);
  if ('bold' in s) return `**${escapeText(s.bold)}**`;
  if ('code' in s) return escapeText(s.code);
  if ('link' in s) {
    const url = linkUrl(s.link);
    if (!url) return escapeText(s.text === s.link ? s.link : `${s.text} (${s.link})`);
    return `[${escapeText(s.text)}](${url.replace(/[()[\]]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)})`;
  }
  if ('person' in s) {
    const found = r.mentions.get(s.person.ref);
    const id = found?.id ?? s.person.chatIds.teams;
    if (!isTeamsUserId(id)) return escapeText(s.person.displayName);
    // The mention's text must match an entity exactly; the name is text, so brackets in it are look-alikes.
    const name = s.person.displayName.replace(/[<>]/g, '');
    const text = `<at>${name}</at>`;
    r.entities.set(id, { type: 'mention', text, mentioned: { id, name } });
    return text;
  }
  if ('channel' in s) return escapeText(s.channel);
  const at = Date.parse(s.time);
  // Adaptive Cards format a time in the reader's zone; the ISO form must be exactly what DATE/TIME take.
  return Number.isFinite(at)
    ? `{{DATE(${new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z')}, SHORT)}} {{TIME(${new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z')})}}`
    : escapeText(s.fallback);
}

const markdown = (text: Text, r: Rendering) => text.map((s) => span(s, r)).join('');
const textBlock = (text: string, extra: Record<string, unknown> = {}) => ({ type: 'TextBlock', text: cut(text, LIMITS.textBlock), wrap: true, ...extra });

function button(b: { action: string; label: string; style?: 'primary' | 'danger' }): Record<string, unknown> {
  const title = cut(b.label, LIMITS.buttonTitle);
  const style = b.style === 'primary' ? 'positive' : b.style === 'danger' ? 'destructive' : undefined;
  const intent = decodeAction(b.action);
  if (intent.kind === 'vote' && intent.decision === 'reject') {
    return {
      type: 'Action.ShowCard',
      title,
      card: {
        type: 'AdaptiveCard',
        body: [
          {
            type: 'Input.Text',
            id: 'reason',
            label: 'Why reject it?',
            isMultiline: true,
            isRequired: true,
            errorMessage: 'A rejection needs a reason.',
            maxLength: 500,
          },
        ],
        actions: [{ type: 'Action.Execute', title: 'Reject', verb: 'sb', data: { sb: b.action }, style: 'destructive' }],
      },
    };
  }
  return { type: 'Action.Execute', title, verb: 'sb', data: { sb: b.action }, ...(style && { style }) };
}

/** A list cut to `max` items with "…and N more" (`more` counts items the core left out already). */
function listBlocks(block: Extract<Block, { type: 'list' }>, max: number, r: Rendering): Record<string, unknown>[] {
  const shown = block.items.slice(0, max);
  const rest = block.items.length - shown.length + (block.more ?? 0);
  const lines = shown.map((i) => `- ${markdown(i, r)}`);
  if (rest > 0) lines.push(`…and ${rest} more`);
  return [textBlock(`**${escapeText(block.title)}**`, { spacing: 'Medium' }), textBlock(lines.join('\n'), { spacing: 'Small' })];
}

function renderBlocks(reply: Reply, listMax: number, r: Rendering): { body: Record<string, unknown>[]; actions: Record<string, unknown>[] } {
  const body: Record<string, unknown>[] = [];
  const actions: Record<string, unknown>[] = [];
  for (const b of reply.blocks) {
    switch (b.type) {
      case 'header':
        body.push(textBlock(escapeText(b.text), { size: 'Large', weight: 'Bolder' }));
        break;
      case 'section':
        body.push(textBlock(markdown(b.text, r)));
        break;
      case 'fields':
        body.push({
          type: 'FactSet',
          facts: b.fields.slice(0, LIMITS.facts).map((f) => ({ title: escapeText(f.label), value: cut(markdown(f.value, r), LIMITS.textBlock) })),
        });
        break;
      case 'list':
        body.push(...listBlocks(b, listMax, r));
        break;
      case 'context':
        body.push(textBlock(markdown(b.text, r), { isSubtle: true, size: 'Small' }));
        break;
      case 'divider':
        body.push({ type: 'Container', separator: true, items: [] });
        break;
      case 'actions':
        actions.push(...b.buttons.map(button));
        break;
    }
  }
  return { body, actions: actions.slice(0, LIMITS.actions) };
}

const bytes = (m: unknown) => JSON.stringify(m).length * 2; // UTF-16, as Teams counts

/** The reply as a Teams message with one Adaptive Card; lists are cut first, then blocks, to fit. */
export function toAdaptiveCard(reply: Reply, mentions: TeamsMentions = new Map()): TeamsMessage {
  let message: TeamsMessage | undefined;
  for (const listMax of [LIMITS.listItems, 25, 10, 3]) {
    message = build(reply, listMax, mentions);
    if (bytes(message) <= LIMITS.messageBytes) return message;
  }
  // Still too big: drop blocks from the end, saying so.
  for (let n = reply.blocks.length - 1; n > 0; n--) {
    const shorter: Reply = { ...reply, blocks: [...reply.blocks.slice(0, n), { type: 'context', text: ['…the rest did not fit in one Teams message.'] }] };
    message = build(shorter, 3, mentions);
    if (bytes(message) <= LIMITS.messageBytes) return message;
  }
  return message as TeamsMessage;
}

function build(reply: Reply, listMax: number, mentions: TeamsMentions): TeamsMessage {
  const r: Rendering = { mentions, entities: new Map() };
  const { body, actions } = renderBlocks(reply, listMax, r);
  const card: AdaptiveCard = {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.5',
    body,
    ...(actions.length && { actions }),
    msteams: { width: 'Full', ...(r.entities.size && { entities: [...r.entities.values()] }) },
  };
  return {
    type: 'message',
    text: cut(reply.summary, 1000),
    summary: cut(reply.summary, 200),
    attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: card }],
  };
}

/** The card of a message. */
export const cardOf = (message: TeamsMessage): AdaptiveCard => message.attachments[0]!.content;

/** The Universal Actions answer that replaces the card in place. */
export const invokeCardResponse = (card: AdaptiveCard) => ({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: card });

/** The Universal Actions answer that leaves the card and shows a message. */
export const invokeMessageResponse = (text: string) => ({ statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: cut(text, 1000) });
