import { describe, expect, it } from 'vitest';
import { decodeAction, plain } from '../conversation/index.js';
import type { Attestation } from '../state/truth.js';
import { ASK_PAGE, askReply } from './ask-card.js';

const team = { ref: 'group:default/team-payments', displayName: 'Payments' };
const refs = (n: number) => Array.from({ length: n }, (_, i) => ({ ref: `component:default/svc-${String(i).padStart(2, '0')}`, entity: null }));
const buttons = (reply: ReturnType<typeof askReply>) => reply.blocks.flatMap((b) => (b.type === 'actions' ? b.buttons : []));

describe('askReply', () => {
  it('shows a page of entities with their buttons, then "and N more" and Confirm all', () => {
    const reply = askReply({ round: '2026-Q4', team, entities: refs(ASK_PAGE + 5), answers: new Map() });
    expect(buttons(reply).filter((b) => b.label === 'Confirm')).toHaveLength(ASK_PAGE);
    expect(reply.blocks.some((b) => b.type === 'context' && plain(b.text).startsWith('…and 5 more'))).toBe(true);
    const all = buttons(reply).find((b) => b.label.startsWith('Confirm all'));
    expect(all && decodeAction(all.action)).toEqual({ kind: 'attest', answer: 'confirm-all', round: '2026-Q4', team: team.ref });
    expect(reply.blocks.length).toBeLessThanOrEqual(50);
  });

  it('puts an answer in place of its buttons and the unanswered first', () => {
    const [first, second] = refs(2) as [{ ref: string; entity: null }, { ref: string; entity: null }];
    const answer: Attestation = {
      entityRef: first.ref,
      ownerRef: team.ref,
      verdict: 'confirmed',
      byRef: 'user:default/amara',
      byName: 'Amara Okafor',
      at: 1,
      proposedOwner: null,
      change: null,
    };
    const reply = askReply({ round: '2026-Q4', team, entities: [first, second], answers: new Map([[first.ref, answer]]) });
    const sections = reply.blocks.filter((b) => b.type === 'section').map((b) => plain(b.text));
    expect(sections.at(1)).toContain(second.ref);
    expect(sections.at(2)).toContain('✅ confirmed by Amara Okafor');
    expect(buttons(reply).map((b) => decodeAction(b.action))).toEqual([
      { kind: 'attest', answer: 'confirm', round: '2026-Q4', team: team.ref, entity: second.ref },
      { kind: 'attest', answer: 'disown', round: '2026-Q4', team: team.ref, entity: second.ref },
    ]);
  });
});
