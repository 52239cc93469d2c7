/**
 * The reply model as Block Kit, fitted into Slack's documented limits: 50 blocks a message, 3,000
 * characters a section, 10 fields of 2,000, 150 in a header, 25 buttons of 75. A list that does not fit
 * ends with "and N more" instead of being refused by Slack.
 *
 * Every string is text (STYLE.md rule 13): `&`, `<` and `>` are escaped in every mrkdwn text and in the
 * `text` fallback, so nothing a descriptor, form or webhook says becomes a mention or a link. The only
 * markup is what spans ask for, and only when it passes safe-text.ts: links with an allowed URL,
 * mentions of well-formed Slack ids, dates. mrkdwn objects are `verbatim`, so Slack does not turn a bare
 * `@channel`, `#general` or URL in catalog text into markup either.
 */
import type { Block, Reply, Span, Text } from '../../conversation/index.js';
import { isSlackChannelId, isSlackUserId, linkUrl } from '../../conversation/safe-text.js';

export const LIMITS = {
  blocks: 50,
  sectionText: 3000,
  fields: 10,
  fieldText: 2000,
  headerText: 150,
  contextElements: 10,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  messageText: 40_000,
} as const;

/** Slack ids of people, by catalog ref, resolved before rendering (see people.ts). */
export type SlackIds = ReadonlyMap<string, string>;

// Slack's mrkdwn needs only these three escaped; everything else is literal.
export const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
// Inside `<…|label>` a `|` would start a new part of the token: the label shows a look-alike instead.
const label = (s: string) => escape(s).replace(/\|/g, '¦');

function span(s: Span, ids: SlackIds): string {
  if (typeof s === 'string') return escape(s);
  if ('bold' in s) return `*${escape(s.bold)}*`;
  if ('code' in s) return `\`${escape(s.code)}\``;
  if ('link' in s) {
    const url = linkUrl(s.link);
    // A refused URL is still worth showing, so a reader can see what the descriptor claims.
    if (!url) return escape(s.text === s.link ? s.link : `${s.text} (${s.link})`);
    return `<${url}|${label(s.text)}>`;
  }
  if ('person' in s) {
    const id = [s.person.chatIds.slack, ids.get(s.person.ref)].find(isSlackUserId);
    return id ? `<@${id}>` : escape(s.person.displayName);
  }
  if ('channel' in s) return isSlackChannelId(s.channel) ? `<#${s.channel}>` : escape(s.channel);
  const epoch = Math.floor(Date.parse(s.time) / 1000);
  return Number.isFinite(epoch) ? `<!date^${epoch}^{date_short_pretty} {time}|${label(s.fallback)}>` : escape(s.fallback);
}

const md = (text: string) => ({ type: 'mrkdwn', text, verbatim: true });

export const mrkdwn = (text: Text, ids: SlackIds) => text.map((s) => span(s, ids)).join('');

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** As many list items as fit in one section, then "and N more" (`more`: items left out before). */
function listText(title: string, items: string[], max: number, more = 0): string {
  const lines = [`*${escape(title)}*`];
  let used = lines[0]!.length;
  for (let i = 0; i < items.length; i++) {
    const line = `• ${items[i]}`;
    const remaining = items.length - i - 1 + more;
    const reserve = remaining > 0 ? `\n…and ${remaining} more`.length + 4 : 0;
    if (used + 1 + line.length + reserve > max) {
      lines.push(`…and ${items.length - i + more} more`);
      return lines.join('\n');
    }
    lines.push(line);
    used += 1 + line.length;
  }
  if (more > 0) lines.push(`…and ${more} more`);
  return lines.join('\n');
}

type SlackBlock = Record<string, unknown>;

function renderBlock(block: Block, ids: SlackIds, actionIndex: { next: number }): SlackBlock[] {
  switch (block.type) {
    case 'header':
      return [{ type: 'header', text: { type: 'plain_text', text: cut(block.text, LIMITS.headerText), emoji: true } }];
    case 'section':
      return [{ type: 'section', text: md(cut(mrkdwn(block.text, ids), LIMITS.sectionText)) }];
    case 'fields': {
      const out: SlackBlock[] = [];
      for (let i = 0; i < block.fields.length; i += LIMITS.fields) {
        out.push({
          type: 'section',
          fields: block.fields.slice(i, i + LIMITS.fields).map((f) => md(cut(`*${escape(f.label)}*\n${mrkdwn(f.value, ids)}`, LIMITS.fieldText))),
        });
      }
      return out;
    }
    case 'list':
      return [
        {
          type: 'section',
          text: md(
            listText(
              block.title,
              block.items.map((i) => mrkdwn(i, ids)),
              LIMITS.sectionText,
              block.more,
            ),
          ),
        },
      ];
    case 'context':
      return [{ type: 'context', elements: [md(cut(mrkdwn(block.text, ids), LIMITS.sectionText))] }];
    case 'divider':
      return [{ type: 'divider' }];
    case 'actions':
      return [
        {
          type: 'actions',
          elements: block.buttons.slice(0, LIMITS.actionsElements).map((b) => ({
            type: 'button',
            // Unique within the message, as Slack requires; the value says what the click does.
            action_id: `sb:${actionIndex.next++}`,
            text: { type: 'plain_text', text: cut(b.label, LIMITS.buttonText), emoji: true },
            value: cut(b.action, LIMITS.buttonValue),
            ...(b.style ? { style: b.style } : {}),
          })),
        },
      ];
  }
}

export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}

export function toBlockKit(reply: Reply, ids: SlackIds = new Map()): SlackMessage {
  const index = { next: 0 };
  let blocks = reply.blocks.flatMap((b) => renderBlock(b, ids, index));
  if (blocks.length > LIMITS.blocks) {
    const dropped = blocks.length - (LIMITS.blocks - 1);
    blocks = [...blocks.slice(0, LIMITS.blocks - 1), { type: 'context', elements: [md(`…and ${dropped} more blocks not shown`)] }];
  }
  // The fallback is mrkdwn too (notifications, clients without blocks): escaped like the blocks.
  return { text: cut(escape(reply.summary), LIMITS.messageText), blocks };
}
