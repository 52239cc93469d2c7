/** A request that only needs deciding: the approval on its own, e.g. for a break-glass confirmation. */
import { type ApprovalPolicy, type ApprovalStatus, type ApprovalTimers, awaitApproval } from './approval.js';

export async function approvalRequest(policy: ApprovalPolicy, timers: ApprovalTimers): Promise<ApprovalStatus> {
  return awaitApproval(policy, timers);
}
