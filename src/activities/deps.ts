/** What the composition root injects into the self-service activities (src/app.ts). */
import type { ActionDefinition } from '../actions/definition.js';
import type { AuditLog } from '../audit/index.js';
import type { Catalog } from '../catalog/index.js';
import type { ChatNotifier } from '../conversation/request-cards.js';
import type { BotState } from '../state/index.js';

export interface SelfServiceDeps {
  catalog: Pick<Catalog, 'ingest' | 'whoOwns'>;
  /** The loaded action definitions, to check a request's inputs again before its steps run. */
  actions: ActionDefinition[];
  audit: Pick<AuditLog, 'append'>;
  journal: Pick<BotState, 'stepResult' | 'recordStep' | 'registerDescriptor'>;
  /** Chat surfaces by the prefix of a thread ref (`slack`, `shell`). */
  notifiers: Record<string, ChatNotifier>;
  /** Golden-path templates (manifests/templates). */
  templatesDir: string;
  /** Where new repositories go when an action names no remote: a folder of bare repositories or a git URL prefix. */
  gitRemote: string;
  /** Descriptors registered by self-service; ingested with the catalog so they survive a restart. */
  registryDir: string;
  /** Scratch space for rendered templates, one folder per request. */
  workDir: string;
  /** Base URL webhook receivers call back (`<publicUrl>/api/callbacks/<workflow id>/<step>`). */
  publicUrl: string;
  /** The value of a secret environment variable named by an action (`secretEnv`). */
  secret(name: string): string | undefined;
  /** The Temporal UI link of a workflow, when a UI is known. */
  workflowUrl?(workflowId: string): string | undefined;
  /** Extra environment for `command` steps (PATH, credentials the operator chose to pass). */
  commandEnv?: Record<string, string>;
}
