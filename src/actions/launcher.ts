/**
 * The client side of self-service: starts a request's workflow from its plan (./plan.ts: everything
 * the workflow needs is decided when the request is made), sends votes as Updates, and answers status
 * queries.
 */
import { type Client, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { AuditLog } from '../audit/index.js';
import { actionStatusQuery, type ActionStatus, type PersonRef, voteUpdate } from '../../workflows/contract.js';
import { isPerson } from './approvers.js';
import { chatIdsOf } from '../catalog/chat-ids.js';
import type { ActionDefinition } from './definition.js';
import { type Actor, plan, type PlanDeps, type PlanRefusal, type RequestOptions } from './plan.js';
import { ephemeralVoteSigner, type VoteSigner } from './vote-signing.js';

export type { Actor, RequestOptions } from './plan.js';

export class SelfServiceUnavailable extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'SelfServiceUnavailable';
  }
}

export interface TemporalAccess {
  /** A connected client, or a SelfServiceUnavailable saying why there is none. */
  client(): Promise<Client>;
}

export type RequestOutcome =
  | { kind: 'started'; workflowId: string; status: ActionStatus | null }
  | { kind: 'existing'; workflowId: string; status: ActionStatus | null }
  | PlanRefusal
  | { kind: 'unavailable'; reason: string };

export type VoteOutcome = { kind: 'counted'; status: string } | { kind: 'refused'; reason: string } | { kind: 'unavailable'; reason: string };

export interface LauncherDeps extends Omit<PlanDeps, 'now' | 'voteKey'> {
  temporal: TemporalAccess;
  taskQueue: string;
  actions: ActionDefinition[];
  audit: Pick<AuditLog, 'append'>;
  now?: () => Date;
  /** Counts requests and votes by outcome, for /metrics. */
  count?: (what: 'request' | 'vote', action: string, outcome: string) => void;
  /**
   * Signs the votes this launcher sends; its public key goes into every request. Without one, a key
   * for this process only: requests it starts take no vote from another process (fine for tests).
   */
  voteSigner?: VoteSigner;
}

const unavailable = (err: unknown): RequestOutcome & VoteOutcome => ({ kind: 'unavailable', reason: (err as Error).message });

