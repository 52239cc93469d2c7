/** A request that only needs deciding: the approval on its own, e.g. for a break-glass confirmation. */
import { awaitApproval } from './approval.js';
import type { ApprovalPolicy } from './approval-rules.js';
import type { ApprovalStatus, ApprovalTimers } from './contract.js';

export async function approvalRequest(policy: ApprovalPolicy, timers: ApprovalTimers): Promise<ApprovalStatus> {
  return awaitApproval(policy, timers);
}
