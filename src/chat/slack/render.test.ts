import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalog, type Catalog } from '../../catalog/index.js';
import { type Conversation, createConversation, peopleIn, type Reply } from '../../conversation/index.js';
import { outcomeCard, statusCard } from '../../conversation/request-cards.js';
import { tempTree, type TempTree } from '../../testing/fixtures.js';
import { liveMarkup, mrkdwnTexts, VALID_URL, VALID_USER_ID, writeHostileCatalog } from '../../testing/hostile-catalog.js';
import type { ActionStatus } from '../../../workflows/contract.js';
import { LIMITS, toBlockKit } from './render.js';

const reply = (blocks: Reply['blocks']): Reply => ({ summary: 'summary', blocks, visibility: 'private' });

const statusFixture = (): ActionStatus => ({
  workflowId: 'hook/x',
  action: 'hook',
  title: 'Hook',
  summary: 'Run the hook',
  requester: { ref: 'user:default/a', displayName: 'A', email: null, chatIds: {} },
  target: 'component:default/x',
  shownInputs: [],
  phase: 'running',
  approval: null,
  approvalRules: [],
  approvers: [],
  steps: [],
  links: [],
  startedAt: 0,
  updatedAt: 1000,
});

describe('Block Kit rendering', () => {
  it('mentions a person by Slack id when known, by name otherwise', () => {
    const person = (ref: string, slackUserId?: string) => ({
      person: { ref, displayName: ref.toUpperCase(), email: null, chatIds: slackUserId ? { slack: slackUserId } : {} },
    });
    const { blocks } = toBlockKit(reply([{ type: 'section', text: [person('a', 'U01'), ', ', person('b'), ', ', person('c')] }]), new Map([['c', 'U03']]));
    expect(blocks[0]).toEqual({ type: 'section', text: { type: 'mrkdwn', text: '<@U01>, B, <@U03>', verbatim: true } });
  });

  it('escapes &, < and > in text and links', () => {
    const { blocks } = toBlockKit(reply([{ type: 'section', text: ['a<b>&c ', { link: 'https://x.example/?a=1', text: 'R&D <docs>' }] }]));
    expect((blocks[0] as { text: { text: string } }).text.text).toBe('a&lt;b&gt;&amp;c <https://x.example/?a=1|R&amp;D &lt;docs&gt;>');
  });

  it('cuts a long list to fit one section and says how many more', () => {
    const items = Array.from({ length: 500 }, (_, i) => [`member-number-${i}`]);
    const { blocks } = toBlockKit(reply([{ type: 'list', title: 'Members', items }]));
    const text = (blocks[0] as { text: { text: string } }).text.text;
    expect(text.length).toBeLessThanOrEqual(LIMITS.sectionText);
    expect(text).toMatch(/…and \d+ more$/);
    const shown = text.split('\n').filter((l) => l.startsWith('• ')).length;
    expect(text).toContain(`…and ${500 - shown} more`);
  });

  it('keeps at most 50 blocks, the last saying what was left out', () => {
    const { blocks } = toBlockKit(reply(Array.from({ length: 70 }, () => ({ type: 'divider' as const }))));
    expect(blocks).toHaveLength(LIMITS.blocks);
    expect(JSON.stringify(blocks.at(-1))).toContain('…and 21 more blocks not shown');
  });

  it('splits more than ten fields over several sections', () => {
    const fields = Array.from({ length: 13 }, (_, i) => ({ label: `F${i}`, value: ['v'] }));
    const { blocks } = toBlockKit(reply([{ type: 'fields', fields }]));
    expect(blocks.map((b) => (b.fields as unknown[]).length)).toEqual([10, 3]);
  });

  it('gives every button a unique action id and keeps labels within 75 characters', () => {
    const buttons = Array.from({ length: 3 }, (_, i) => ({ action: `whoowns|x${i}`, label: 'L'.repeat(100) }));
    const { blocks } = toBlockKit(
      reply([
        { type: 'actions', buttons },
        { type: 'actions', buttons },
      ]),
    );
    const elements = blocks.flatMap((b) => b.elements as { action_id: string; text: { text: string } }[]);
    expect(new Set(elements.map((e) => e.action_id)).size).toBe(6);
    expect(Math.max(...elements.map((e) => e.text.text.length))).toBe(LIMITS.buttonText);
  });

  it('renders times as Slack dates with the UTC fallback', () => {
    const { blocks } = toBlockKit(reply([{ type: 'context', text: [{ time: '2026-11-24T09:00:00.000Z', fallback: '2026-11-24 09:00 UTC' }] }]));
    expect(JSON.stringify(blocks)).toContain('<!date^1795510800^{date_short_pretty} {time}|2026-11-24 09:00 UTC>');
  });

  it('lists the people a reply mentions, once each', () => {
    const p = { person: { ref: 'user:default/a', displayName: 'A', email: 'a@x.example', chatIds: {} } };
    expect(
      peopleIn(
        reply([
          { type: 'fields', fields: [{ label: 'x', value: [p] }] },
          { type: 'list', title: 't', items: [[p]] },
        ]),
      ),
    ).toHaveLength(1);
  });
});