export function createLauncher(deps: LauncherDeps) {
  const now = deps.now ?? (() => new Date());
  const signer = deps.voteSigner ?? ephemeralVoteSigner();
  const byCommand = new Map(deps.actions.map((a) => [a.spec.command, a]));
  const byName = new Map(deps.actions.map((a) => [a.metadata.name, a]));
  /** Approvers of the requests this process started, by workflow id. */
  const started = new Map<string, PersonRef[]>();
  const planDeps: PlanDeps = { catalog: deps.catalog, deployments: deps.deployments, incidents: (ref) => deps.incidents(ref), now, voteKey: signer.publicKey };

  /** Inputs, approvers and steps of one request (./plan.ts). */
  const planRequest = (action: ActionDefinition, raw: Record<string, unknown>, actor: Actor, thread: string, opts: RequestOptions = {}) =>
    plan(planDeps, action, raw, actor, thread, opts);

  async function query(client: Client, workflowId: string): Promise<ActionStatus | null> {
    try {
      return await client.workflow.getHandle(workflowId).query(actionStatusQuery);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return null;
      throw err;
    }
  }

  const refuse = (actor: Actor, action: string, reason: string, detail: Record<string, unknown> = {}, workflowId?: string) =>
    deps.audit.append({ actor: actor.ref ?? actor.id, action, event: 'refused', detail: { reason, ...detail }, workflowId: workflowId ?? null });

  async function startRequest(
    action: ActionDefinition,
    raw: Record<string, unknown>,
    actor: Actor,
    thread: string,
    opts: RequestOptions = {},
  ): Promise<RequestOutcome> {
    const planned = await planRequest(action, raw, actor, thread, opts);
    if (!('ok' in planned)) {
      if (planned.kind === 'refused') await refuse(actor, action.metadata.name, planned.reason, { inputs: raw });
      return planned;
    }
    let client: Client;
    try {
      client = await deps.temporal.client();
    } catch (err) {
      return unavailable(err);
    }
    try {
      await client.workflow.start(planned.workflowType, {
        taskQueue: deps.taskQueue,
        workflowId: planned.workflowId,
        args: [planned.request],
        // A request with the same key already running is refused by the server (one round trip, no
        // race between two submits); one that has ended may run again (next week's rollback).
        workflowIdConflictPolicy: 'FAIL',
        workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      });
      if (!planned.request.breakGlass) {
        started.set(planned.workflowId, planned.request.approvers);
        // Bounded: the oldest requests fall back to a query.
        if (started.size > 10_000) started.delete(started.keys().next().value as string);
      }
      return { kind: 'started', workflowId: planned.workflowId, status: null };
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) {
        return { kind: 'existing', workflowId: planned.workflowId, status: await query(client, planned.workflowId).catch(() => null) };
      }
      return unavailable(err);
    }
  }

  /** An approver's decision, as a Temporal Update: the workflow's validator has the last word. */
  async function castVote(workflowId: string, actor: Actor, decision: 'approve' | 'reject', reason?: string): Promise<VoteOutcome> {
    const action = workflowId.split('/')[0] ?? 'unknown';
    let client: Client;
    try {
      client = await deps.temporal.client();
    } catch (err) {
      return unavailable(err);
    }
    const ids = [actor.ref, actor.id, ...Object.values(actor.chatIds), actor.email, actor.id.replace(/^\w+:/, '')].filter((x): x is string => Boolean(x));
    const match = (people: PersonRef[]) => people.find((p) => ids.some((id) => isPerson({ ...p, chatIds: chatIdsOf(p) }, id)));
    // Requests started here are known: their approvers need no query (a round trip through a
    // workflow task) before the vote. Anyone else, or an escalation's new approvers, is looked up.
    let person = match(started.get(workflowId) ?? []);
    if (!person) {
      let status: ActionStatus | null;
      try {
        status = await query(client, workflowId);
      } catch (err) {
        return unavailable(err);
      }
      if (!status) {
        await refuse(actor, action, 'no such request', { decision }, workflowId);
        return { kind: 'refused', reason: `There is no request ${workflowId}.` };
      }
      if (status.phase !== 'awaiting-approval') {
        const why = status.breakGlass ? 'This request went ahead by break-glass.' : 'This request has already been decided.';
        await refuse(actor, action, why, { decision }, workflowId);
        return { kind: 'refused', reason: why };
      }
      person = match(status.approvers);
    }
    const approver = person?.ref ?? actor.ref ?? actor.id;
    try {
      const result = await client.workflow.getHandle(workflowId).executeUpdate(voteUpdate, {
        // Signed right before sending: the validator refuses a vote without the bot's signature.
        args: [signer.sign(workflowId, { approver, decision, ...(reason && { reason }) })],
        // A double click is one vote: Temporal answers a repeated update id with the first result.
        updateId: `vote:${approver}:${decision}`,
      });
      return { kind: 'counted', status: result.status };
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) {
        const why = (err.cause as Error | undefined)?.message ?? err.message;
        await refuse(actor, action, why, { decision }, workflowId);
        return { kind: 'refused', reason: why };
      }
      if (err instanceof WorkflowNotFoundError || /already completed/i.test((err as Error).message)) {
        await refuse(actor, action, 'request already finished', { decision }, workflowId);
        return { kind: 'refused', reason: 'This request has already finished.' };
      }
      return unavailable(err);
    }
  }

  return {
    actions: () => deps.actions,
    commands: () => deps.actions.map((a) => a.spec.command),
    byCommand: (command: string) => byCommand.get(command),
    byName: (name: string) => byName.get(name),
    plan: planRequest,

    /** Catalog entities a picker input offers for what was typed so far (Slack's external_select). */
    suggest(actionName: string, inputName: string, text: string): { label: string; value: string }[] {
      const input = byName.get(actionName)?.spec.inputs.find((i) => i.name === inputName);
      const kind = input && { group: 'group', system: 'system', service: 'component' }[input.type as string];
      if (!kind) return [];
      return deps.catalog.suggest(kind, text, 50).map((e) => ({ label: e.title ? `${e.name} — ${e.title}` : e.name, value: e.name }));
    },

    /** Starts the request's workflow, or returns the one already running for the same business key. */
    async request(action: ActionDefinition, raw: Record<string, unknown>, actor: Actor, thread: string, opts: RequestOptions = {}): Promise<RequestOutcome> {
      const outcome = await startRequest(action, raw, actor, thread, opts);
      deps.count?.('request', action.metadata.name, outcome.kind);
      return outcome;
    },

    /** An approver's decision, as a Temporal Update: the workflow's validator has the last word. */
    async vote(workflowId: string, actor: Actor, decision: 'approve' | 'reject', reason?: string): Promise<VoteOutcome> {
      const outcome = await castVote(workflowId, actor, decision, reason);
      deps.count?.('vote', workflowId.split('/')[0] ?? 'unknown', outcome.kind);
      return outcome;
    },

    /** The request's status from its workflow query; null when there is no such request. */
    async status(workflowId: string): Promise<ActionStatus | null | { unavailable: string }> {
      try {
        return await query(await deps.temporal.client(), workflowId);
      } catch (err) {
        return { unavailable: (err as Error).message };
      }
    },
  };
}

export type Launcher = ReturnType<typeof createLauncher>;
