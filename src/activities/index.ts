/**
 * The I/O every self-service workflow needs, as Temporal activities (the contract is written out in
 * workflows/contract.ts): the audit trail, the chat messages (status in the thread, approvers' DMs)
 * and one executor per step kind (./executors/, named by workflows/executors.ts). Built by a factory
 * so the composition root injects the catalog, the audit log, the chat notifiers and the settings.
 *
 * Steps are journaled (./support.ts `once`): a step's result is recorded when its side effect is done,
 * so when a worker dies between the side effect and Temporal hearing of it, the retried activity
 * returns the recorded result instead of pushing, calling or creating a second time.
 */
import type { SelfServiceActivities, StepActivity } from '../../workflows/contract.js';
import type { ExecutorActivity } from '../../workflows/executors.js';
import { chatActivities } from './chat.js';
import type { SelfServiceDeps } from './deps.js';
import { command } from './executors/command.js';
import { createChannel } from './executors/create-channel.js';
import { deleteRepository } from './executors/delete-repository.js';
import { gitPush } from './executors/git-push.js';
import { postLinks } from './executors/post-links.js';
import { recordResource } from './executors/record-resource.js';
import { registerCatalog } from './executors/register-catalog.js';
import { renderTemplate } from './executors/render-template.js';
import { unregisterCatalog } from './executors/unregister-catalog.js';
import { webhook } from './executors/webhook.js';
import { recordActivities } from './records.js';
import { redacting } from './redacting.js';

export type { SelfServiceDeps } from './deps.js';

/** Every executor activity the table names, by activity: a missing one does not compile. */
const EXECUTOR_ACTIVITIES: Record<ExecutorActivity, (deps: SelfServiceDeps) => StepActivity> = {
  renderTemplate,
  gitPush,
  deleteRepository,
  registerCatalog,
  unregisterCatalog,
  recordResource,
  createChannel,
  postLinks,
  webhook,
  command,
};

export function createSelfServiceActivities(deps: SelfServiceDeps): SelfServiceActivities {
  const executors = Object.fromEntries(Object.entries(EXECUTOR_ACTIVITIES).map(([name, make]) => [name, make(deps)])) as Record<ExecutorActivity, StepActivity>;
  // Results, failures and what is posted to chat leave redacted (./redacting.ts): they are kept in
  // the workflow history, which the Temporal UI shows.
  return redacting({ ...recordActivities(deps), ...chatActivities(deps), ...executors });
}
