/**
 * Records the event histories the replay test (workflows/replay.test.ts) replays against the current
 * workflow code, so a change that would break running workflows (nondeterminism) fails CI. Run it
 * after an intended, versioned change of workflow behaviour: `node --import tsx scripts/record-histories.ts`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker } from '@temporalio/worker';
import { createServiceActivities } from '../src/activities/create-service.js';
import { openAudit } from '../src/audit/index.js';
import { openCatalog } from '../src/catalog/index.js';
import { bundleWorkflows, startTemporal } from '../src/testing/temporal.js';
import { approvalRequest, createService, voteUpdate } from '../workflows/index.js';

const HISTORIES = fileURLToPath(new URL('../workflows/histories/', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'switchboard-histories-'));
const env = await startTemporal();
const catalog = openCatalog(join(work, 'c.db'));
await catalog.ingest([fileURLToPath(new URL('../manifests/catalog/', import.meta.url))]);
const audit = openAudit(join(work, 'c.db'));
const taskQueue = 'record-histories';
const activities = createServiceActivities({
  catalog,
  audit,
  templatesDir: fileURLToPath(new URL('../manifests/templates/', import.meta.url)),
  gitRemote: join(work, 'remotes'),
  registryDir: join(work, 'registry'),
});
const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: await bundleWorkflows(), activities });
const policy = { requester: 'user:default/diego-alvarez', selfApproval: false, rules: [{ description: 'team-platform', required: 1, approvers: ['user:default/noah-fischer'] }] };

await worker.runUntil(async () => {
  const approval = await env.client.workflow.start(approvalRequest, { taskQueue, workflowId: 'approval-request', args: [policy, { remindAfterMs: 200, expireAfterMs: 60_000 }] });
  await new Promise((r) => setTimeout(r, 1500));
  await approval.executeUpdate(voteUpdate, { args: [{ approver: 'user:default/noah-fischer', decision: 'approve' }] });
  await approval.result();

  const created = await env.client.workflow.start(createService, {
    taskQueue,
    workflowId: 'create-service/replay-beans',
    args: [{ requester: policy.requester, values: { name: 'replay-beans', owner: 'group:default/team-payments', system: 'system:default/payments', tier: 'tier2', template: 'node-service' }, policy, timers: { expireAfterMs: 60_000 }, thread: 'shell:record' }],
  });
  await created.executeUpdate(voteUpdate, { args: [{ approver: 'user:default/noah-fischer', decision: 'approve' }] });
  await created.result();

  for (const [handle, file] of [[approval, 'approval-request.json'], [created, 'create-service.json']] as const) {
    const history = await handle.fetchHistory();
    // The proto3 JSON form (what `temporal workflow show --output json` prints), which replay reads.
    writeFileSync(join(HISTORIES, file), JSON.stringify(JSON.parse(historyToJSON(history)), null, 1) + '\n');
    console.log(`wrote workflows/histories/${file}`);
  }
});
audit.close();
catalog.close();
await env.teardown();
rmSync(work, { recursive: true, force: true });
