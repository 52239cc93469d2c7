/** What the workflow concludes from who was reached: pure rules, shared by the request and the status. */
import { describe, expect, it } from 'vitest';
import type { ApprovalPolicy } from './approval-rules.js';
import { canStillBeMet, dmRefs, unreached } from './reach.js';

const policy: ApprovalPolicy = {
  requester: 'user:default/rita',
  selfApproval: false,
  rules: [{ description: 'team-platform (2 of 3)', required: 2, approvers: ['user:default/ann', 'user:default/bob', 'user:default/rita'] }],
};

describe('whether a request can still be approved by the people reached', () => {
  it('can when each rule has its required number among them', () => {
    expect(canStillBeMet(policy, new Set(['user:default/ann', 'user:default/bob']))).toBe(true);
  });

  it('cannot when one rule falls short, even if someone was reached', () => {
    expect(canStillBeMet(policy, new Set(['user:default/ann']))).toBe(false);
  });

  it('does not count the requester unless self-approval is allowed', () => {
    expect(canStillBeMet(policy, new Set(['user:default/ann', 'user:default/rita']))).toBe(false);
    expect(canStillBeMet({ ...policy, selfApproval: true }, new Set(['user:default/ann', 'user:default/rita']))).toBe(true);
  });
});

describe('the askApprovers answer', () => {
  it('is read in its old form too (DM refs only), as workflows started before it replay', () => {
    expect(dmRefs(['slack:D1:1.1', 'slack:D2:1.2'])).toEqual(['slack:D1:1.1', 'slack:D2:1.2']);
    expect(unreached(['slack:D1:1.1'])).toEqual([]);
  });

  it('names who was not reached and why', () => {
    const answer = [
      { ref: 'user:default/ann', displayName: 'Ann', dm: 'slack:D1:1.1' },
      {
        ref: 'user:default/bob',
        displayName: 'Bob',
        dm: null,
        reason: 'no Slack account is linked to them in the catalog (chat id or e-mail)',
        code: 'no-account' as const,
      },
    ];
    expect(dmRefs(answer)).toEqual(['slack:D1:1.1']);
    expect(unreached(answer)).toEqual([
      { ref: 'user:default/bob', displayName: 'Bob', reason: 'no Slack account is linked to them in the catalog (chat id or e-mail)' },
    ]);
  });
});
