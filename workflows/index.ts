/**
 * Every workflow the worker runs. Deterministic code only: this folder imports nothing but
 * @temporalio/workflow and its own files (src/boundaries.test.ts, workflows/bundle.test.ts).
 * createService, provisionResource and rollbackDeployment are the self-service engine (action.ts)
 * under the names DESIGN.md gives them; runAction runs any other declared action.
 */
export { awaitApproval } from './approval.js';
export { approvalRequest } from './approval-request.js';
export { createService, provisionResource, rollbackDeployment, runAction } from './action.js';
export { onCallGroupSync } from './oncall-groups.js';
export { attestationRound } from './attestation.js';
export { weeklyDigest } from './digest.js';
export { ownerChange } from './owner-change.js';
// The messages the workflows take, for clients that import them from here.
export { actionStatusQuery, approvalQuery, stepCallbackSignal, stepCallbackUpdate, voteUpdate } from './contract.js';
