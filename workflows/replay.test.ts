/**
 * Recorded histories of every workflow type replay against the current code: a change that would
 * break workflows already running (nondeterminism) fails here. Each release's histories stay: the
 * first release's in histories/, signed votes and approver reachability (patched) in histories/v2/,
 * the catalog's own workflows (attestation, owner change, digest, @oncall) in histories/v3/. Record a
 * new release's with `node --import tsx scripts/record-histories.ts` (or record-catalog-histories.ts)
 * into a new folder.
 */
import { readFileSync } from 'node:fs';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { bundleWorkflows } from '../src/testing/temporal.js';

describe('replay of recorded histories', () => {
  const release = [
    ['approval-request.json', 'approval-request'],
    ['create-service.json', 'create-service/replay-beans'],
    ['provision-resource.json', 'provision/ledger/redis/staging'],
    ['rollback-deployment.json', 'rollback/ledger'],
  ];
  for (const [file, workflowId] of [
    ...release,
    ...release.map(([f, id]) => [`v2/${f}`, id]),
    ['v2/create-service-unreachable.json', 'create-service/replay-nobody'],
    // The catalog's own workflows (scripts/record-catalog-histories.ts).
    ['v3/attestation-round.json', 'attestation/group:default/team-payments/replay'],
    ['v3/weekly-digest.json', 'weekly-digest/replay'],
    ['v3/owner-change.json', 'owner-change/component:default/beans-api/group:default/team-platform'],
    ['v3/oncall-group-sync.json', 'oncall-group/group:default/team-payments/replay'],
  ] as [string, string][]) {
    it(`replays ${file} with the current workflow code`, async () => {
      const history = JSON.parse(readFileSync(new URL(`./histories/${file}`, import.meta.url), 'utf8'));
      expect(history.events.length).toBeGreaterThan(5);
      await Worker.runReplayHistory({ workflowBundle: await bundleWorkflows() }, history, workflowId);
    }, 60_000);
  }
});
