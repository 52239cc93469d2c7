/**
 * The contract between the self-service workflow and everything else: what a request carries, what its
 * status answers, the messages (Updates, Queries, Signals) the bot sends it, and the activities it calls,
 * written out. The workflow engine (action.ts, approval.ts), the activities (src/activities) and the chat
 * side (src/actions, src/conversation) all import this file, never each other's implementation.
 * Deterministic and free of I/O like every file here: only message definitions are values.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { AuditEntryInput } from '../src/audit/index.js';
import type { ChatIds } from '../src/catalog/index.js';
import type { ApprovalPolicy, ApprovalRule, Vote } from './approval-rules.js';
import type { SignedVote } from './vote-proof.js';

// --- the request -----------------------------------------------------------------------------------

export type InputValue = string | number | boolean;

/**
 * A person as chat surfaces reach them: the catalog ref, and how to DM or mention them. Inputs recorded
 * before chat ids carry `slackUserId` instead of `chatIds`; nothing in a workflow reads either, and
 * activities read both through chatIdsOf (src/conversation/people.ts), so running workflows drain as they are.
 */
export interface PersonRef {
  ref: string;
  displayName: string;
  email: string | null;
  chatIds: ChatIds;
  /** @deprecated Recorded by earlier versions; read through chatIdsOf. */
  slackUserId?: string | null;
}

export interface PlannedExecutor {
  /** The executor (`render-template`, `git-push`, `webhook`, …; workflows/executors.ts, docs/actions-format.md). */
  run: string;
  /** The step's settings with every placeholder filled in. */
  with: Record<string, unknown>;
}

export interface PlannedStep extends PlannedExecutor {
  id: string;
  title: string;
  /** How to undo the step when a later one fails: declared in the action, or the executor's own undo. */
  compensate?: PlannedExecutor;
  /** How long the step may take, callbacks and polling included (ms). */
  timeoutMs: number;
}

export interface ApprovalTimers {
  /** Remind the approvers who have not voted after this long (ms); none when absent. */
  remindAfterMs?: number;
  /** Add the escalation rule's people as approvers after this long (ms). */
  escalateAfterMs?: number;
  escalateTo?: ApprovalRule;
  /** The request expires after this long (ms). */
  expireAfterMs: number;
}

export interface ActionRequest {
  /** The action's name: `create-service`, `provision`, `rollback`. */
  action: string;
  /** `Create a service`. */
  title: string;
  /** One line saying what is asked: `Create beans-api (team-payments, payments)`. */
  summary: string;
  requester: PersonRef;
  /** The entity the request is about (what the audit calls its target). */
  target: string;
  values: Record<string, InputValue>;
  /** The inputs as people read them, in the action's order. */
  shownInputs: { label: string; value: string }[];
  policy: ApprovalPolicy;
  timers: ApprovalTimers;
  /** Everyone asked at the start. */
  approvers: PersonRef[];
  /** Asked when the request escalates. */
  escalation: PersonRef[];
  /** Set when the on-call proceeds alone during an open incident: no approval is asked. */
  breakGlass?: { approver: string; incident: string };
  steps: PlannedStep[];
  /** Where the request was made: `slack:C123`, `slack:C123:1712.0001` (a thread), `shell:local`. */
  thread: string;
}

// --- the status ------------------------------------------------------------------------------------

export interface ApprovalStatus {
  status: 'pending' | 'approved' | 'rejected' | 'expired';
  votes: Vote[];
  reminded: boolean;
  escalated: boolean;
}

export type StepState = 'pending' | 'running' | 'done' | 'failed' | 'undone' | 'skipped';
/** `unreachable`: nobody who could approve the request could be asked, so it ended at once. */
export type Phase = 'awaiting-approval' | 'running' | 'succeeded' | 'failed' | 'rejected' | 'expired' | 'unreachable';

export interface StepStatus {
  id: string;
  title: string;
  state: StepState;
  detail?: string;
  startedAt?: number;
  endedAt?: number;
}

/** Someone who should have been asked and was not. */
export interface Unreached {
  ref: string;
  displayName: string;
  reason: string;
}

export interface ActionStatus {
  workflowId: string;
  action: string;
  title: string;
  summary: string;
  requester: PersonRef;
  target: string;
  shownInputs: { label: string; value: string }[];
  phase: Phase;
  approval: ApprovalStatus | null;
  /** Who may approve, by rule, as people read it. */
  approvalRules: string[];
  approvers: PersonRef[];
  breakGlass?: { approver: string; incident: string };
  steps: StepStatus[];
  links: { title: string; url: string }[];
  startedAt: number;
  updatedAt: number;
  endedAt?: number;
  /** The status message in the requester's thread, once posted. */
  statusMessage?: string;
  error?: string;
  /** Refs of the approvers whose DM went out; absent until the DMs were sent (reach.ts). */
  asked?: string[];
  /** Approvers who could not be asked, and why. */
  unreachable?: Unreached[];
}

