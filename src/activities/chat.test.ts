/** Approvers are asked on every surface that knows them, and whoever cannot be asked anywhere is named with why. */
import { describe, expect, it } from 'vitest';
import type { ChatNotifier } from '../conversation/index.js';
import type { ActionStatus, PersonRef } from '../../workflows/contract.js';
import { chatActivities } from './chat.js';

const person = (name: string): PersonRef => ({ ref: `user:default/${name}`, displayName: name, email: `${name}@example.com`, chatIds: {} });
const status: ActionStatus = {
  workflowId: 'create-service/x',
  action: 'create-service',
  title: 'Create a service',
  summary: 'Create a service: x',
  requester: person('diego'),
  target: 'component:default/x',
  shownInputs: [{ label: 'Service name', value: 'x' }],
  phase: 'awaiting-approval',
  approval: { status: 'pending', votes: [], reminded: false, escalated: false },
  approvalRules: ['team-platform'],
  approvers: [person('ana'), person('ben')],
  steps: [],
  links: [],
  startedAt: 0,
  updatedAt: 0,
};

function notifier(dm: (p: PersonRef) => Promise<string | null>): ChatNotifier {
  const none = async () => {
    throw new Error('not used');
  };
  return { post: none, edit: none, reply: none, createChannel: none, dm: (p) => dm(p) };
}

describe('askApprovers across surfaces', () => {
  it('asks on the request’s own platform first, then on the others', async () => {
    const asked: string[] = [];
    const chat = chatActivities({
      notifiers: {
        teams: notifier(async (p) => (asked.push(`teams:${p.displayName}`), p.displayName === 'ana' ? 'teams:a:1:2' : null)),
        slack: notifier(async (p) => (asked.push(`slack:${p.displayName}`), 'slack:D1:1.1')),
      },
    });
    const results = await chat.askApprovers(status, [person('ana'), person('ben')], 'request', 'teams:a%3A1');
    expect(results.map((r) => r.dm)).toEqual(['teams:a:1:2', 'slack:D1:1.1']);
    expect(asked).toEqual(['teams:ana', 'teams:ben', 'slack:ben']);
  });

  it('names why someone could not be asked anywhere: a Teams block is said as such', async () => {
    const chat = chatActivities({
      notifiers: {
        teams: notifier(async () => {
          throw new Error('they have blocked Switchboard in Teams (MessageWritesBlocked)');
        }),
        slack: notifier(async () => null),
      },
    });
    const [result] = await chat.askApprovers(status, [person('ana')], 'request', 'teams:a%3A1');
    expect(result).toMatchObject({ dm: null, code: 'dm-failed' });
    expect(result?.reason).toContain('Microsoft Teams: they have blocked Switchboard in Teams');
  });

  it('says no account is linked when no surface knows the person', async () => {
    const chat = chatActivities({ notifiers: { slack: notifier(async () => null), teams: notifier(async () => null) } });
    const [result] = await chat.askApprovers(status, [person('ana')], 'request', 'slack:C1');
    expect(result).toMatchObject({
      dm: null,
      code: 'no-account',
      reason: 'no Slack or Microsoft Teams account is linked to them in the catalog (chat id or e-mail)',
    });
  });
});
