import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalog, type Catalog } from '../../catalog/index.js';
import { type Conversation, createConversation, encodeAction, type Reply, type Span } from '../../conversation/index.js';
import { tempTree, type TempTree } from '../../testing/fixtures.js';
import { VALID_URL, writeHostileCatalog } from '../../testing/hostile-catalog.js';
import {
  activityBytes,
  type AdaptiveCard,
  type CardElement,
  cardOf,
  invokeCardResponse,
  invokeMessageResponse,
  LIMITS,
  REASON_INPUT,
  type TeamsMessage,
  toAdaptiveCard,
  VERB,
} from './render.js';

const reply = (blocks: Reply['blocks'], summary = 'summary'): Reply => ({ summary, blocks, visibility: 'private' });
const GUID = '87d349ed-44d7-43e1-9a83-5f2406dee5bd';
const WJ = '\u2060';

/** A person span in the model's new shape (`chatIds`), whether or not the type has moved yet. */
const person = (ref: string, displayName: string, teams?: string): Span =>
  ({ person: { ref, displayName, email: `${ref.split('/').pop()}@x.example`, chatIds: teams ? { teams } : {} } }) as unknown as Span;

const body = (m: TeamsMessage) => cardOf(m).body;
/** Every text the card shows as markdown: TextBlocks, anywhere, and facts. */
function markdownTexts(card: AdaptiveCard): string[] {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (o.type === 'TextBlock' && typeof o.text === 'string') out.push(o.text);
      if (typeof o.title === 'string' && typeof o.value === 'string' && o.type === undefined) out.push(o.title, o.value);
      Object.values(o).forEach(walk);
    }
  };
  walk(card.body);
  return out;
}
const sectionText = (text: Span[]) => body(toAdaptiveCard(reply([{ type: 'section', text }])))[0]!.text as string;
const sizeBudget = LIMITS.activityBytes - LIMITS.envelopeBytes;

/**
 * Live markup in card texts: a link other than the valid one, any mention tag, a raw angle bracket, an
 * auto-linkable URL. A character after an odd run of backslashes is escaped and does not count.
 */
function liveMarkup(card: AdaptiveCard): string[] {
  const found: string[] = [];
  const link = /(?<!\\)(?:\\\\)*\[((?:\\.|[^\\\]])*)\]\(([^)]*)\)/g;
  for (const t of markdownTexts(card)) {
    for (const m of t.matchAll(link)) if (m[2] !== VALID_URL) found.push(m[0]);
    for (const m of t.replace(link, '').matchAll(/<\/?at>|[<>]|[a-z]:\/\/|www\./gi)) found.push(m[0]);
  }
  return found;
}

