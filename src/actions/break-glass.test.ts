/**
 * Break-glass on a real catalog and real bot state: only the on-call of a schedule the service's owner
 * owns may use it, and only while an incident card for that service is open; a channel's name proves
 * nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAudit, type AuditLog } from '../audit/index.js';
import { openCatalog, type Catalog } from '../catalog/index.js';
import { openDeployments, type DeploymentLog } from '../deployments/index.js';
import { openState, type BotState } from '../state/index.js';
import { group, tempTree, yamlDoc, type TempTree } from '../testing/fixtures.js';
import { loadActions, type ActionDefinition } from './definition.js';
import { type Actor, createLauncher, type Launcher } from './launcher.js';

const AT = new Date('2026-03-04T12:00:00Z');
const DAY = 24 * 3_600_000;
const user = (name: string, slack: string) =>
  yamlDoc({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name, annotations: { 'switchboard.dev/slack-user-id': slack } },
    spec: { profile: { displayName: name, email: `${name}@example.test` } },
  });
const schedule = (name: string, owner: string, participant: string) =>
  yamlDoc({
    apiVersion: 'switchboard.dev/v1alpha1',
    kind: 'Schedule',
    metadata: { name },
    spec: { owner, rotations: [{ name: 'primary', start: '2026-01-05T09:00', every: '1w', participants: [participant] }] },
  });
const service = (name: string, owner: string, annotations: Record<string, string> = {}) =>
  yamlDoc({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, annotations },
    spec: { type: 'service', lifecycle: 'production', owner },
  });

let tree: TempTree;
let catalog: Catalog;
let state: BotState;
let deployments: DeploymentLog;
let audit: AuditLog;
let rollback: ActionDefinition;
let launcher: Launcher;

beforeAll(async () => {
  tree = tempTree();
  tree.write(
    'org.yaml',
    [
      user('alice', 'UALICE'),
      user('bob', 'UBOB'),
      user('carol', 'UCAROL'),
      group('team-a', { members: ['alice'] }),
      group('team-b', { members: ['bob'] }),
      group('team-c', { members: ['carol'] }, { annotations: { 'switchboard.dev/oncall-schedule': 'sched-b' } }),
    ].join('---\n'),
  );
  tree.write('schedules.yaml', [schedule('sched-a', 'team-a', 'alice'), schedule('sched-b', 'team-b', 'bob')].join('---\n'));
  // svc-pointed: its descriptor points at team-b's schedule; svc-c: its owner team-c points at team-b's schedule.
  tree.write(
    'services.yaml',
    [
      service('svc-a', 'team-a'),
      service('svc-a2', 'team-a'),
      service('svc-pointed', 'team-a', { 'switchboard.dev/oncall-schedule': 'sched-b' }),
      service('svc-c', 'team-c'),
    ].join('---\n'),
  );
  const file = tree.path('sb.db');
  catalog = openCatalog(file);
  const report = await catalog.ingest([tree.dir]);
  expect(report.problems).toEqual([]);
  state = openState(file, () => AT.getTime());
  deployments = openDeployments(file);
  audit = openAudit(file, () => AT);
  rollback = loadActions(new URL('../../manifests/actions/', import.meta.url).pathname).actions.find((a) => a.metadata.name === 'rollback') as ActionDefinition;
  launcher = createLauncher({
    temporal: {
      client: async () => {
        throw new Error('unused');
      },
    },
    taskQueue: 'break-glass-test',
    actions: [rollback],
    catalog,
    deployments,
    audit,
    incidents: (ref) => state.incidentsFor(ref, DAY),
    now: () => AT,
  });
});

afterAll(() => {
  audit?.close();
  deployments?.close();
  state?.close();
  catalog?.close();
  tree?.cleanup();
});

const actor = (name: string): Actor => ({
  id: `slack:U${name.toUpperCase()}`,
  ref: `user:default/${name}`,
  displayName: name,
  email: `${name}@example.test`,
  chatIds: { slack: `U${name.toUpperCase()}` },
});
/** A card Switchboard posted for the service into an incident channel (what the events listener records). */
const cardPosted = async (channel: string, ref: string) => {
  expect(await state.claimIncidentPost(`slack:${channel}`, ref)).toBe(true);
  await state.settleIncidentPost(`slack:${channel}`, ref, '1712.0001');
};
const glass = (service: string, who: string, where: string, opts: Record<string, unknown> = {}) =>
  launcher.plan(rollback, { service, version: '1.0.0' }, actor(who), where, { breakGlass: true, ...opts });

describe('break-glass needs an open incident about that service', () => {
  it('refuses the on-call in an #inc- channel that has no card for the service', async () => {
    // The Slack listener used to pass the channel's name as the incident, and that was enough.
    const result = await glass('svc-a', 'alice', 'slack:CINCOTHER', { incident: '#inc-other' });
    expect(result).toEqual({ kind: 'refused', reason: 'Break-glass refused: break-glass needs an open incident.' });
  });

  it('does not count a card that was claimed but never posted', async () => {
    expect(await state.claimIncidentPost('slack:CHALF', 'component:default/svc-a2')).toBe(true);
    try {
      expect(await state.incidentsFor('component:default/svc-a2', DAY)).toEqual([]);
    } finally {
      await state.settleIncidentPost('slack:CHALF', 'component:default/svc-a2', null);
    }
  });

  it('lets the on-call of the owner’s schedule proceed while a card for the service is open, naming that incident', async () => {
    await cardPosted('CINCA', 'component:default/svc-a');
    const result = await glass('svc-a', 'alice', 'slack:CINCA');
    expect('ok' in result && result.request.breakGlass).toEqual({ approver: 'user:default/alice', incident: 'slack:CINCA' });
  });

  it('does not count an incident about another service', async () => {
    await cardPosted('CINCB', 'component:default/svc-c');
    const result = await glass('svc-a2', 'alice', 'slack:CINCB');
    expect(result).toEqual({ kind: 'refused', reason: 'Break-glass refused: break-glass needs an open incident.' });
  });
});

describe('break-glass counts only schedules the service’s owner owns', () => {
  it('refuses someone on call through a schedule of another team that the service’s descriptor points at', async () => {
    await cardPosted('CINCP', 'component:default/svc-pointed');
    const result = await glass('svc-pointed', 'bob', 'slack:CINCP');
    expect(result).toMatchObject({ kind: 'refused', reason: expect.stringMatching(/^Break-glass refused: only the on-call for svc-pointed/) });
  });

  it('refuses someone on call through a schedule of another team that the owner group points at', async () => {
    await cardPosted('CINCC', 'component:default/svc-c');
    const result = await glass('svc-c', 'bob', 'slack:CINCC');
    expect(result).toMatchObject({ kind: 'refused', reason: expect.stringMatching(/^Break-glass refused: only the on-call for svc-c/) });
  });

  it('still shows the pointed-at schedule’s on-call on the card', async () => {
    expect(catalog.whoOwns('svc-pointed', AT).onCall.map((o) => o.user)).toEqual(['user:default/bob']);
  });
});
