/**
 * The rules of an approval, as pure functions: who may vote, and when a request is decided. Workflow
 * code (deterministic, no I/O) and the chat side (to explain a refusal) share them.
 */

export interface ApprovalRule {
  /** What the rule stands for, shown to people: "team-platform", "owners of payments-api". */
  description: string;
  /** Votes to approve this rule needs (N of M). */
  required: number;
  /** Refs of the people who may vote for it, resolved from the catalog when the request was made. */
  approvers: string[];
}

export interface ApprovalPolicy {
  requester: string;
  /** The requester may vote on their own request. */
  selfApproval: boolean;
  /** Every rule must be satisfied. */
  rules: ApprovalRule[];
  /**
   * The bot's Ed25519 public key (hex): votes must carry its signature (workflows/vote-proof.ts).
   * Absent only in requests started before signed votes, which accept unsigned votes while they drain.
   */
  voteKey?: string;
}

export interface Vote {
  approver: string;
  decision: 'approve' | 'reject';
  reason?: string;
}

export type Tally = 'pending' | 'approved' | 'rejected';

/** Why a vote is refused, or null when it counts. */
export function refusal(policy: ApprovalPolicy, votes: Vote[], vote: Vote): string | null {
  if (tally(policy, votes) !== 'pending') return 'This request has already been decided.';
  if (vote.approver === policy.requester && !policy.selfApproval) return 'You cannot approve your own request.';
  if (!policy.rules.some((r) => r.approvers.includes(vote.approver))) {
    return `You are not one of the approvers (${policy.rules.map((r) => r.description).join('; ')}).`;
  }
  const earlier = votes.find((v) => v.approver === vote.approver);
  if (earlier) return `You already ${earlier.decision === 'approve' ? 'approved' : 'rejected'} this request.`;
  if (vote.decision === 'reject' && !vote.reason?.trim()) return 'A rejection needs a reason.';
  return null;
}

/** A single rejection rejects; approved once every rule has its required approvals. */
export function tally(policy: ApprovalPolicy, votes: Vote[]): Tally {
  if (votes.some((v) => v.decision === 'reject')) return 'rejected';
  const approvers = new Set(votes.filter((v) => v.decision === 'approve').map((v) => v.approver));
  const satisfied = policy.rules.every((r) => r.approvers.filter((a) => approvers.has(a)).length >= r.required);
  return satisfied ? 'approved' : 'pending';
}