describe('catalog text never speaks for the bot', () => {
  let tree: TempTree;
  let catalog: Catalog;
  let conversation: Conversation;
  const now = new Date('2026-03-04T12:00:00Z');
  beforeAll(async () => {
    tree = tempTree();
    catalog = openCatalog(tree.path('catalog.db'));
    const report = await catalog.ingest([writeHostileCatalog(tree)]);
    expect(report.problems).toEqual([]);
    conversation = createConversation({ catalog, now: () => now });
  });
  afterAll(() => {
    catalog.close();
    tree.cleanup();
  });

  const whoOwns = () => toBlockKit(conversation.reply({ kind: 'whoowns', query: 'evil-api' }));

  it('an ownership card carries no live markup from the descriptor, in blocks or in the text fallback', () => {
    const message = whoOwns();
    expect(JSON.stringify(message.blocks)).toContain('Evil API');
    expect(liveMarkup(message)).toEqual([]);
  });

  it('the text fallback escapes the title and the owner name', () => {
    expect(whoOwns().text).toBe('&lt;!channel&gt; Evil API \u001b]0;pwned\u0007 is owned by &lt;!here&gt; Team \u001b[2J&amp; Co\u202e');
  });

  it('links with a refused URL are shown as escaped text, never as links', () => {
    const text = mrkdwnTexts(whoOwns()).join('\n');
    expect(text).toContain('Link 0 &lt;!everyone&gt; (javascript:alert(1))');
    expect(text).toContain('Link 2 &lt;!everyone&gt; (https://ok.example/a|&lt;!channel&gt;)');
    expect(text).toContain('Runbook (https://ok.example/rb&gt;|&lt;!channel&gt;)');
  });

  it('a valid link stays a link, its text escaped and unable to split it', () => {
    expect(mrkdwnTexts(whoOwns()).join('\n')).toContain(`<${VALID_URL}|&lt;!here&gt; Docs¦&lt;!channel&gt;>`);
  });

  it('mentions only a Slack user id of the right format; others are named', () => {
    const text = mrkdwnTexts(whoOwns()).join('\n');
    expect(text).toContain(`<@${VALID_USER_ID}>`);
    expect(text).toContain('&lt;@U0ADMIN&gt; Mallory');
    expect(text).toContain('• Eve');
  });

  it('an invalid id from the people resolver is not a mention either', () => {
    const person = { person: { ref: 'user:default/x', displayName: 'X', email: null, chatIds: {} } };
    const { blocks } = toBlockKit(reply([{ type: 'section', text: [person] }]), new Map([['user:default/x', '!channel']]));
    expect(blocks[0]).toMatchObject({ text: { text: 'X' } });
  });

  it('shows the team channel as text unless it is a channel id', () => {
    expect(mrkdwnTexts(whoOwns()).join('\n')).toContain('&lt;#C0GENERAL|general&gt; &lt;!here&gt;');
    const channel = (name: string) => toBlockKit(reply([{ type: 'section', text: [{ channel: name }] }])).blocks[0];
    expect(channel('C0PAYMENTS')).toMatchObject({ text: { text: '<#C0PAYMENTS>' } });
    expect(channel('#team-payments')).toMatchObject({ text: { text: '#team-payments' } });
  });

  it('marks every mrkdwn text verbatim, so Slack does not turn a bare @channel or #channel into markup', () => {
    const texts: unknown[] = [];
    JSON.stringify(whoOwns().blocks, (_k, v: unknown) => ((v as { type?: string })?.type === 'mrkdwn' && texts.push(v), v));
    expect(texts.length).toBeGreaterThan(3);
    for (const t of texts) expect(t).toMatchObject({ verbatim: true });
  });

  it('an incident card and a runbook card carry no live markup either', async () => {
    expect(liveMarkup(toBlockKit(await conversation.incidentCard('component:default/evil-api')))).toEqual([]);
    const runbook = toBlockKit(conversation.reply({ kind: 'runbook', query: 'evil-api' }));
    expect(liveMarkup(runbook)).toEqual([]);
    expect(runbook.text).toContain('https://ok.example/rb&gt;|&lt;!channel&gt;');
  });

  it('a date keeps its fallback escaped', () => {
    const { blocks } = toBlockKit(reply([{ type: 'context', text: [{ time: '2026-11-24T09:00:00.000Z', fallback: '<!channel>|x' }] }]));
    expect(liveMarkup({ blocks })).toEqual([]);
  });

  it('webhook outputs in a status card are text: step detail, error, links and shown inputs', () => {
    const status = {
      ...statusFixture(),
      phase: 'failed' as const,
      error: 'hook said <!channel>',
      steps: [{ id: 's', title: 'Call <!here>', state: 'failed' as const, detail: '<@U0ADMIN> <https://phish.example|bank>' }],
      links: [
        { title: '<!channel> PR', url: 'javascript:alert(1)' },
        { title: 'ok', url: VALID_URL },
      ],
      shownInputs: [{ label: '<!here>', value: '<#C0GENERAL>' }],
    };
    for (const card of [statusCard(status), outcomeCard(status)]) {
      const message = toBlockKit(card);
      expect(liveMarkup(message)).toEqual([]);
      expect(mrkdwnTexts(message).join('\n')).toContain('&lt;!channel&gt; PR (javascript:alert(1))');
    }
  });
});
