import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../cli.js';
import { component, tempTree, type TempTree } from '../testing/fixtures.js';
import { startPagerDutyEmulator, type PagerDutyEmulator } from '../testing/pagerduty-emulator.js';

let tree: TempTree;
let pd: PagerDutyEmulator;
beforeEach(async () => {
  tree = tempTree();
  tree.write('cat/services.yaml', component('payments-api', { owner: 'team-payments' }, { annotations: { 'pagerduty.com/service-id': 'PSVC' } }));
  // The CLI asks about the real now: a shift that started an hour ago and lasts a day.
  const start = new Date(Date.now() - 3_600_000);
  pd = await startPagerDutyEmulator({
    account: {
      users: [{ id: 'PALICE', name: 'Alice', email: 'alice@example.com' }],
      schedules: [{ id: 'PDAY', name: 'Payments primary', time_zone: 'UTC', rotation: { userIds: ['PALICE'], start: start.toISOString(), shiftHours: 24 } }],
      escalationPolicies: [{ id: 'PPAY', name: 'Payments', rules: [{ targets: [{ type: 'schedule_reference', id: 'PDAY' }] }] }],
      services: [{ id: 'PSVC', name: 'payments-api', escalationPolicyId: 'PPAY' }],
    },
  });
});
afterEach(async () => {
  await pd.close();
  tree.cleanup();
});

async function whoowns(...extra: string[]) {
  const out: string[] = [];
  const env = { SWITCHBOARD_CATALOG: tree.path('cat'), PAGERDUTY_API_TOKEN: pd.token, PAGERDUTY_API_URL: pd.url };
  const code = await main(['whoowns', 'payments-api', '--db', tree.path('c.db'), ...extra], { out: (s) => out.push(s), err: () => {} }, env);
  return { code, out: out.join('\n') };
}

describe('switchboard whoowns with PagerDuty configured', () => {
  it('gives PagerDuty’s on-call in the onCall JSON shape', async () => {
    const r = await whoowns('--json');
    expect(r.code).toBe(0);
    const answer = JSON.parse(r.out) as { onCall: { user: string; source: string; until: string }[]; onCallUnknown?: unknown };
    expect(answer.onCall).toMatchObject([{ user: 'email:alice@example.com', source: 'pagerduty:service/PSVC' }]);
    expect(answer.onCallUnknown).toBeUndefined();
  });

  it('says PagerDuty refused the token, in onCallUnknown and in the text', async () => {
    pd.fail(401, { times: 2 });
    const json = JSON.parse((await whoowns('--json')).out) as { onCall: unknown[]; onCallUnknown: unknown };
    expect(json).toMatchObject({ onCall: [], onCallUnknown: [{ provider: 'pagerduty', reason: 'PagerDuty refused the token (401)' }] });
    expect((await whoowns()).out).toContain('unknown — PagerDuty refused the token (401)');
  });
});
