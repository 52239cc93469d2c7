/**
 * Records the histories of the workflows that keep the catalog true (the "Still yours?" round, the
 * "Not ours" change, the weekly digest, the @oncall sync) into workflows/histories/v3/, which the
 * replay test (workflows/replay.test.ts) replays against the current workflow code. Run it after an
 * intended, versioned change of one of them: `node --import tsx scripts/record-catalog-histories.ts`.
 *
 * A history holds the workflow's commands and its activities' results, so the activities here answer
 * with results of the real shape (as src/activities/* return them) without chat, git or providers:
 * what replay checks is the workflow code's side of the history. Each path through a workflow that has
 * its own commands (the reminder after the wait, the change shown, a sync at a handoff) is taken.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker } from '@temporalio/worker';
import { bundleWorkflows, startTemporal } from '../src/testing/temporal.js';
import type { AttestationActivities } from '../workflows/attestation-contract.js';
import type { DigestActivities } from '../workflows/digest-contract.js';
import type { OnCallGroupActivities } from '../workflows/oncall-groups-contract.js';
import type { OwnerChangeActivities } from '../workflows/owner-change-contract.js';

const VERSION = 'v3';
const HISTORIES = fileURLToPath(new URL(`../workflows/histories/${VERSION}/`, import.meta.url));
mkdirSync(HISTORIES, { recursive: true });
const env = await startTemporal();
const taskQueue = 'record-catalog-histories';
const PAYMENTS = 'group:default/team-payments';
let syncs = 0;

const activities: AttestationActivities & DigestActivities & OwnerChangeActivities & OnCallGroupActivities = {
  askTeam: async ({ round }) => ({
    round,
    asked: true,
    entities: 3,
    messages: ['slack:C0PAYMENTS1:1764670000.000100', 'teams:19%3Apayments%40thread.tacv2:1'],
  }),
  remindTeam: async () => ({ reminded: true, unanswered: 2 }),
  digestTeams: async () => [PAYMENTS, 'group:default/team-platform'],
  postDigest: async ({ team }) => ({ team, posted: team === PAYMENTS ? ['slack:C0PAYMENTS1'] : [] }),
  openOwnerChange: async () => ({ change: 'https://github.com/quillmere/beans/pull/7' }),
  showOwnerChange: async () => ({ edited: 2 }),
  syncOnCallGroup: async ({ handle }) => {
    syncs += 1;
    // The first sync names a handoff a moment away; the one after it, none (the run ends).
    const nextHandoff = syncs === 1 ? new Date(Date.now() + 1_000).toISOString() : null;
    return { handle, usergroupId: 'S0614TZR7', users: [syncs === 1 ? 'U0BOB' : 'U0ALICE'], changed: true, nextHandoff, notes: [] };
  },
};

const runs: [string, string, unknown[], string][] = [
  ['attestationRound', `attestation/${PAYMENTS}/replay`, [{ team: PAYMENTS, period: 'quarterly', remindAfterMs: 500 }], 'attestation-round.json'],
  ['weeklyDigest', 'weekly-digest/replay', [], 'weekly-digest.json'],
  [
    'ownerChange',
    'owner-change/component:default/beans-api/group:default/team-platform',
    [{ entityRef: 'component:default/beans-api', owner: 'group:default/team-platform', by: 'Amara Okafor', round: '2026-Q4', team: PAYMENTS }],
    'owner-change.json',
  ],
  ['onCallGroupSync', `oncall-group/${PAYMENTS}/replay`, [{ team: PAYMENTS, handle: 'payments-oncall', horizonMinutes: 60 }], 'oncall-group-sync.json'],
];

const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: await bundleWorkflows(), activities });
await worker.runUntil(async () => {
  for (const [type, workflowId, args, file] of runs) {
    await env.client.workflow.execute(type, { taskQueue, workflowId, args });
    const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
    // The proto3 JSON form (what `temporal workflow show --output json` prints), which replay reads.
    writeFileSync(join(HISTORIES, file), JSON.stringify(JSON.parse(historyToJSON(history)), null, 1) + '\n');
    console.log(`wrote workflows/histories/${VERSION}/${file} (${workflowId})`);
  }
});
await env.teardown();
