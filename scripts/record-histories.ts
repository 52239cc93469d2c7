/**
 * Records the event histories the replay test (workflows/replay.test.ts) replays against the current
 * workflow code, so a change that would break running workflows (nondeterminism) fails CI. Run it
 * after an intended, versioned change of workflow behaviour: `node --import tsx scripts/record-histories.ts`.
 *
 * Each workflow type runs once through the real activities, launched the way chat launches it, with
 * votes signed as the bot signs them. Histories of a released version stay as they are (workflows/
 * histories/*.json is the first release): this writes the current version's into histories/v2/, so
 * both replay. A later release records into a new folder the same way.
 */
import { Writable } from 'node:stream';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker } from '@temporalio/worker';
import { loadActions } from '../src/actions/definition.js';
import { createLauncher } from '../src/actions/launcher.js';
import { ephemeralVoteSigner } from '../src/actions/vote-signing.js';
import { createSelfServiceActivities } from '../src/activities/index.js';
import { openAudit } from '../src/audit/index.js';
import { openCatalog } from '../src/catalog/index.js';
import { createShellNotifier } from '../src/chat/shell/notifier.js';
import { openDeployments } from '../src/deployments/index.js';
import { openState } from '../src/state/index.js';
import { SAMPLE_CATALOG, tempTree } from '../src/testing/fixtures.js';
import { HOOK_SECRET, startHookReceiver, writeActions } from '../src/testing/harness.js';
import { bundleWorkflows, startTemporal } from '../src/testing/temporal.js';
import { stepCallbackUpdate } from '../workflows/contract.js';
import { actionStatusQuery, approvalRequest, voteUpdate } from '../workflows/index.js';

const VERSION = 'v2';
const HISTORIES = fileURLToPath(new URL(`../workflows/histories/${VERSION}/`, import.meta.url));
mkdirSync(HISTORIES, { recursive: true });
const signer = ephemeralVoteSigner();
const tree = tempTree('switchboard-histories-');
const env = await startTemporal();
const db = tree.path('c.db');
const catalog = openCatalog(db);
await catalog.ingest([SAMPLE_CATALOG]);
const audit = openAudit(db);
const state = openState(db);
const deployments = openDeployments(db);
const hooks = await startHookReceiver();
const { actions } = loadActions(writeActions(tree, hooks.url));
const taskQueue = 'record-histories';
const nowhere = new Writable({ write: (_c, _e, done) => done() });
const activities = createSelfServiceActivities({
  catalog,
  actions,
  audit,
  journal: state,
  notifiers: { shell: createShellNotifier({ output: nowhere, color: false }) },
  templatesDir: fileURLToPath(new URL('../manifests/templates/', import.meta.url)),
  gitRemote: tree.path('remotes'),
  registryDir: tree.path('registry'),
  workDir: tree.path('work'),
  publicUrl: 'http://127.0.0.1:1',
  secret: () => HOOK_SECRET,
});
const temporal = { client: async () => env.client };
const launcher = createLauncher({ temporal, taskQueue, actions, catalog, deployments, audit, incidents: async () => [], voteSigner: signer });
const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: await bundleWorkflows(), activities });
const diego = {
  id: 'shell:diego-alvarez',
  ref: 'user:default/diego-alvarez',
  displayName: 'Diego Álvarez',
  email: 'diego.alvarez@quillmere.example',
  chatIds: {},
};
const approve = (ref: string) => ({ id: `shell:${ref}`, ref, displayName: ref, email: null, chatIds: {} });
const policy = {
  requester: diego.ref,
  selfApproval: false,
  rules: [{ description: 'team-platform', required: 1, approvers: ['user:default/noah-fischer'] }],
  voteKey: signer.publicKey,
};
hooks.mode = { kind: 'sync' };
await deployments.record('component:default/ledger', { service: 'ledger', version: '2.3.0', environment: 'production', status: 'succeeded' });
await deployments.record('component:default/ledger', { service: 'ledger', version: '2.4.0', environment: 'production', status: 'succeeded' });

