/**
 * Break-glass through Slack on a real Temporal server: a channel named #inc-… is no incident, and a
 * schedule another team owns makes nobody on call for the service. The legitimate case (a card posted
 * for the service, the on-call of its owner's schedule) is in self-service.e2e.test.ts.
 */
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { tempTree, yamlDoc, type TempTree } from './testing/fixtures.js';
import { type Harness, slackId, startHarness } from './testing/harness.js';
import { describeWithTemporal, startTemporal } from './testing/temporal.js';

const refusal = (h: Harness, needle: string) => h.emu.waitForResponse((r) => JSON.stringify(r.body).includes(needle), 10_000);

describeWithTemporal('break-glass needs an incident about the service and its owner’s on-call', () => {
  let temporal: TestWorkflowEnvironment;
  let h: Harness;
  let extra: TempTree;

  beforeAll(async () => {
    temporal = await startTemporal();
    h = await startHarness({ temporalAddress: temporal.address, taskQueue: `e2e-${randomUUID()}` });
    // A service of team-payments whose descriptor points at team-storefront's schedule.
    extra = tempTree('switchboard-shadow-');
    extra.write(
      'shadow.yaml',
      yamlDoc({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: { name: 'shadow-api', annotations: { 'switchboard.dev/oncall-schedule': 'storefront' } },
        spec: { type: 'service', lifecycle: 'production', owner: 'team-payments' },
      }),
    );
    const report = await h.app.catalog.ingest([extra.dir]);
    expect(report.problems).toEqual([]);
  }, 120_000);

  afterAll(async () => {
    await h?.stop();
    await temporal?.teardown();
    extra?.cleanup();
  });

  it('refuses the on-call in an #inc- channel that has no card for the service', async () => {
    const onCall = h.app.catalog.whoOwns('payments-api').onCall[0]?.user ?? '';
    await h.command(slackId(onCall.replace('user:default/', '')), '/rollback', 'payments-api to 1.2.3 --break-glass', { id: 'CINCOTHER', name: 'inc-other' });
    await refusal(h, 'Break-glass refused: break-glass needs an open incident');
    expect((await h.app.audit.list({ workflowId: 'rollback/payments-api' })).map((r) => r.event)).not.toContain('break_glass');
  });

  it('refuses someone on call only through a schedule another team owns', async () => {
    const foreign = h.app.catalog.whoOwns('shadow-api').onCall[0]?.user ?? '';
    expect(foreign).not.toBe('');
    // An open incident about shadow-api: the card Switchboard posted for it, as the events listener records it.
    await h.app.state.claimIncidentPost('slack:CINCPAY', 'component:default/shadow-api');
    await h.app.state.settleIncidentPost('slack:CINCPAY', 'component:default/shadow-api', '1712.0009');
    await h.command(slackId(foreign.replace('user:default/', '')), '/rollback', 'shadow-api to 1.2.3 --break-glass', {
      id: 'CINCPAY',
      name: 'inc-payments-api-errors',
    });
    await refusal(h, 'Break-glass refused: only the on-call for shadow-api can use break-glass');
  });
});
