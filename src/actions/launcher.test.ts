/** Planning a request on the real sample catalog, deploy history and audit log; no Temporal server. */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAudit, type AuditLog } from '../audit/index.js';
import { openCatalog, type Catalog } from '../catalog/index.js';
import { deploymentInput, openDeployments, type DeploymentLog } from '../deployments/index.js';
import { SAMPLE_CATALOG, tempTree, type TempTree } from '../testing/fixtures.js';
import { loadActions, type ActionDefinition } from './definition.js';
import { type Actor, createLauncher, type Launcher, SelfServiceUnavailable, type TemporalAccess } from './launcher.js';

const SHIPPED = fileURLToPath(new URL('../../manifests/actions/', import.meta.url));
/** A Wednesday when Sofia is primary and Amara secondary on the payments rotation. */
const AT = new Date('2026-03-04T12:00:00Z');
const HOUR = 3_600_000;
const THREAD = 'slack:C0SELFSERVE:1712.0001';
const PLATFORM = ['user:default/noah-fischer', 'user:default/yuki-tanaka'];
const PAYMENTS_TEAM = ['user:default/amara-okafor', 'user:default/jonas-weber', 'user:default/sofia-marchetti'];

const actions = loadActions(SHIPPED).actions;
const action = (name: string): ActionDefinition => {
  const found = actions.find((a) => a.metadata.name === name);
  if (!found) throw new Error(`no shipped action ${name}`);
  return found;
};
const unused: TemporalAccess = {
  client: async () => {
    throw new Error('unused');
  },
};

let tree: TempTree;
let catalog: Catalog;
let deployments: DeploymentLog;
let audit: AuditLog;
/** The incident conversations `incidents()` answers with, and the refs it was asked about. */
let openIncidents: string[] = [];
const askedAbout: string[] = [];

function launcherWith(temporal: TemporalAccess = unused): Launcher {
  return createLauncher({
    temporal,
    taskQueue: 'switchboard-test',
    actions,
    catalog,
    deployments,
    audit,
    incidents: async (ref) => {
      askedAbout.push(ref);
      return [...openIncidents];
    },
    now: () => AT,
  });
}

/** A sample-catalog person as the chat surface would present them. */
function actor(name: string): Actor {
  const p = catalog.person(name);
  if (!p) throw new Error(`no ${name} in the sample catalog`);
  return { id: `slack:${p.chatIds.slack ?? name}`, ref: p.ref, displayName: p.displayName, email: p.email, chatIds: p.chatIds };
}

/** The plan, or a failure naming the outcome it got instead. */
async function planned(launcher: Launcher, name: string, raw: Record<string, unknown>, who: string, opts: { breakGlass?: boolean } = {}) {
  const result = await launcher.plan(action(name), raw, actor(who), THREAD, opts);
  if (!('ok' in result)) throw new Error(`expected a plan, got ${JSON.stringify(result.kind === 'invalid' ? result.errors : result)}`);
  return result;
}

const beans = { name: 'beans-api', owner: 'team-payments', system: 'payments' };
const postgres = (tier: string) => ({ type: 'postgres', service: 'payments-api', tier });

beforeAll(async () => {
  tree = tempTree();
  const file = tree.path('switchboard.db');
  catalog = openCatalog(file);
  await catalog.ingest([SAMPLE_CATALOG]);
  deployments = openDeployments(file);
  audit = openAudit(file, () => AT);
  for (const [version, at] of [
    ['1.4.0', '2026-03-01T10:00:00Z'],
    ['1.5.0', '2026-03-03T10:00:00Z'],
  ] as const) {
    await deployments.record('component:default/payments-api', deploymentInput.parse({ service: 'payments-api', version, at }));
  }
  // A staging deploy is no production history: a rollback of ledger still has nothing to go back to.
  // orders: the last deploy failed, after two that succeeded.
  for (const [version, status, at] of [
    ['3.0.0', 'succeeded', '2026-03-01T10:00:00Z'],
    ['3.1.0', 'succeeded', '2026-03-02T10:00:00Z'],
    ['3.2.0', 'failed', '2026-03-03T10:00:00Z'],
  ] as const) {
    await deployments.record('component:default/orders', deploymentInput.parse({ service: 'orders', version, status, at }));
  }
  await deployments.record(
    'component:default/ledger',
    deploymentInput.parse({ service: 'ledger', version: '0.9.0', environment: 'staging', at: '2026-03-02T10:00:00Z' }),
  );
});

