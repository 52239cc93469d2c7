import { describe, expect, it } from 'vitest';
import type { Reply } from '../../conversation/index.js';
import { LIMITS, peopleIn, toBlockKit } from './render.js';

const reply = (blocks: Reply['blocks']): Reply => ({ summary: 'summary', blocks, visibility: 'private' });

describe('Block Kit rendering', () => {
  it('mentions a person by Slack id when known, by name otherwise', () => {
    const person = (ref: string, slackUserId?: string) => ({ person: { ref, displayName: ref.toUpperCase(), email: null, slackUserId } });
    const { blocks } = toBlockKit(reply([{ type: 'section', text: [person('a', 'U1'), ', ', person('b'), ', ', person('c')] }]), new Map([['c', 'U3']]));
    expect(blocks[0]).toEqual({ type: 'section', text: { type: 'mrkdwn', text: '<@U1>, B, <@U3>' } });
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
    const { blocks } = toBlockKit(reply([{ type: 'actions', buttons }, { type: 'actions', buttons }]));
    const elements = blocks.flatMap((b) => b.elements as { action_id: string; text: { text: string } }[]);
    expect(new Set(elements.map((e) => e.action_id)).size).toBe(6);
    expect(Math.max(...elements.map((e) => e.text.text.length))).toBe(LIMITS.buttonText);
  });

  it('renders times as Slack dates with the UTC fallback', () => {
    const { blocks } = toBlockKit(reply([{ type: 'context', text: [{ time: '2026-11-24T09:00:00.000Z', fallback: '2026-11-24 09:00 UTC' }] }]));
    expect(JSON.stringify(blocks)).toContain('<!date^1795510800^{date_short_pretty} {time}|2026-11-24 09:00 UTC>');
  });

  it('lists the people a reply mentions, once each', () => {
    const p = { person: { ref: 'user:default/a', displayName: 'A', email: 'a@x.example' } };
    expect(peopleIn(reply([{ type: 'fields', fields: [{ label: 'x', value: [p] }] }, { type: 'list', title: 't', items: [[p]] }]))).toHaveLength(1);
  });
});
