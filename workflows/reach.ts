/**
 * Whether the approvers were reached: what the askApprovers activity answers, person by person, and
 * what follows from it. Never a false claim: the requester is told who could not be asked and why,
 * and a request nobody who could approve it has seen ends at once instead of expiring in silence.
 */
import type { ApprovalPolicy } from './approval-rules.js';
import type { AskResult, Unreached } from './contract.js';

/** Marker of the workflows that act on these results (older ones only kept the DMs' refs). */
export const REACH_PATCH = 'approver-reachability';

/** askApprovers answered a list of DM refs before it answered per person; both are read. */
export type AskAnswer = (string | AskResult)[];

export function dmRefs(answer: AskAnswer): string[] {
  return answer.flatMap((a) => (typeof a === 'string' ? [a] : a.dm ? [a.dm] : []));
}

export function unreached(answer: AskAnswer): Unreached[] {
  return answer.flatMap((a) =>
    typeof a !== 'string' && !a.dm ? [{ ref: a.ref, displayName: a.displayName, reason: a.reason ?? 'could not be reached' }] : [],
  );
}

/** Can every rule still get its approvals from the people who were reached (the requester only when allowed)? */
export function canStillBeMet(policy: ApprovalPolicy, reached: Set<string>): boolean {
  return policy.rules.every((r) => r.approvers.filter((a) => reached.has(a) && (policy.selfApproval || a !== policy.requester)).length >= r.required);
}

/** `Noah Fischer (no Slack account is linked to them in the catalog); Yuki Tanaka (the DM failed: …)`. */
export function describeUnreached(people: Unreached[]): string {
  return people.map((p) => `${p.displayName} (${p.reason})`).join('; ');
}