afterAll(() => {
  audit?.close();
  deployments?.close();
  catalog?.close();
  tree?.cleanup();
});

describe('plan: workflow ids and types', () => {
  it('keys create-service by the service name and runs createService', async () => {
    const p = await planned(launcherWith(), 'create-service', beans, 'amara-okafor');
    expect(p.workflowId).toBe('create-service/beans-api');
    expect(p.workflowType).toBe('createService');
    expect(p.request.requester.ref).toBe('user:default/amara-okafor');
    expect(p.request.thread).toBe(THREAD);
  });

  it('keys provision by service, type and tier and runs provisionResource', async () => {
    const p = await planned(launcherWith(), 'provision', postgres('production'), 'marcus-bell');
    expect(p.workflowId).toBe('provision/payments-api/postgres/production');
    expect(p.workflowType).toBe('provisionResource');
    expect(p.request.summary).toBe('Provision infrastructure: payments-api · postgres · production');
    expect(p.request.target).toBe('component:default/payments-api');
  });

  it('keys rollback by the service and runs rollbackDeployment', async () => {
    const p = await planned(launcherWith(), 'rollback', { service: 'payments-api', version: '1.4.2' }, 'marcus-bell');
    expect(p.workflowId).toBe('rollback/payments-api');
    expect(p.workflowType).toBe('rollbackDeployment');
  });

  it('gives the same id to the same request however the service is written', async () => {
    const launcher = launcherWith();
    const byName = await planned(launcher, 'provision', postgres('staging'), 'marcus-bell');
    const byRef = await planned(launcher, 'provision', { ...postgres('staging'), service: 'component:default/payments-api' }, 'marcus-bell');
    expect(byRef.workflowId).toBe(byName.workflowId);
  });
});

describe('plan: inputs', () => {
  it('stores picker values as catalog refs and applies defaults', async () => {
    const p = await planned(launcherWith(), 'create-service', beans, 'amara-okafor');
    expect(p.request.values).toEqual({
      name: 'beans-api',
      owner: 'group:default/team-payments',
      system: 'system:default/payments',
      tier: 'tier-3',
      template: 'node-service',
      createChannel: false,
    });
    expect(p.request.target).toBe('component:default/beans-api');
  });

  it('shows the inputs as people read them, in the action order', async () => {
    const p = await planned(launcherWith(), 'create-service', beans, 'amara-okafor');
    expect(p.request.shownInputs).toEqual([
      { label: 'Service name', value: 'beans-api' },
      { label: 'Owner team', value: 'team-payments' },
      { label: 'System', value: 'payments' },
      { label: 'Tier', value: 'tier-3' },
      { label: 'Template', value: 'node-service' },
      { label: 'Create a Slack channel for the service', value: 'no' },
    ]);
  });

  it('answers bad inputs with invalid, naming each input, and starts nothing', async () => {
    const result = await launcherWith().plan(
      action('create-service'),
      { name: 'Beans_API', system: 'payments', colour: 'blue' },
      actor('amara-okafor'),
      THREAD,
    );
    expect(result).toMatchObject({ kind: 'invalid', values: { name: 'Beans_API', system: 'payments', colour: 'blue' } });
    if (!('kind' in result) || result.kind !== 'invalid') return;
    expect(result.action.metadata.name).toBe('create-service');
    expect(result.errors.map((e) => e.input).sort()).toEqual(['colour', 'name', 'owner']);
    expect(result.errors.find((e) => e.input === 'owner')?.message).toBe('is required');
  });

  it('refuses a service name the catalog already has', async () => {
    const result = await launcherWith().plan(action('create-service'), { ...beans, name: 'payments-api' }, actor('amara-okafor'), THREAD);
    expect(result).toMatchObject({ kind: 'invalid', errors: [{ input: 'name', message: 'payments-api is already in the catalog' }] });
  });

  it('refuses a service that is not in the catalog without guessing', async () => {
    const result = await launcherWith().plan(action('provision'), { ...postgres('staging'), service: 'paymnets-api' }, actor('marcus-bell'), THREAD);
    expect(result).toMatchObject({ kind: 'invalid', errors: [{ input: 'service', message: 'there is no service named paymnets-api in the catalog' }] });
  });
});

