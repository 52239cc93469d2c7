/**
 * Every workflow the worker runs. Deterministic code only: this folder imports nothing but
 * @temporalio/workflow and its own files (src/boundaries.test.ts, workflows/bundle.test.ts).
 * The self-service workflows (createService, provisionResource, rollbackDeployment) are built on
 * awaitApproval and join this list as they land.
 */
export { awaitApproval, approvalQuery, voteUpdate } from './approval.js';
export { approvalRequest } from './approval-request.js';
export { createService, createServiceStatusQuery } from './create-service.js';