// --- messages --------------------------------------------------------------------------------------

export interface StepCallback {
  step: string;
  status: 'succeeded' | 'failed';
  message?: string;
  output?: Record<string, unknown>;
}

export const actionStatusQuery = defineQuery<ActionStatus>('actionStatus');
/**
 * A webhook receiver finished a step (POST /api/callbacks/…, signature checked by the bot). The
 * validator refuses a callback for a step that is not waiting for one: early, for a later step, or a
 * second one; a refused Update leaves no trace in history.
 */
export const stepCallbackUpdate = defineUpdate<{ step: string }, [StepCallback]>('stepCallback');
/** Before stepCallbackUpdate: took any step's callback at any time. Kept only for workflows started then. */
export const stepCallbackSignal = defineSignal<[StepCallback]>('stepCallback');
/** Workflows started since callbacks became an Update (marker in their history). */
export const CALLBACK_UPDATE_PATCH = 'callback-update';

/** An approver's decision, signed by the bot (vote-proof.ts); the validator checks who may vote. */
export const voteUpdate = defineUpdate<{ status: string }, [SignedVote]>('vote');
export const approvalQuery = defineQuery<ApprovalStatus>('approval');

// --- the activities --------------------------------------------------------------------------------

/** What a step's activity is given: the step as planned and what the request has produced so far. */
export interface StepContext {
  workflowId: string;
  action: string;
  step: { id: string; title: string; run: string; with: Record<string, unknown>; timeoutMs: number };
  values: Record<string, InputValue>;
  requester: PersonRef;
  /** The status message (or, before it exists, the conversation) of the request. */
  thread: string;
  /** Outputs of the steps done so far, by step id. */
  outputs: Record<string, Record<string, unknown>>;
  /** True when undoing the step. */
  compensating: boolean;
}

export interface StepResult {
  output?: Record<string, unknown>;
  links?: { title: string; url: string }[];
  /** A short note shown next to the step. */
  detail?: string;
  /** The step finishes when its webhook receiver calls back (the workflow waits for the callback). */
  awaitCallback?: boolean;
}

/** Why an approver DM is sent: the first ask, the reminder, or the escalation. */
export type AskKind = 'request' | 'reminder' | 'escalation';

/** One person asked for a decision: the DM's ref, or why there is none. */
export interface AskResult {
  ref: string;
  displayName: string;
  /** The DM's message ref; null when the person could not be reached. */
  dm: string | null;
  /** Why not, for people: `no Slack account is linked to them in the catalog`, `the DM failed: …`. */
  reason?: string;
  code?: 'no-account' | 'dm-failed' | 'no-surface';
}

/** A step executor's activity: runs (or, with `compensating`, undoes) one step. */
export type StepActivity = (ctx: StepContext) => Promise<StepResult>;

/** The activities the workflow calls; the worker registers an implementation of each (src/activities). */
export interface SelfServiceActivities {
  /** Appends a row to the audit log; answers its sequence number. */
  appendAudit(entry: AuditEntryInput): Promise<number>;
  /** Problems with the inputs against today's catalog; empty when they still hold. */
  checkInputs(action: string, values: Record<string, InputValue>): Promise<string[]>;

  /** Posts the status message where the request was made; answers its ref. */
  openThread(where: string, status: ActionStatus): Promise<string>;
  editStatus(message: string, status: ActionStatus): Promise<void>;
  postOutcome(message: string, status: ActionStatus): Promise<void>;
  /** DMs each person the request with Approve / Reject; answers person by person. */
  askApprovers(status: ActionStatus, people: PersonRef[], kind: AskKind, where: string): Promise<AskResult[]>;
  /** Edits every approver's DM to the outcome and who decided. */
  closeApprovals(dms: string[], status: ActionStatus): Promise<void>;

  // One per executor (workflows/executors.ts names which runs which).
  renderTemplate: StepActivity;
  gitPush: StepActivity;
  deleteRepository: StepActivity;
  registerCatalog: StepActivity;
  unregisterCatalog: StepActivity;
  recordResource: StepActivity;
  createChannel: StepActivity;
  postLinks: StepActivity;
  webhook: StepActivity;
  command: StepActivity;
}
