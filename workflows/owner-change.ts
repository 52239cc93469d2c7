/**
 * "Not ours" as a durable change: started when a team member names the real owner
 * (src/attestation/answer.ts records the answer first), it pushes the descriptor's one-line
 * `spec.owner` change, opens its pull request where the host has an API, settles the pending claim and
 * edits the ask to show where the change went. A worker that dies between the click and the push loses
 * nothing: the activity runs again, and finds its branch and its pull request instead of making
 * second ones. Deterministic: activities do the I/O.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { OwnerChangeActivities, OwnerChangeInput, OwnerChangeResult } from './owner-change-contract.js';

const { openOwnerChange, showOwnerChange } = proxyActivities<OwnerChangeActivities>({
  // A clone and a push of one repository, and a few API calls with their own deadlines.
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '2 minutes', maximumAttempts: 6 },
});

export async function ownerChange(input: OwnerChangeInput): Promise<OwnerChangeResult> {
  const opened = await openOwnerChange(input);
  if (!opened.change) return { opened, shown: null };
  return { opened, shown: await showOwnerChange({ round: input.round, team: input.team }) };
}