describe('plan: steps', () => {
  it('leaves out a step whose when does not hold', async () => {
    const without = await planned(launcherWith(), 'create-service', beans, 'amara-okafor');
    expect(without.request.steps.map((s) => s.id)).toEqual(['render', 'push', 'register', 'links']);
    const withChannel = await planned(launcherWith(), 'create-service', { ...beans, createChannel: true }, 'amara-okafor');
    expect(withChannel.request.steps.map((s) => s.id)).toEqual(['render', 'push', 'register', 'channel', 'links']);
  });

  it('picks the provisioning step by resource type', async () => {
    expect((await planned(launcherWith(), 'provision', postgres('staging'), 'marcus-bell')).request.steps.map((s) => s.id)).toEqual([
      'provision',
      'record',
      'links',
    ]);
    const bucket = await planned(launcherWith(), 'provision', { ...postgres('staging'), type: 'bucket' }, 'marcus-bell');
    expect(bucket.request.steps.map((s) => s.id)).toEqual(['bucket', 'record', 'links']);
  });

  it('fills the placeholders of with, ref parts included', async () => {
    const create = await planned(launcherWith(), 'create-service', { ...beans, createChannel: true }, 'amara-okafor');
    const step = (id: string) => create.request.steps.find((s) => s.id === id);
    expect(step('render')?.with).toEqual({ template: 'node-service' });
    expect(step('register')?.with).toEqual({
      file: 'catalog-info.yaml',
      location: 'https://git.quillmere.example/services/beans-api/blob/main/catalog-info.yaml',
    });
    expect(step('channel')?.with).toEqual({ name: 'beans-api', invite: 'group:default/team-payments' });

    const bucket = await planned(launcherWith(), 'provision', { ...postgres('staging'), type: 'bucket', size: 'large' }, 'marcus-bell');
    const apply = bucket.request.steps.find((s) => s.id === 'bucket');
    expect(apply?.with.argv).toEqual(['terraform', '-chdir=infra/buckets', 'apply', '-auto-approve', '-var=name=payments-api-staging', '-var=size=large']);
    expect(apply?.compensate?.with.argv).toEqual(['terraform', '-chdir=infra/buckets', 'destroy', '-auto-approve', '-var=name=payments-api-staging']);
    expect(bucket.request.steps.find((s) => s.id === 'record')?.with).toEqual({
      name: 'payments-api-bucket-staging',
      type: 'bucket',
      dependencyOf: 'component:default/payments-api',
    });
  });

  it('gives git-push and register-catalog their built-in undo', async () => {
    const p = await planned(launcherWith(), 'create-service', beans, 'amara-okafor');
    const step = (id: string) => p.request.steps.find((s) => s.id === id);
    expect(step('push')?.compensate).toEqual({ run: 'delete-repository', with: {} });
    expect(step('register')?.compensate).toEqual({ run: 'unregister-catalog', with: {} });
    expect(step('render')?.compensate).toBeUndefined();
    expect(step('links')?.compensate).toBeUndefined();
  });

  it('keeps a declared undo, and takes the step timeout from with', async () => {
    const p = await planned(launcherWith(), 'provision', postgres('staging'), 'marcus-bell');
    const step = p.request.steps.find((s) => s.id === 'provision');
    expect(step?.compensate).toMatchObject({
      run: 'webhook',
      with: { url: 'https://infra.quillmere.example/hooks/deprovision', callback: false, timeout: 30 * 60_000 },
    });
    expect(step?.timeoutMs).toBe(30 * 60_000);
    // Steps without a timeout of their own get the default of two minutes.
    expect(p.request.steps.find((s) => s.id === 'links')?.timeoutMs).toBe(2 * 60_000);
  });
});

