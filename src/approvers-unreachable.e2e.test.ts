/**
 * Never a false claim about approvers, end to end (signed Slack requests, the Slack emulator, a real
 * Temporal dev server): a request nobody who could approve it can be asked ends at once and tells the
 * requester who could not be reached and why; one where enough of them were reached goes on, and says
 * who was missed.
 */
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { tempTree } from './testing/fixtures.js';
import type { EmulatorCall } from './testing/slack-emulator.js';
import { startSlackEmulator } from './testing/slack-emulator.js';
import { type Harness, slackId, slackUsers, startHarness } from './testing/harness.js';
import { describeWithTemporal, startTemporal } from './testing/temporal.js';
import { actionStatusQuery } from '../workflows/index.js';

const DIEGO = slackId('diego-alvarez');
const TOMASZ = slackId('tomasz-nowak');

/** A team whose only member has no Slack account: no annotation, and an e-mail Slack does not know. */
const LONELY = `apiVersion: backstage.io/v1alpha1
kind: Group
metadata: { name: team-lonely }
spec: { type: team, children: [], members: [larry-lonely] }
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: { name: larry-lonely }
spec: { profile: { displayName: Larry Lonely, email: larry@elsewhere.example }, memberOf: [team-lonely] }
`;
const action = (name: string, group: string) => `apiVersion: switchboard.dev/v1alpha1
kind: Action
metadata: { name: ${name}, title: Ask ${group}, description: Needs one of ${group} }
spec:
  command: /${name}
  usage: <name>
  key: "{{name}}"
  inputs:
    - { name: name, title: Name, type: string, required: true }
  approval: { approvers: [{ group: ${group} }] }
  steps:
    - { id: links, title: Post the links, run: post-links }
`;

const text = (call: EmulatorCall) => JSON.stringify(call.args.blocks ?? []) + String(call.args.text ?? '');

describeWithTemporal('approvers who cannot be reached', () => {
  let temporal: TestWorkflowEnvironment;
  let h: Harness;

  beforeAll(async () => {
    temporal = await startTemporal();
    const tree = tempTree('switchboard-unreachable-');
    // The registry is ingested with the catalog at start: the lonely team is in the catalog.
    tree.write('data/registry/lonely.yaml', LONELY);
    // Grace (team-fulfilment) is not in this Slack workspace; Tomasz is. Neither is team-identity:
    // Priya's catalog entry names a Slack id the workspace no longer has (the DM fails), Arjun has none.
    const gone = ['grace-mensah', 'priya-raman', 'arjun-mehta'];
    const emu = await startSlackEmulator({ users: slackUsers().filter((u) => !gone.includes(u.name)), channels: [{ id: 'CGENERAL', name: 'general' }] });
    h = await startHarness({
      temporalAddress: temporal.address,
      taskQueue: `e2e-${randomUUID()}`,
      tree,
      emu,
      extraActions: {
        'ask-lonely.yaml': action('ask-lonely', 'team-lonely'),
        'ask-identity.yaml': action('ask-identity', 'team-identity'),
        'ask-fulfilment.yaml': action('ask-fulfilment', 'team-fulfilment'),
      },
    });
  }, 120_000);

  afterAll(async () => {
    await h?.stop();
    await temporal?.teardown();
  });

  it('ends a request whose only approver has no Slack account at once, naming them and why', async () => {
    const res = await h.command(DIEGO, '/ask-lonely', 'beans');
    expect(res.status).toBe(200);
    const id = 'ask-lonely/beans';
    // The started answer does not claim the DMs went out.
    const started = JSON.stringify((await h.emu.waitForResponse((r) => JSON.stringify(r.body).includes(id), 10_000)).body);
    expect(started).toContain('I am asking the approvers');
    expect(started).not.toMatch(/have been asked/);

    const reply = await h.emu.waitFor('chat.postMessage', (c) => Boolean(c.args.thread_ts) && text(c).includes(id), 20_000);
    expect(text(reply)).toContain('Larry Lonely (no Slack account is linked to them in the catalog');
    const status = await temporal.client.workflow.getHandle(id).query(actionStatusQuery);
    expect(status.phase).toBe('unreachable');
    expect(status.asked).toEqual([]);
    expect(status.unreachable).toEqual([{ ref: 'user:default/larry-lonely', displayName: 'Larry Lonely', reason: expect.stringMatching(/^no Slack account/) }]);
    // Ended, not waiting for an expiry a day away.
    await temporal.client.workflow.getHandle(id).result();
    const rows = await h.app.audit.list({ workflowId: id });
    expect(rows.map((r) => r.event)).toEqual(['requested', 'unreachable']);
    expect(JSON.stringify(rows[1]?.detail)).toContain('larry-lonely');
  });

  it('says why each approver could not be reached: a refused DM and a missing account', async () => {
    await h.command(DIEGO, '/ask-identity', 'badge');
    const id = 'ask-identity/badge';
    const reply = await h.emu.waitFor('chat.postMessage', (c) => Boolean(c.args.thread_ts) && text(c).includes(id), 20_000);
    expect(text(reply)).toMatch(/Priya Raman \(the DM failed: [^)]*channel_not_found\)/);
    expect(text(reply)).toContain('Arjun Mehta (no Slack account is linked to them');
    expect((await temporal.client.workflow.getHandle(id).result()).phase).toBe('unreachable');
  });

  it('goes on when enough approvers were reached, and says who could not be asked', async () => {
    await h.command(DIEGO, '/ask-fulfilment', 'crema');
    const id = 'ask-fulfilment/crema';
    await h.emu.waitFor('chat.postMessage', (c) => c.args.channel === TOMASZ && text(c).includes(id), 10_000);
    const edited = await h.emu.waitFor(
      'chat.update',
      (c) => c.args.channel === 'CGENERAL' && text(c).includes(id) && text(c).includes('Could not be asked'),
      10_000,
    );
    expect(text(edited)).toContain('Grace Mensah (no Slack account');
    expect(text(edited)).toContain('Asked in DMs: ');
    const status = await temporal.client.workflow.getHandle(id).query(actionStatusQuery);
    expect(status).toMatchObject({ phase: 'awaiting-approval', asked: ['user:default/tomasz-nowak'] });
  });
});
