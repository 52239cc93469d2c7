/**
 * One "Still yours?" round for one team, started by the team's Temporal Schedule
 * (src/temporal/attestation-schedules.ts): ask (the list of what it owns, with Confirm / Not ours),
 * wait durably, remind once if anything is unanswered. Whatever is still unanswered then simply has
 * no current attestation, so every answer shows it as unverified. Deterministic: activities do the I/O.
 */
import { proxyActivities, sleep, workflowInfo } from '@temporalio/workflow';
import type { AttestationActivities, AttestationRoundInput, AttestationRoundResult } from './attestation-contract.js';
import { roundName } from './attestation-round.js';

const { askTeam, remindTeam } = proxyActivities<AttestationActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 10 },
});

export async function attestationRound(input: AttestationRoundInput): Promise<AttestationRoundResult> {
  const round = roundName(workflowInfo().runStartTime, input.period);
  const ask = await askTeam({ round, team: input.team });
  if (!ask.entities || !ask.messages.length) return { ask, reminder: null };
  await sleep(input.remindAfterMs);
  return { ask, reminder: await remindTeam({ round, team: input.team }) };
}