describe('Adaptive Card rendering', () => {
  it('is an Adaptive Card 1.5 at full width, with the summary as plain text', () => {
    const message = toAdaptiveCard(reply([{ type: 'header', text: 'Payments' }], 'payments <at>x</at> is owned'));
    expect(message).toMatchObject({ type: 'message', textFormat: 'plain', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive' }] });
    expect(message.text).toBe('payments ＜at＞x＜/at＞ is owned');
    expect(cardOf(message)).toMatchObject({ $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', type: 'AdaptiveCard', version: '1.5' });
    expect(cardOf(message).msteams).toEqual({ width: 'Full', entities: [] });
  });

  it('renders a header as a large bold TextBlock and context as small subtle text', () => {
    const [header, context] = body(
      toAdaptiveCard(
        reply([
          { type: 'header', text: 'Payments API' },
          { type: 'context', text: ['as of now'] },
        ]),
      ),
    );
    expect(header).toEqual({ type: 'TextBlock', text: 'Payments API', wrap: true, size: 'Large', weight: 'Bolder' });
    expect(context).toMatchObject({ type: 'TextBlock', text: 'as of now', isSubtle: true, size: 'Small' });
  });

  it('escapes **bold** in text, so it is not emphasis', () => {
    expect(sectionText(['**x** and _y_'])).toBe('\\*\\*x\\*\\* and \\_y\\_');
  });

  it('escapes [a](http://evil) in text, so it is not a link', () => {
    const text = sectionText(['[a](http://evil)']);
    expect(text).toBe(`\\[a\\]${WJ}(http:${WJ}//evil)`);
    expect(liveMarkup(cardOf(toAdaptiveCard(reply([{ type: 'section', text: ['[a](http://evil)'] }]))))).toEqual([]);
  });

  it('turns <at>Everyone</at> in text into look-alikes, so it is not a mention', () => {
    const message = toAdaptiveCard(reply([{ type: 'section', text: ['hi <at>Everyone</at>'] }]));
    expect(body(message)[0]!.text).toBe('hi ＜at＞Everyone＜/at＞');
    expect(cardOf(message).msteams.entities).toEqual([]);
  });

  it('escapes a # heading at the start of a line', () => {
    expect(sectionText(['# heading'])).toBe('\\# heading');
    expect(sectionText(['a', '\n## b'])).toBe('a\n\n\\## b');
  });

  it('escapes - list and 1. list markers at the start of any line, also after leading spaces', () => {
    expect(sectionText(['- item'])).toBe('\\- item');
    expect(sectionText(['ok\n   - item\n2. two'])).toBe('ok\n\n\\- item\n\n2\\. two');
    expect(sectionText(['a - b'])).toBe('a - b');
  });

  it('does not let a bare URL, www. or {{DATE()}} in text become a link or a date', () => {
    expect(sectionText(['see https://x.example and www.y.example {{DATE(2026-01-01T00:00:00Z)}}'])).toBe(
      `see https:${WJ}//x.example and www${WJ}.y.example {${WJ}{DATE(2026-01-01T00:00:00Z)}}`,
    );
  });

  it('drops control characters and bidi overrides from text', () => {
    expect(sectionText(['Team \u001b[2J& Co\u202e\u0007'])).toBe('Team \\[2J& Co');
  });

  it('makes a link of an allowed URL, its label escaped and ( ) [ ] percent-encoded', () => {
    expect(sectionText([{ link: 'https://ok.example/a_(b)[c]', text: 'R*D [docs]' }])).toBe('[R\\*D \\[docs\\]](https://ok.example/a_%28b%29%5Bc%5D)');
  });

  it('shows a refused link as text', () => {
    expect(sectionText([{ link: 'javascript:alert(1)', text: 'Docs' }])).toBe('Docs (javascript:alert(1))');
  });

  it('renders bold spans as bold, with their text escaped', () => {
    expect(sectionText(['x', { bold: ' a*b ' }])).toBe('x **a\\*b** ');
  });

  it('mentions a person whose Teams id is a GUID, with a matching entity', () => {
    const message = toAdaptiveCard(reply([{ type: 'section', text: ['on call: ', person('user:default/adele', 'Adele Vance', GUID)] }]));
    expect(body(message)[0]!.text).toBe('on call: <at>Adele Vance</at>');
    expect(cardOf(message).msteams.entities).toEqual([{ type: 'mention', text: '<at>Adele Vance</at>', mentioned: { id: GUID, name: 'Adele Vance' } }]);
  });

  it('mentions only GUIDs: a 29: id, a name or junk from the catalog or the resolver is shown as the name', () => {
    const people = new Map([['user:default/b', { id: '29:1abc', name: 'B' }]]);
    const message = toAdaptiveCard(
      reply([
        {
          type: 'section',
          text: [person('user:default/a', 'A_1', '<at>Everyone</at>'), ', ', person('user:default/b', 'Bee'), ', ', person('user:default/c', 'C', 'everyone')],
        },
      ]),
      people,
    );
    expect(body(message)[0]!.text).toBe('A\\_1, Bee, C');
    expect(cardOf(message).msteams.entities).toEqual([]);
  });

  it('takes the id and name the resolver found over the catalog', () => {
    const other = '11111111-2222-3333-4444-555555555555';
    const message = toAdaptiveCard(
      reply([{ type: 'section', text: [person('user:default/a', 'Catalog Name', GUID)] }]),
      new Map([['user:default/a', { id: other, name: 'Teams Name' }]]),
    );
    expect(cardOf(message).msteams.entities).toEqual([{ type: 'mention', text: '<at>Teams Name</at>', mentioned: { id: other, name: 'Teams Name' } }]);
  });

  it('keeps mention texts unique, so two people of the same name are each mentioned', () => {
    const other = '11111111-2222-3333-4444-555555555555';
    const message = toAdaptiveCard(
      reply([
        {
          type: 'section',
          text: [person('user:default/a', 'Alex', GUID), ' ', person('user:default/b', 'Alex', other), ' ', person('user:default/a', 'Alex', GUID)],
        },
      ]),
    );
    expect(body(message)[0]!.text).toBe('<at>Alex</at> <at>Alex (2)</at> <at>Alex</at>');
    expect(cardOf(message).msteams.entities.map((e) => [e.text, e.mentioned.id])).toEqual([
      ['<at>Alex</at>', GUID],
      ['<at>Alex (2)</at>', other],
    ]);
  });

  it('renders a time with the card DATE() and TIME() functions, and the fallback when it is no ISO time', () => {
    expect(sectionText([{ time: '2026-11-24T09:00:00.000Z', fallback: '2026-11-24 09:00 UTC' }])).toBe(
      '{{DATE(2026-11-24T09:00:00Z, SHORT)}} {{TIME(2026-11-24T09:00:00Z)}}',
    );
    expect(sectionText([{ time: 'soon', fallback: '*soon*' }])).toBe('\\*soon\\*');
  });

  it('renders plain fields as a FactSet, and fields with markup as columns', () => {
    const plainFields = body(toAdaptiveCard(reply([{ type: 'fields', fields: [{ label: 'Tier_1', value: ['gold'] }] }])));
    expect(plainFields).toEqual([{ type: 'FactSet', facts: [{ title: 'Tier\\_1', value: 'gold' }] }]);
    const linked = body(toAdaptiveCard(reply([{ type: 'fields', fields: [{ label: 'Runbook', value: [{ link: VALID_URL, text: 'Runbook' }] }] }])));
    expect(linked).toMatchObject([{ type: 'ColumnSet', columns: [{ items: [{ text: 'Runbook' }] }, { items: [{ text: `[Runbook](${VALID_URL})` }] }] }]);
  });

  it('renders a list as a title and a markdown list, its items escaped', () => {
    const [title, items] = body(toAdaptiveCard(reply([{ type: 'list', title: 'Links', items: [['- one'], ['two']] }])));
    expect(title).toMatchObject({ text: 'Links', weight: 'Bolder' });
    expect(items).toMatchObject({ text: '- \\- one\r- two' });
  });

  it('turns a divider into a separator on what follows', () => {
    const blocks = body(toAdaptiveCard(reply([{ type: 'section', text: ['a'] }, { type: 'divider' }, { type: 'section', text: ['b'] }])));
    expect(blocks.map((b) => b.separator ?? false)).toEqual([false, true]);
  });

  it('makes buttons Action.Execute with verb sb, the action as data, styles mapped and titles cut', () => {
    const [set] = body(
      toAdaptiveCard(
        reply([
          {
            type: 'actions',
            buttons: [
              { action: 'share|x', label: 'Share in channel', style: 'primary' },
              { action: 'deps|x|1', label: 'Dependencies of a service with a long name' },
            ],
          },
        ]),
      ),
    );
    const [share, deps] = set!.actions as CardElement[];
    expect(share).toEqual({ type: 'Action.Execute', verb: VERB, data: { sb: 'share|x' }, title: 'Share in channel', style: 'positive' });
    expect((deps!.title as string).length).toBe(LIMITS.buttonTitle);
    expect(deps!.title).toMatch(/…$/);
  });

  it('puts buttons past the sixth in the overflow menu', () => {
    const buttons = Array.from({ length: 8 }, (_, i) => ({ action: `whoowns|x${i}`, label: `B${i}` }));
    const [set] = body(toAdaptiveCard(reply([{ type: 'actions', buttons }])));
    expect((set!.actions as CardElement[]).map((a) => a.mode ?? 'primary')).toEqual([...Array(6).fill('primary'), 'secondary', 'secondary']);
  });

  it('a Reject button asks for a reason in place before it sends the vote', () => {
    const approve = encodeAction({ kind: 'vote', decision: 'approve', workflowId: 'create-service/beans' });
    const reject = encodeAction({ kind: 'vote', decision: 'reject', workflowId: 'create-service/beans' });
    const [set] = body(
      toAdaptiveCard(
        reply([
          {
            type: 'actions',
            buttons: [
              { action: approve, label: 'Approve', style: 'primary' },
              { action: reject, label: 'Reject', style: 'danger' },
            ],
          },
        ]),
      ),
    );
    const [yes, no] = set!.actions as CardElement[];
    expect(yes).toMatchObject({ type: 'Action.Execute', verb: VERB, data: { sb: approve }, style: 'positive' });
    expect(no).toMatchObject({ type: 'Action.ShowCard', title: 'Reject', style: 'destructive' });
    const card = no!.card as { body: CardElement[]; actions: CardElement[] };
    expect(card.body).toEqual([expect.objectContaining({ type: 'Input.Text', id: REASON_INPUT, isRequired: true, errorMessage: expect.any(String) })]);
    expect(card.actions).toEqual([{ type: 'Action.Execute', verb: VERB, data: { sb: reject }, title: 'Reject', style: 'destructive' }]);
  });
});

describe('fitting into the size Teams accepts', () => {
  it('a list of 500 mentioned people fits and says how many more there are', () => {
    const guid = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
    const items = Array.from({ length: 500 }, (_, i) => [person(`user:default/member-${i}`, `Member Number ${i}`, guid(i))]);
    const message = toAdaptiveCard(reply([{ type: 'list', title: 'Members', items, more: 20 }]));
    expect(activityBytes(message)).toBeLessThanOrEqual(sizeBudget);
    const [, list, more] = body(message);
    const shown = (list!.text as string).split('\r').length;
    expect(shown).toBeGreaterThan(10);
    expect(more!.text).toBe(`…and ${520 - shown} more`);
    expect(cardOf(message).msteams.entities).toHaveLength(shown);
  });

  it('a 40 KB reply fits under the limit, its texts cut and its buttons kept', () => {
    const long = 'x'.repeat(4000);
    const blocks: Reply['blocks'] = [
      { type: 'header', text: 'Big' },
      ...Array.from({ length: 10 }, () => ({ type: 'section' as const, text: [long] })),
      { type: 'actions', buttons: [{ action: 'share|x', label: 'Share' }] },
    ];
    expect(JSON.stringify(blocks).length).toBeGreaterThan(40_000);
    const message = toAdaptiveCard(reply(blocks));
    expect(activityBytes(message)).toBeLessThanOrEqual(sizeBudget);
    expect(body(message).filter((b) => typeof b.text === 'string' && b.text.endsWith('…'))).toHaveLength(10);
    expect(body(message).at(-1)).toMatchObject({ type: 'ActionSet' });
  });

  it('drops trailing blocks for a final "…" line when cut texts are still too many, keeping the buttons', () => {
    const blocks: Reply['blocks'] = [
      ...Array.from({ length: 400 }, (_, i) => ({ type: 'section' as const, text: [`section ${i} `.repeat(20)] })),
      { type: 'actions', buttons: [{ action: 'share|x', label: 'Share' }] },
    ];
    const message = toAdaptiveCard(reply(blocks));
    expect(activityBytes(message)).toBeLessThanOrEqual(sizeBudget);
    const all = body(message);
    expect(all.length).toBeLessThan(400);
    expect(all.at(-2)).toMatchObject({ type: 'TextBlock', text: '…' });
    expect(all.at(-1)).toMatchObject({ type: 'ActionSet' });
  });
});

describe('invoke answers and people', () => {
  it('answers an Action.Execute with a card that replaces the clicked one, or with a message', () => {
    const card = cardOf(toAdaptiveCard(reply([{ type: 'section', text: ['done'] }])));
    expect(invokeCardResponse(card)).toEqual({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: card });
    expect(invokeMessageResponse('Rejected <at>x</at>')).toEqual({
      statusCode: 200,
      type: 'application/vnd.microsoft.activity.message',
      value: 'Rejected ＜at＞x＜/at＞',
    });
  });
});

describe('catalog text never speaks for the bot in Teams', () => {
  let tree: TempTree;
  let catalog: Catalog;
  let conversation: Conversation;
  beforeAll(async () => {
    tree = tempTree();
    catalog = openCatalog(tree.path('catalog.db'));
    const report = await catalog.ingest([writeHostileCatalog(tree)]);
    expect(report.problems).toEqual([]);
    conversation = createConversation({ catalog, now: () => new Date('2026-03-04T12:00:00Z') });
  });
  afterAll(() => {
    catalog.close();
    tree.cleanup();
  });

  it('an ownership card carries no live markup from the descriptor', () => {
    const card = cardOf(toAdaptiveCard(conversation.reply({ kind: 'whoowns', query: 'evil-api' })));
    expect(JSON.stringify(card)).toContain('Evil API');
    expect(liveMarkup(card)).toEqual([]);
    expect(card.msteams.entities).toEqual([]);
  });

  it('the one valid link stays a link', () => {
    const card = cardOf(toAdaptiveCard(conversation.reply({ kind: 'whoowns', query: 'evil-api' })));
    expect(markdownTexts(card).join('\n')).toContain(`](${VALID_URL})`);
  });

  it('an incident card and a runbook card carry no live markup either', async () => {
    expect(liveMarkup(cardOf(toAdaptiveCard(await conversation.incidentCard('component:default/evil-api'))))).toEqual([]);
    expect(liveMarkup(cardOf(toAdaptiveCard(conversation.reply({ kind: 'runbook', query: 'evil-api' }))))).toEqual([]);
  });
});