describe('plan: approvers', () => {
  it('asks team-platform to approve create-service, with the escalation and timers of the rule', async () => {
    const p = await planned(launcherWith(), 'create-service', beans, 'amara-okafor');
    expect(p.request.approvers.map((a) => a.ref)).toEqual(PLATFORM);
    // The policy also carries the bot's public vote key (signed votes); never a private key.
    expect(p.request.policy).toEqual({
      requester: 'user:default/amara-okafor',
      selfApproval: false,
      rules: [{ description: 'team-platform', required: 1, approvers: PLATFORM }],
      voteKey: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(p.request.timers).toEqual({
      expireAfterMs: 24 * HOUR,
      remindAfterMs: 4 * HOUR,
      escalateAfterMs: 8 * HOUR,
      escalateTo: { description: 'engineering', required: 1, approvers: ['user:default/elena-petrova'] },
    });
    expect(p.request.escalation.map((a) => a.ref)).toEqual(['user:default/elena-petrova']);
  });

  it('leaves the requester out of the approvers', async () => {
    const p = await planned(launcherWith(), 'create-service', beans, 'noah-fischer');
    expect(p.request.approvers.map((a) => a.ref)).toEqual(['user:default/yuki-tanaka']);
    expect(p.request.policy.rules[0]?.approvers).toEqual(['user:default/yuki-tanaka']);
  });

  it('adds the platform rule for production provisioning', async () => {
    const p = await planned(launcherWith(), 'provision', postgres('production'), 'marcus-bell');
    expect(p.request.policy.rules).toEqual([
      { description: 'the team that owns the service', required: 1, approvers: PAYMENTS_TEAM },
      { description: 'the platform team, for production', required: 1, approvers: PLATFORM },
    ]);
    expect(p.request.approvers.map((a) => a.ref)).toEqual([...PAYMENTS_TEAM, ...PLATFORM]);
    expect(p.request.timers).toMatchObject({ expireAfterMs: 48 * HOUR, remindAfterMs: 4 * HOUR, escalateAfterMs: 8 * HOUR });
  });

  it('asks only the owning team below production', async () => {
    const p = await planned(launcherWith(), 'provision', postgres('staging'), 'marcus-bell');
    expect(p.request.policy.rules.map((r) => r.description)).toEqual(['the team that owns the service']);
  });

  it('refuses a request nobody could approve, saying why', async () => {
    const base = action('create-service');
    const orphan: ActionDefinition = { ...base, spec: { ...base.spec, approval: [{ ...base.spec.approval[0]!, approvers: [{ group: 'team-nobody' }] }] } };
    const result = await launcherWith().plan(orphan, beans, actor('amara-okafor'), THREAD);
    expect(result).toEqual({ kind: 'refused', reason: expect.stringContaining('the group team-nobody is not in the catalog') });
  });
});

describe('plan: rollback version', () => {
  it('keeps a version that is given', async () => {
    expect((await planned(launcherWith(), 'rollback', { service: 'payments-api', version: '1.3.9' }, 'marcus-bell')).request.values.version).toBe('1.3.9');
  });

  it('takes the previous successful production deploy when no version is given', async () => {
    expect((await deployments.previousSuccessful('component:default/payments-api', 'production'))?.version).toBe('1.4.0');
    const p = await planned(launcherWith(), 'rollback', { service: 'payments-api' }, 'marcus-bell');
    expect(p.request.values.version).toBe('1.4.0');
    expect(p.request.shownInputs).toContainEqual({ label: 'Version', value: '1.4.0' });
  });

  it('answers invalid, naming the version input, when no earlier deploy is recorded', async () => {
    const result = await launcherWith().plan(action('rollback'), { service: 'ledger' }, actor('marcus-bell'), THREAD);
    expect(result).toMatchObject({ kind: 'invalid', values: { service: 'ledger' } });
    if (!('kind' in result) || result.kind !== 'invalid') return;
    expect(result.errors).toEqual([{ input: 'version', message: expect.stringContaining('no earlier successful deploy of ledger') }]);
  });

  it('rolls back to the newest successful deploy when the newest deploy failed', async () => {
    const result = await launcherWith().plan(action('rollback'), { service: 'orders' }, actor('marcus-bell'), THREAD);
    expect(result).toMatchObject({ ok: true });
    if (!('ok' in result)) return;
    expect(result.request.values.version).toBe('3.1.0');
  });
});

describe('plan: break-glass', () => {
  const onCall = () => catalog.whoOwns('payments-api', AT).onCall[0]?.user as string;

  it('lets the current on-call proceed alone during an incident', async () => {
    openIncidents = ['slack:C0INC42'];
    askedAbout.length = 0;
    const who = onCall();
    const p = await planned(launcherWith(), 'rollback', { service: 'payments-api', version: '1.4.0' }, who.replace('user:default/', ''), { breakGlass: true });
    expect(p.request.breakGlass).toEqual({ approver: who, incident: 'slack:C0INC42' });
    expect(askedAbout).toEqual(['component:default/payments-api']);
  });

  it('names the incident the request was made in first', async () => {
    openIncidents = ['slack:C0INC42', 'slack:C0HERE'];
    const who = onCall().replace('user:default/', '');
    const p = await launcherWith().plan(action('rollback'), { service: 'payments-api', version: '1.4.0' }, actor(who), 'slack:C0HERE:1712.0002', {
      breakGlass: true,
    });
    expect('ok' in p && p.request.breakGlass?.incident).toBe('slack:C0HERE');
  });

  it('refuses someone who is not on call, naming who can', async () => {
    openIncidents = ['slack:C0INC42'];
    const result = await launcherWith().plan(action('rollback'), { service: 'payments-api', version: '1.4.0' }, actor('jonas-weber'), THREAD, {
      breakGlass: true,
    });
    expect(result).toEqual({ kind: 'refused', reason: 'Break-glass refused: only the on-call for payments-api can use break-glass.' });
  });

  it('refuses the on-call when no incident is open', async () => {
    openIncidents = [];
    const result = await launcherWith().plan(
      action('rollback'),
      { service: 'payments-api', version: '1.4.0' },
      actor(onCall().replace('user:default/', '')),
      THREAD,
      { breakGlass: true },
    );
    expect(result).toEqual({ kind: 'refused', reason: 'Break-glass refused: break-glass needs an open incident.' });
  });

  it('refuses break-glass on an action that offers none', async () => {
    openIncidents = ['slack:C0INC42'];
    const result = await launcherWith().plan(action('create-service'), beans, actor('amara-okafor'), THREAD, { breakGlass: true });
    expect(result).toEqual({ kind: 'refused', reason: 'Break-glass refused: this action has no break-glass option.' });
  });
});

describe('request', () => {
  it('writes an audit row with event refused when it refuses', async () => {
    openIncidents = ['slack:C0INC42'];
    const before = (await audit.list()).length;
    const outcome = await launcherWith().request(action('rollback'), { service: 'payments-api', version: '1.4.0' }, actor('jonas-weber'), THREAD, {
      breakGlass: true,
    });
    expect(outcome.kind).toBe('refused');
    const rows = (await audit.list()).slice(before);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      actor: 'user:default/jonas-weber',
      action: 'rollback',
      event: 'refused',
      workflowId: null,
      detail: { reason: 'Break-glass refused: only the on-call for payments-api can use break-glass.', inputs: { service: 'payments-api', version: '1.4.0' } },
    });
  });

  it('writes no audit row for invalid inputs', async () => {
    const before = (await audit.list()).length;
    const outcome = await launcherWith().request(action('create-service'), { name: 'x' }, actor('amara-okafor'), THREAD);
    expect(outcome.kind).toBe('invalid');
    expect(await audit.list()).toHaveLength(before);
  });

  it('answers unavailable with the reason when Temporal cannot be reached', async () => {
    const down: TemporalAccess = {
      client: async () => {
        throw new SelfServiceUnavailable('Temporal at 127.0.0.1:7233 (namespace default) cannot be reached: connection refused');
      },
    };
    const outcome = await launcherWith(down).request(action('create-service'), beans, actor('amara-okafor'), THREAD);
    expect(outcome).toEqual({ kind: 'unavailable', reason: 'Temporal at 127.0.0.1:7233 (namespace default) cannot be reached: connection refused' });
  });

  it('does not ask Temporal about a request it refuses', async () => {
    openIncidents = [];
    let asked = 0;
    const counting: TemporalAccess = {
      client: async () => {
        asked++;
        throw new SelfServiceUnavailable('down');
      },
    };
    const outcome = await launcherWith(counting).request(action('rollback'), { service: 'payments-api', version: '1.4.0' }, actor('jonas-weber'), THREAD, {
      breakGlass: true,
    });
    expect(outcome.kind).toBe('refused');
    expect(asked).toBe(0);
  });
});

