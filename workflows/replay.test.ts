/**
 * Recorded histories of every workflow type replay against the current code: a change that would
 * break workflows already running (nondeterminism) fails here. Re-record with
 * `node --import tsx scripts/record-histories.ts` only for an intended, versioned change.
 */
import { readFileSync } from 'node:fs';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { bundleWorkflows } from '../src/testing/temporal.js';

describe('replay of recorded histories', () => {
  for (const [file, workflowId] of [
    ['approval-request.json', 'approval-request'],
    ['create-service.json', 'create-service/replay-beans'],
    ['provision-resource.json', 'provision/ledger/redis/staging'],
    ['rollback-deployment.json', 'rollback/ledger'],
  ]) {
    it(`replays ${file} with the current workflow code`, async () => {
      const history = JSON.parse(readFileSync(new URL(`./histories/${file}`, import.meta.url), 'utf8'));
      expect(history.events.length).toBeGreaterThan(5);
      await Worker.runReplayHistory({ workflowBundle: await bundleWorkflows() }, history, workflowId);
    }, 60_000);
  }
});
