/**
 * The reply model as an Adaptive Card (schema 1.5) in a Teams message, fitted under the message size
 * Teams accepts. Buttons are Universal Actions (`Action.Execute`, verb `sb`), so a click arrives as an
 * `adaptiveCard/action` invoke and its answer can replace the card in place (invokeCardResponse).
 *
 * Every string is text (STYLE.md rule 13, docs/security.md). A TextBlock and a Fact render a markdown
 * subset (bold, italic, lists, `[t](u)` links) and `<at>…</at>` becomes a mention when an entity in
 * `msteams.entities` matches it, so text from a descriptor, form or webhook is neutralised here:
 * - markdown punctuation is backslash-escaped: `\ ` * _ [ ] ~` everywhere, and what starts a block
 *   (`#`, `-`, `+`, `=`, `1.`) at the start of a line, after leading spaces are dropped (no code blocks);
 * - `<` and `>` become the full-width look-alikes `＜` `＞`. Not `&lt;`: Teams does not promise to decode
 *   entities in a card ("HTML isn't supported in Adaptive Cards", Teams docs, cards-format.md) and the iOS
 *   renderer shows them as typed (microsoft/AdaptiveCards#5439), so a reader could see `&lt;at&gt;`. A
 *   look-alike reads the same and can never become a tag, a mention or a blockquote on any client;
 * - `&` before an entity name is escaped, so `&lt;at&gt;` cannot decode into a tag either;
 * - a bare `scheme://`, `mailto:` or `www.` gets an invisible word joiner (U+2060), so a client does not
 *   auto-link a URL in catalog text (Slack's renderer sends `verbatim` for the same reason); `{{` gets
 *   one too, so catalog text cannot call the card's DATE()/TIME() functions;
 * - control characters and bidi overrides are dropped.
 * The only markup is what spans ask for, and only when it passes safe-text.ts: links with an allowed URL
 * (label escaped; `(`, `)`, `[`, `]`, `\`, `{`, `}` percent-encoded), mentions of people whose Teams id is
 * a GUID (an Entra object id, which bots may mention: Teams docs, "Azure AD Object ID and UPN in user
 * mention"), and dates. Titles of buttons, inputs and choices are plain text in Adaptive Cards: they get
 * the look-alikes and joiners but no backslashes, which would show.
 */
import { type Block, type Button, decodeAction, type Reply, type Span, type Text } from '../../conversation/index.js';
import { isTeamsUserId, linkUrl } from '../../conversation/safe-text.js';

export const LIMITS = {
  /**
   * The whole activity, counted as UTF-16 bytes (two per code unit), as Teams counts it. 28 KB is the
   * lowest figure Microsoft documents for a Teams message (Incoming Webhooks and the Workflows connector;
   * bots were 40 KB, now "100 KB, keep it within 80 KB": format-your-bot-messages.md), so the card is
   * accepted whichever path posts it.
   */
  activityBytes: 28 * 1024,
  /** Kept free for what the adapter adds around the message (conversation, from, replyToId, channelData). */
  envelopeBytes: 1024,
  /** Bot Framework's action title limit (botbuilder `channel.ts` maxActionTitleLength); Teams documents none. */
  buttonTitle: 20,
  /** "An Adaptive Card supports up to six primary actions"; the rest go to the overflow menu. */
  primaryActions: 6,
  /** Ours: items a list shows before "…and N more", however small they are. */
  listItems: 100,
  /** Ours: characters of one text (section, field, item) before it is cut; the fit lowers it to `minText`. */
  text: 4000,
  minText: 100,
  mentionName: 100,
  summary: 1000,
  /** The reject reason, as Slack's reject modal takes it. */
  reason: 500,
} as const;

export const CARD_SCHEMA = 'http://adaptivecards.io/schemas/adaptive-card.json';
export const CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';
/** The verb of every button: `data.sb` says what the click does (encodeAction). */
export const VERB = 'sb';
/** The input a Reject button's card asks for; Teams sends it beside `sb` in the action's data. */
export const REASON_INPUT = 'reason';

export type CardElement = { type: string } & Record<string, unknown>;

export interface MentionEntity {
  type: 'mention';
  text: string;
  mentioned: { id: string; name: string };
}