describe('lookups', () => {
  it('finds the shipped actions by command and by name', async () => {
    const launcher = launcherWith();
    expect(launcher.commands()).toEqual(['/create-service', '/provision', '/rollback']);
    expect(launcher.byCommand('/rollback')?.metadata.name).toBe('rollback');
    expect(launcher.byName('provision')?.spec.command).toBe('/provision');
    expect(launcher.byCommand('/deploy')).toBeUndefined();
  });

  it('answers status with the reason when Temporal cannot be reached', async () => {
    const down: TemporalAccess = {
      client: async () => {
        throw new SelfServiceUnavailable('Temporal is not configured');
      },
    };
    expect(await launcherWith(down).status('rollback/payments-api')).toEqual({ unavailable: 'Temporal is not configured' });
  });

  it('answers a vote with unavailable, and audits nothing, when Temporal cannot be reached', async () => {
    const down: TemporalAccess = {
      client: async () => {
        throw new SelfServiceUnavailable('Temporal is not configured');
      },
    };
    const before = (await audit.list()).length;
    expect(await launcherWith(down).vote('create-service/beans-api', actor('noah-fischer'), 'approve')).toEqual({
      kind: 'unavailable',
      reason: 'Temporal is not configured',
    });
    expect(await audit.list()).toHaveLength(before);
  });
});
