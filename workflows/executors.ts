/**
 * The one table of step executors (docs/actions-format.md): what an action file may name in `run`,
 * how its `with` is checked, the activity that runs it, how it is undone, whether it waits for a
 * callback. The action-file schema (src/actions/schema.ts), the workflow's dispatch (action.ts), the
 * activities (src/activities/index.ts) and the launcher's planning (src/actions/plan.ts) all read it.
 * Pure data, so workflow code can import it.
 */
import type { SelfServiceActivities, StepActivity } from './contract.js';

/** The activities that run a step (the others post to chat or keep the audit). */
export type ExecutorActivity = { [K in keyof SelfServiceActivities]: SelfServiceActivities[K] extends StepActivity ? K : never }[keyof SelfServiceActivities];

export interface ExecutorSpec {
  /** The activity that runs it. */
  activity: ExecutorActivity;
  /**
   * How `with` is checked when the action file is loaded: `webhook` and `command` have their own
   * settings (src/actions/schema.ts); `any` takes any mapping.
   */
  settings: 'any' | 'webhook' | 'command';
  /** False for undo-only executors: an action file cannot name them, in `run` or in `compensate`. */
  declarable: boolean;
  /** The executor that undoes it when the step declares no `compensate` of its own. */
  undo?: string;
  /** The step may finish by its receiver's callback (`with.callback: true`) rather than its activity's answer. */
  callbacks?: boolean;
}

/** In the order the docs and the schema's messages list them. */
export const EXECUTORS = {
  'render-template': { activity: 'renderTemplate', settings: 'any', declarable: true },
  'git-push': { activity: 'gitPush', settings: 'any', declarable: true, undo: 'delete-repository' },
  'register-catalog': { activity: 'registerCatalog', settings: 'any', declarable: true, undo: 'unregister-catalog' },
  'create-channel': { activity: 'createChannel', settings: 'any', declarable: true },
  'post-links': { activity: 'postLinks', settings: 'any', declarable: true },
  webhook: { activity: 'webhook', settings: 'webhook', declarable: true, callbacks: true },
  command: { activity: 'command', settings: 'command', declarable: true },
  'record-resource': { activity: 'recordResource', settings: 'any', declarable: true, undo: 'unregister-catalog' },
  // A deploy is a webhook to the deploy system; its own name says what the step does.
  'deploy-version': { activity: 'webhook', settings: 'webhook', declarable: true, callbacks: true },
  // The built-in undos of the executors above.
  'delete-repository': { activity: 'deleteRepository', settings: 'any', declarable: false },
  'unregister-catalog': { activity: 'unregisterCatalog', settings: 'any', declarable: false },
} as const satisfies Record<string, ExecutorSpec>;

export type ExecutorName = keyof typeof EXECUTORS;
/** What an action file may name in `run`. */
export type RunKind = { [K in ExecutorName]: (typeof EXECUTORS)[K]['declarable'] extends true ? K : never }[ExecutorName];
/** The executors of each kind of settings. */
export type RunKindWith<S extends ExecutorSpec['settings']> = { [K in RunKind]: (typeof EXECUTORS)[K]['settings'] extends S ? K : never }[RunKind];

/** The executor named `run`, or undefined for a name no executor has. */
export function executorSpec(run: string): ExecutorSpec | undefined {
  return Object.hasOwn(EXECUTORS, run) ? (EXECUTORS as Record<string, ExecutorSpec>)[run] : undefined;
}

export const RUN_KINDS = (Object.keys(EXECUTORS) as ExecutorName[]).filter((k): k is RunKind => EXECUTORS[k].declarable) as [RunKind, ...RunKind[]];