export interface AdaptiveCard {
  $schema: typeof CARD_SCHEMA;
  type: 'AdaptiveCard';
  version: '1.5';
  body: CardElement[];
  msteams: { width: 'Full'; entities: MentionEntity[] };
}

export interface TeamsMessage {
  type: 'message';
  /** The summary, plain: the notification and what shows where cards do not. */
  text: string;
  summary?: string;
  textFormat: 'plain';
  attachments: [{ contentType: typeof CARD_CONTENT_TYPE; content: AdaptiveCard }];
}

/** Teams ids of people, by catalog ref, resolved before rendering: the Entra object id and Teams' name. */
export type TeamsPeople = ReadonlyMap<string, { id: string; name: string }>;

// ---- escaping ----------------------------------------------------------------------------------

const WJ = '\u2060';
// Control characters (but tab and line breaks) and the bidi overrides and isolates that make a line read
// differently from what it is, as the terminal drops them (safe-text.ts terminalText).
// eslint-disable-next-line no-control-regex -- dropping control characters is the point
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** What every card string gets, markdown or not: no tags, no auto-links, no card functions. */
function neutralise(s: string): string {
  return s
    .replace(CONTROL, '')
    .replace(/</g, '\uff1c')
    .replace(/>/g, '\uff1e')
    .replace(/:\/\//g, `:${WJ}//`)
    .replace(/\bmailto:/gi, (m) => `${m.slice(0, -1)}${WJ}:`)
    .replace(/\bwww\./gi, (m) => `${m.slice(0, 3)}${WJ}.`)
    .replace(/\{\{/g, `{${WJ}{`)
    .replace(/\]\(/g, `]${WJ}(`);
}

/** Text for fields Adaptive Cards show as typed: button, input and choice titles, the message's text. */
export function plainText(s: string): string {
  return neutralise(s.replace(/\s*[\r\n]+\s*/g, ' '));
}

function escapeInline(s: string): string {
  return s.replace(/[\\`*_[\]~]/g, '\\$&').replace(/&(?=#?[a-z0-9]+;)/gi, '\\&');
}

function escapeLineStart(line: string): string {
  const trimmed = line.replace(/^[ \t]+/, '');
  if (/^[#\-+=]/.test(trimmed)) return `\\${trimmed}`;
  return trimmed.replace(/^(\d+)([.)])/, '$1\\$2');
}

/**
 * Raw text as TextBlock markdown that renders exactly as written. `atLineStart`: whether the text
 * begins a line; `newline`: what a line break becomes (`\n\n` in a TextBlock, a space in a list item).
 */
export function escapeMarkdown(raw: string, atLineStart = true, newline = '\n\n'): string {
  const lines = raw.replace(/\r\n?/g, '\n').split('\n');
  return lines.map((line, i) => (i > 0 || atLineStart ? escapeLineStart(escapeInline(neutralise(line))) : escapeInline(neutralise(line)))).join(newline);
}

/** A URL inside `(…)` of a markdown link: nothing in it can end the link or start markup. */
const linkTarget = (url: string) => url.replace(/[()[\]\\{}]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);

/** A name inside `<at>…</at>`: nothing markdown or tag-like, so the mention text is what Teams matches. */
function mentionName(name: string): string {
  return name
    .replace(CONTROL, '')
    .replace(/[<>[\]*_`~\\{}|#&]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, LIMITS.mentionName)
    .trim();
}

// ---- spans --------------------------------------------------------------------------------------

/** A piece of a text: raw text (escaped when emitted, cut anywhere) or markup (kept whole or left out). */
type Segment = { text: string } | { markup: string; length: number } | { mention: { id: string; name: string } };

/** The mentions a card makes, each with a mention text no other person in the card uses. */
class Mentions {
  readonly entities: MentionEntity[] = [];
  private readonly byId = new Map<string, string>();
  private readonly taken = new Set<string>();

  use(id: string, name: string): string {
    const key = id.toLowerCase();
    const known = this.byId.get(key);
    if (known) return known;
    let text = `<at>${name}</at>`;
    for (let n = 2; this.taken.has(text); n++) text = `<at>${name} (${n})</at>`;
    this.byId.set(key, text);
    this.taken.add(text);
    this.entities.push({ type: 'mention', text, mentioned: { id, name } });
    return text;
  }
}

/** An ISO time as Adaptive Cards' strict RFC 3339 (no fraction), or null. */
function cardTime(iso: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}T/.test(iso)) return null;
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z') : null;
}

function segments(s: Span, people: TeamsPeople): Segment[] {
  if (typeof s === 'string') return [{ text: s }];
  if ('bold' in s) {
    // `** x**` is not bold in markdown: the spaces go outside.
    const m = /^(\s*)([\s\S]*?)(\s*)$/.exec(s.bold) as RegExpExecArray;
    const core = m[2] as string;
    const inner = core ? [{ markup: `**${escapeMarkdown(core, false, ' ')}**`, length: core.length }] : [];
    return [{ text: m[1] as string }, ...inner, { text: m[3] as string }];
  }
  if ('code' in s) return [{ text: s.code }]; // Adaptive Cards in Teams render no code spans.
  if ('link' in s) {
    const url = linkUrl(s.link);
    // A refused URL is still worth showing, so a reader can see what the descriptor claims.
    if (!url) return [{ text: s.text === s.link ? s.link : `${s.text} (${s.link})` }];
    const label = s.text.trim() || url;
    return [{ markup: `[${escapeMarkdown(label, false, ' ')}](${linkTarget(url)})`, length: label.length }];
  }
  if ('person' in s) {
    const resolved = people.get(s.person.ref);
    const teams = s.person.chatIds.teams;
    const known = resolved && isTeamsUserId(resolved.id) ? { id: resolved.id, name: resolved.name } : undefined;
    const id = known?.id ?? (isTeamsUserId(teams) ? teams : undefined);
    const name = mentionName(known?.name || s.person.displayName);
    return id && name ? [{ mention: { id, name } }] : [{ text: s.person.displayName }];
  }
  if ('channel' in s) return [{ text: s.channel }];
  const time = cardTime(s.time);
  return time ? [{ markup: `{{DATE(${time}, SHORT)}} {{TIME(${time})}}`, length: s.fallback.length }] : [{ text: s.fallback }];
}

interface Rendered {
  md: string;
  /** Whether anything in it is markup (a link, a mention, bold, a date). */
  markup: boolean;
}

/** Spans as markdown, cut at `max` characters of what a reader sees; mentions register as they are kept. */
function markdown(text: Text, ctx: Ctx, opts: { atLineStart?: boolean; newline?: string } = {}): Rendered {
  const newline = opts.newline ?? '\n\n';
  let out = '';
  let markup = false;
  let left = ctx.caps.text;
  const atStart = () => (out === '' ? (opts.atLineStart ?? true) : out.endsWith('\n'));
  for (const seg of text.flatMap((s) => segments(s, ctx.people))) {
    if ('text' in seg) {
      if (seg.text.length <= left) {
        out += escapeMarkdown(seg.text, atStart(), newline);
        left -= seg.text.length;
        continue;
      }
      let end = Math.max(0, left - 1);
      if (/[\udc00-\udfff]/.test(seg.text.charAt(end))) end--; // never half a surrogate pair
      out += `${escapeMarkdown(seg.text.slice(0, end), atStart(), newline)}…`;
      return { md: out, markup };
    }
    const length = 'mention' in seg ? seg.mention.name.length : seg.length;
    if (length > left) return { md: `${out}…`, markup };
    out += 'mention' in seg ? ctx.mentions.use(seg.mention.id, seg.mention.name) : seg.markup;
    markup = true;
    left -= length;
  }
  return { md: out, markup };
}

// ---- blocks -------------------------------------------------------------------------------------

interface Caps {
  listItems: number;
  text: number;
}

interface Ctx {
  people: TeamsPeople;
  caps: Caps;
  mentions: Mentions;
}

const textBlock = (text: string, extra: Record<string, unknown> = {}): CardElement => ({ type: 'TextBlock', text, wrap: true, ...extra });
const raw = (s: string, ctx: Ctx) => markdown([s], ctx).md;

function buttonTitle(label: string): string {
  const t = plainText(label);
  return t.length <= LIMITS.buttonTitle ? t : `${t.slice(0, LIMITS.buttonTitle - 1)}…`;
}

/**
 * A button that opens a card in place asking for a required reason (`REASON_INPUT`), whose own button
 * sends the action with it.
 */
function askingReason(
  button: Record<string, unknown>,
  execute: Record<string, unknown>,
  reason: { placeholder: string; errorMessage: string; submit: string },
): CardElement {
  return {
    type: 'Action.ShowCard',
    ...button,
    card: {
      type: 'AdaptiveCard',
      body: [
        {
          type: 'Input.Text',
          id: REASON_INPUT,
          label: 'Reason',
          placeholder: reason.placeholder,
          isMultiline: true,
          maxLength: LIMITS.reason,
          isRequired: true,
          errorMessage: reason.errorMessage,
        },
      ],
      actions: [{ ...execute, title: reason.submit, style: 'destructive' }],
    },
  };
}

/** A button: Action.Execute, or for a vote to reject and for paging, a card in place that asks for the reason first. */
function action(b: Button, index: number): CardElement {
  const style = b.style === 'primary' ? 'positive' : b.style === 'danger' ? 'destructive' : undefined;
  const mode = index >= LIMITS.primaryActions ? { mode: 'secondary' } : {};
  const execute = { type: 'Action.Execute', verb: VERB, data: { sb: b.action } };
  const intent = decodeAction(b.action);
  if (intent.kind === 'vote' && intent.decision === 'reject')
    return askingReason({ title: buttonTitle(b.label), ...(style && { style }), ...mode }, execute, {
      placeholder: 'Why you reject the request: the requester sees it',
      errorMessage: 'Say why you reject the request.',
      submit: 'Reject',
    });
  // Paging needs a reason first, like Slack's page modal: asked in place, required.
  if (intent.kind === 'page')
    return askingReason({ title: buttonTitle(b.label), ...mode }, execute, {
      placeholder: 'What is wrong, and where to look: the on-call reads this first',
      errorMessage: 'Say why you page.',
      submit: 'Page now',
    });
  return { ...execute, title: buttonTitle(b.label), ...(style && { style }), ...mode };
}

function renderBlock(block: Block, ctx: Ctx): CardElement[] {
  switch (block.type) {
    case 'header':
      return [textBlock(raw(block.text, ctx), { size: 'Large', weight: 'Bolder' })];
    case 'section':
      return [textBlock(markdown(block.text, ctx).md)];
    case 'context':
      return [textBlock(markdown(block.text, ctx).md, { isSubtle: true, size: 'Small' })];
    case 'divider':
      return [];
    case 'fields': {
      const rows = block.fields.map((f) => ({ label: raw(f.label, ctx), value: markdown(f.value, ctx) }));
      // A FactSet reads best; a value with a link, mention or date goes in columns, where every client renders it.
      if (!rows.some((r) => r.value.markup)) return [{ type: 'FactSet', facts: rows.map((r) => ({ title: r.label, value: r.value.md })) }];
      return rows.map((r) => ({
        type: 'ColumnSet',
        columns: [
          { type: 'Column', width: 1, items: [textBlock(r.label, { weight: 'Bolder' })] },
          { type: 'Column', width: 2, items: [textBlock(r.value.md)] },
        ],
      }));
    }
    case 'list': {
      const shown = block.items.slice(0, Math.min(ctx.caps.listItems, LIMITS.listItems));
      const more = block.items.length - shown.length + (block.more ?? 0);
      const out: CardElement[] = [textBlock(raw(block.title, ctx), { weight: 'Bolder' })];
      // Each item is its own line of a markdown list; a line break inside one would end the list.
      if (shown.length) out.push(textBlock(shown.map((i) => `- ${markdown(i, ctx, { newline: ' ' }).md}`).join('\r'), { spacing: 'Small' }));
      if (more > 0) out.push(textBlock(`…and ${more} more`, { isSubtle: true, spacing: 'Small' }));
      return out;
    }
    case 'actions':
      return [{ type: 'ActionSet', actions: block.buttons.map(action) }];
  }
}

const ELLIPSIS = (): CardElement => textBlock('…', { isSubtle: true });

/** The card for the first `keep` blocks that are not buttons, every button block, and "…" where blocks were left out. */
function renderCard(reply: Reply, people: TeamsPeople, caps: Caps, keep: number): TeamsMessage {
  const ctx: Ctx = { people, caps, mentions: new Mentions() };
  const body: CardElement[] = [];
  let separator = false;
  let kept = 0;
  let cut = false;
  for (const block of reply.blocks) {
    if (block.type !== 'actions' && kept++ >= keep) {
      if (!cut) body.push(ELLIPSIS());
      cut = true;
      continue;
    }
    if (block.type === 'divider') {
      separator = true;
      continue;
    }
    const elements = renderBlock(block, ctx);
    if (separator && elements[0]) elements[0] = { ...elements[0], separator: true, spacing: 'Medium' };
    if (elements.length) separator = false;
    body.push(...elements);
  }
  const summary = plainText(reply.summary);
  const text = summary.length <= LIMITS.summary ? summary : `${summary.slice(0, LIMITS.summary - 1)}…`;
  const content: AdaptiveCard = {
    $schema: CARD_SCHEMA,
    type: 'AdaptiveCard',
    version: '1.5',
    body,
    msteams: { width: 'Full', entities: ctx.mentions.entities },
  };
  return { type: 'message', text, summary: text, textFormat: 'plain', attachments: [{ contentType: CARD_CONTENT_TYPE, content }] };
}

/** The size Teams counts: the serialized activity in UTF-16. */
export const activityBytes = (message: TeamsMessage) => JSON.stringify(message).length * 2;

/** The largest n in [lo, hi] for which `fits(n)`, given fits is monotonic; lo - 1 when none does. */
function largest(lo: number, hi: number, fits: (n: number) => boolean): number {
  let best = lo - 1;
  while (lo <= hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (fits(mid)) {
      best = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return best;
}

/**
 * The reply as a Teams message under LIMITS.activityBytes (less the envelope): lists are cut first, then
 * long texts, then trailing blocks give way to a final "…" line. Buttons stay: an approval DM without
 * Approve and Reject would be worse than a shorter one.
 */
export function toAdaptiveCard(reply: Reply, people: TeamsPeople = new Map()): TeamsMessage {
  const budget = LIMITS.activityBytes - LIMITS.envelopeBytes;
  const fits = (m: TeamsMessage) => activityBytes(m) <= budget;
  const all = reply.blocks.length;
  const longest = Math.max(0, ...reply.blocks.map((b) => (b.type === 'list' ? b.items.length : 0)));
  const full = { listItems: LIMITS.listItems, text: LIMITS.text };
  const first = renderCard(reply, people, full, all);
  if (fits(first)) return first;

  const listItems = largest(0, Math.min(longest, LIMITS.listItems), (n) => fits(renderCard(reply, people, { ...full, listItems: n }, all)));
  if (listItems >= 0) return renderCard(reply, people, { ...full, listItems }, all);
  const text = largest(LIMITS.minText, LIMITS.text, (n) => fits(renderCard(reply, people, { listItems: 0, text: n }, all)));
  if (text >= LIMITS.minText) return renderCard(reply, people, { listItems: 0, text }, all);
  const least = { listItems: 0, text: LIMITS.minText };
  const keep = largest(0, all, (n) => fits(renderCard(reply, people, least, n)));
  if (keep >= 0) return renderCard(reply, people, least, keep);
  // Even the buttons alone are too many: the summary and "…" say there was more.
  const blocks: Block[] = [
    { type: 'section', text: [reply.summary] },
    { type: 'context', text: ['…'] },
  ];
  return renderCard({ ...reply, blocks }, people, least, blocks.length);
}

/** The card of a message, e.g. to answer an invoke with it. */
export const cardOf = (message: TeamsMessage): AdaptiveCard => message.attachments[0].content;

export interface InvokeCardResponse {
  statusCode: 200;
  type: typeof CARD_CONTENT_TYPE;
  value: AdaptiveCard;
}

export interface InvokeMessageResponse {
  statusCode: 200;
  type: 'application/vnd.microsoft.activity.message';
  value: string;
}

/** The Universal Actions answer to `adaptiveCard/action` that replaces the clicked card (universal-action-model#response-format). */
export const invokeCardResponse = (card: AdaptiveCard): InvokeCardResponse => ({ statusCode: 200, type: CARD_CONTENT_TYPE, value: card });

/** The answer that shows a short message to the person who clicked, leaving the card as it is. */
export const invokeMessageResponse = (text: string): InvokeMessageResponse => ({
  statusCode: 200,
  type: 'application/vnd.microsoft.activity.message',
  value: plainText(text),
});
