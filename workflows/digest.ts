/**
 * The weekly digest, started by its Temporal Schedule (src/temporal/digest-schedule.ts): for each team,
 * one post to its channel of what it owns, what is unverified, failing or missing, and the week's
 * questions about its services. Deterministic: the week ends when the run started; activities do the I/O.
 */
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import { type DigestActivities, type DigestPostResult, WEEK_MS } from './digest-contract.js';

const { digestTeams, postDigest } = proxyActivities<DigestActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 10 },
});

export async function weeklyDigest(): Promise<DigestPostResult[]> {
  const since = workflowInfo().runStartTime.getTime() - WEEK_MS;
  const results: DigestPostResult[] = [];
  for (const team of await digestTeams()) results.push(await postDigest({ team, since }));
  return results;
}
