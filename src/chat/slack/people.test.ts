/**
 * Identity: a Slack account (the user id of a signed request) is at most one catalog User. Descriptor
 * authors who copy someone's Slack id or e-mail into a User of their own become nobody, make nobody
 * them, and cannot approve their own request. Real catalog, real Slack client against the emulator.
 */
import { webApi } from '@slack/bolt';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAudit, type AuditLog } from '../../audit/index.js';
import { openCatalog, type Catalog } from '../../catalog/index.js';
import { openDeployments, type DeploymentLog } from '../../deployments/index.js';
import { loadActions, type ActionDefinition } from '../../actions/definition.js';
import { createLauncher, type Launcher } from '../../actions/launcher.js';
import { SAMPLE_CATALOG, tempTree, yamlDoc, type TempTree } from '../../testing/fixtures.js';
import { startSlackEmulator, type SlackEmulator } from '../../testing/slack-emulator.js';
import { catalogIdentity } from '../../conversation/identity.js';
import { createIdentityResolver, type IdentityResolver } from './people.js';

const NOAH = { id: 'U06NF3K7PLV', email: 'noah.fischer@quillmere.example', name: 'noah-fischer' };
const YUKI = { id: 'UYUKITANAKA', email: 'yuki.tanaka@quillmere.example', name: 'yuki-tanaka' };
const ELENA = { id: 'U02E7PQ4VLA', email: 'elena.petrova@quillmere.example', name: 'elena-petrova' };
const user = (name: string, profile: Record<string, string>, annotations: Record<string, string> = {}) =>
  yamlDoc({ apiVersion: 'backstage.io/v1alpha1', kind: 'User', metadata: { name, annotations }, spec: { profile } });

const create = loadActions(fileURLToPath(new URL('../../../manifests/actions/', import.meta.url))).actions.find(
  (a) => a.metadata.name === 'create-service',
) as ActionDefinition;
const beans = { name: 'beans-api', owner: 'team-payments', system: 'payments' };

let tree: TempTree;
let catalog: Catalog;
let emu: SlackEmulator;
let deployments: DeploymentLog;
let audit: AuditLog;
let launcher: Launcher;
let identify: IdentityResolver;
const warnings: { obj: Record<string, unknown>; msg: string }[] = [];

beforeAll(async () => {
  tree = tempTree();
  // A descriptor author's file, ingested before the sample so a first-match lookup would pick it:
  // a User with Noah's e-mail, and two Users that both say they are Elena's Slack account.
  tree.write(
    'attacker/users.yaml',
    [user('aaa-noah', { email: NOAH.email }), user('aaa-elena', { email: 'someone@quillmere.example' }, { 'switchboard.dev/slack-user-id': ELENA.id })].join(
      '---\n',
    ),
  );
  catalog = openCatalog(tree.path('c.db'));
  await catalog.ingest([tree.path('attacker'), SAMPLE_CATALOG]);
  emu = await startSlackEmulator({ users: [NOAH, YUKI, ELENA] });
  const client = new webApi.WebClient('xoxb-test', { slackApiUrl: emu.url, retryConfig: { retries: 0 } });
  identify = createIdentityResolver(
    client as never,
    catalogIdentity(catalog, { warn: (obj, msg) => warnings.push({ obj: obj as Record<string, unknown>, msg }) }),
  );
  const file = tree.path('c.db');
  deployments = openDeployments(file);
  audit = openAudit(file);
  launcher = createLauncher({
    temporal: {
      client: async () => {
        throw new Error('unused');
      },
    },
    taskQueue: 'identity-test',
    actions: [create],
    catalog,
    deployments,
    audit,
    incidents: async () => [],
  });
});

afterAll(async () => {
  audit?.close();
  deployments?.close();
  catalog?.close();
  await emu?.close();
  tree?.cleanup();
});

describe('a Slack account is at most one catalog User', () => {
  it('is the User whose annotation names the account, whatever another User copies of its e-mail', async () => {
    expect((await identify(NOAH.id)).ref).toBe('user:default/noah-fischer');
  });

  it('is the User with the e-mail Slack reports when no User names the account', async () => {
    expect((await identify(YUKI.id)).ref).toBe('user:default/yuki-tanaka');
  });

  it('is nobody when two Users claim it, and the warning names both', async () => {
    warnings.length = 0;
    const actor = await identify(ELENA.id);
    expect(actor.ref).toBeNull();
    expect(actor.ambiguous).toEqual(['user:default/aaa-elena', 'user:default/elena-petrova']);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.msg).toMatch(/ambiguous identity: user:default\/aaa-elena and user:default\/elena-petrova/);
  });
});

describe('self-approval is refused by chat account and by catalog User', () => {
  it('leaves the requester out of the approvers even when another User has their e-mail', async () => {
    const plan = await launcher.plan(create, beans, await identify(NOAH.id), 'slack:CGENERAL');
    if (!('ok' in plan)) throw new Error(JSON.stringify(plan));
    expect(plan.request.requester.ref).toBe('user:default/noah-fischer');
    expect(plan.request.approvers.map((a) => a.ref)).toEqual(['user:default/yuki-tanaka']);
  });

  it('refuses a request from an account two Users claim, saying it is an ambiguous identity', async () => {
    const plan = await launcher.plan(create, beans, await identify(ELENA.id), 'slack:CGENERAL');
    expect(plan).toMatchObject({ kind: 'refused', reason: expect.stringContaining('ambiguous identity') });
  });
});

describe('an approver whose Slack account two Users claim', () => {
  it('is not asked: the escalation of create-service (Elena) reaches nobody', async () => {
    const plan = await launcher.plan(create, beans, await identify(YUKI.id), 'slack:CGENERAL');
    if (!('ok' in plan)) throw new Error(JSON.stringify(plan));
    expect(plan.request.escalation.map((a) => a.ref)).toEqual([]);
  });
});
