/** Planning on its own: a pure function of the action, the inputs and the catalog; no launcher, no Temporal. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalog, type Catalog } from '../catalog/index.js';
import { openDeployments, type DeploymentLog } from '../deployments/index.js';
import { SAMPLE_CATALOG, tempTree, type TempTree } from '../testing/fixtures.js';
import { type ActionDefinition, parseAction } from './definition.js';
import { type Actor, plan, type PlanDeps } from './plan.js';

const ACTION = `
apiVersion: switchboard.dev/v1alpha1
kind: Action
metadata: { name: record-thing, title: Record a thing, description: Records a resource. }
spec:
  command: /record-thing
  inputs:
    - { name: name, title: Name, type: string, required: true }
  approval:
    approvers: [{ group: team-platform }]
  steps:
    - { id: record, title: Record it, run: record-resource, with: { name: "{{name}}" } }
    - { id: notify, title: Tell them, run: command, with: { argv: [echo, "{{name}}"], timeout: 30s }, compensate: { run: command, with: { argv: [echo, undo], timeout: 30s } } }
    - { id: links, title: Links, run: post-links }
`;

let tree: TempTree;
let catalog: Catalog;
let deployments: DeploymentLog;
let action: ActionDefinition;

beforeAll(async () => {
  tree = tempTree();
  catalog = openCatalog(tree.path('switchboard.db'));
  await catalog.ingest([SAMPLE_CATALOG]);
  deployments = openDeployments(tree.path('switchboard.db'));
  const parsed = parseAction(ACTION, 'record-thing.yaml');
  if (!parsed.action) throw new Error(JSON.stringify(parsed.problems));
  action = parsed.action;
});
afterAll(() => tree.cleanup());

const deps = (): PlanDeps => ({ catalog, deployments, incidents: async () => [], now: () => new Date('2026-03-04T12:00:00Z'), voteKey: 'ab'.repeat(32) });

function requester(): Actor {
  const p = catalog.person('amara-okafor');
  if (!p) throw new Error('no amara-okafor in the sample catalog');
  return { id: `slack:${p.chatIds.slack}`, ref: p.ref, displayName: p.displayName, email: p.email, chatIds: p.chatIds };
}

async function planned() {
  const result = await plan(deps(), action, { name: 'ledger-cache' }, requester(), 'shell:local');
  if (!('ok' in result)) throw new Error(`expected a plan, got ${JSON.stringify(result)}`);
  return result;
}

describe('plan', () => {
  it('gives a step that declares no undo its executor’s own undo from the executor table', async () => {
    const steps = (await planned()).request.steps;
    expect(steps.find((s) => s.id === 'record')?.compensate).toEqual({ run: 'unregister-catalog', with: {} });
    expect(steps.find((s) => s.id === 'links')?.compensate).toBeUndefined();
  });

  it('keeps a declared undo over the built-in one, placeholders filled in', async () => {
    const notify = (await planned()).request.steps.find((s) => s.id === 'notify');
    expect(notify?.with.argv).toEqual(['echo', 'ledger-cache']);
    expect(notify?.compensate).toEqual({ run: 'command', with: { argv: ['echo', 'undo'], timeout: 30_000 } });
    expect(notify?.timeoutMs).toBe(30_000);
  });

  it('names the workflow by the business key and carries the vote key it was given', async () => {
    const p = await planned();
    expect(p.workflowId).toBe('record-thing/ledger-cache');
    expect(p.workflowType).toBe('runAction');
    expect(p.request.policy.voteKey).toBe('ab'.repeat(32));
  });
});