const requests: [string, string, Record<string, string>, string][] = [
  ['create-service', 'create-service.json', { name: 'replay-beans', owner: 'team-payments', system: 'payments' }, 'user:default/noah-fischer'],
  ['provision', 'provision-resource.json', { type: 'redis', service: 'ledger', tier: 'staging' }, 'user:default/amara-okafor'],
  ['rollback', 'rollback-deployment.json', { service: 'ledger' }, 'user:default/amara-okafor'],
];

await worker.runUntil(async () => {
  const approval = await env.client.workflow.start(approvalRequest, {
    taskQueue,
    workflowId: 'approval-request',
    args: [policy, { remindAfterMs: 200, expireAfterMs: 60_000 }],
  });
  await new Promise((r) => setTimeout(r, 1500));
  await approval.executeUpdate(voteUpdate, { args: [signer.sign('approval-request', { approver: 'user:default/noah-fischer', decision: 'approve' })] });
  await approval.result();
  const recorded: [string, string][] = [['approval-request', 'approval-request.json']];

  for (const [name, file, values, approver] of requests) {
    const action = actions.find((a) => a.metadata.name === name);
    if (!action) throw new Error(`no action ${name}`);
    const outcome = await launcher.request(action, values, diego, 'shell:record');
    if (outcome.kind !== 'started') throw new Error(`${name}: ${JSON.stringify(outcome)}`);
    const handle = env.client.workflow.getHandle(outcome.workflowId);
    while ((await handle.query(actionStatusQuery)).approvers.length === 0) await new Promise((r) => setTimeout(r, 100));
    // Provision's webhook finishes by callback, through the Update the bot's callback route sends.
    hooks.mode = { kind: name === 'provision' ? 'hold' : 'sync' };
    const vote = await launcher.vote(outcome.workflowId, approve(approver), 'approve');
    if (vote.kind !== 'counted') throw new Error(`${name}: ${JSON.stringify(vote)}`);
    if (name === 'provision') {
      let call = hooks.calls.find((c) => c.body.id.startsWith(`${outcome.workflowId}/`) && c.body.callbackUrl);
      while (!call) {
        await new Promise((r) => setTimeout(r, 100));
        call = hooks.calls.find((c) => c.body.id.startsWith(`${outcome.workflowId}/`) && c.body.callbackUrl);
      }
      const step = call.body.id.slice(outcome.workflowId.length + 1);
      await handle.executeUpdate(stepCallbackUpdate, {
        args: [{ step, status: 'succeeded', output: { url: 'https://console.example/replay', title: 'Console' } }],
      });
    }
    await handle.result();
    recorded.push([outcome.workflowId, file]);
  }

  // Nobody can be asked (no chat surface for the thread's platform in this worker): ends at once.
  const create = actions.find((a) => a.metadata.name === 'create-service');
  if (!create) throw new Error('no action create-service');
  const nobody = await launcher.request(create, { name: 'replay-nobody', owner: 'team-payments', system: 'payments' }, diego, 'slack:CNOWHERE');
  if (nobody.kind !== 'started') throw new Error(`unreachable: ${JSON.stringify(nobody)}`);
  const ended = await env.client.workflow.getHandle(nobody.workflowId).result();
  if (ended.phase !== 'unreachable') throw new Error(`unreachable: ended ${ended.phase}`);
  recorded.push([nobody.workflowId, 'create-service-unreachable.json']);

  for (const [workflowId, file] of recorded) {
    const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
    // The proto3 JSON form (what `temporal workflow show --output json` prints), which replay reads.
    writeFileSync(join(HISTORIES, file), JSON.stringify(JSON.parse(historyToJSON(history)), null, 1) + '\n');
    console.log(`wrote workflows/histories/${VERSION}/${file} (${workflowId})`);
  }
});
await hooks.close();
for (const c of [audit, state, deployments, catalog]) c.close();
await env.teardown();
tree.cleanup();
