/**
 * The client side of self-service: turns a request (a command's text or a submitted form) into a
 * plan and starts its workflow, sends votes as Updates, and answers status queries. Everything the
 * workflow needs is decided here, when the request is made: inputs validated against the catalog,
 * approvers resolved, placeholders in the steps filled in, the business-key workflow id.
 */
import { type Client, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { AuditLog } from '../audit/index.js';
import { redact, redactText } from '../audit/redact.js';
import type { Catalog } from '../catalog/index.js';
import { shortRef } from '../catalog/ref.js';
import type { DeploymentLog } from '../deployments/index.js';
import { actionStatusQuery, type ActionRequest, type ActionStatus, type PersonRef, type PlannedStep } from '../../workflows/action.js';
import { voteUpdate } from '../../workflows/approval.js';
import type { ApprovalTimers } from '../../workflows/approval.js';
import { decideBreakGlass, isPerson, type RequesterIds, resolveApprovers, type Approver } from './approvers.js';
import { conditionHolds, type ActionDefinition, PICKER_TYPES } from './definition.js';
import { catalogLookups, type InputError, type InputValues, validateInputs } from './inputs.js';
import { renderText } from './template.js';
import { ephemeralVoteSigner, type VoteSigner } from './vote-signing.js';

/** Who is asking or clicking, as the chat surface knows them. */
export interface Actor {
  /** The chat identity: `slack:U123`, `shell:diego-alvarez`. */
  id: string;
  /** The catalog User, when the person is in the catalog. */
  ref: string | null;
  displayName: string;
  email: string | null;
  slackUserId: string | null;
  /**
   * Users that all claim this chat account (the same Slack id, or failing that the same e-mail): it is
   * none of them (`ref` is null), and its requests are refused as an ambiguous identity.
   */
  ambiguous?: string[];
}

/** How a request is made: `breakGlass` asks for the on-call's break-glass (DESIGN.md). */
export interface RequestOptions {
  breakGlass?: boolean;
}

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
  | { kind: 'invalid'; action: ActionDefinition; errors: InputError[]; values: Record<string, unknown> }
  | { kind: 'refused'; reason: string }
  | { kind: 'unavailable'; reason: string };

export type VoteOutcome =
  | { kind: 'counted'; status: string }
  | { kind: 'refused'; reason: string }
  | { kind: 'unavailable'; reason: string };

export interface LauncherDeps {
  temporal: TemporalAccess;
  taskQueue: string;
  actions: ActionDefinition[];
  catalog: Pick<Catalog, 'whoOwns' | 'getEntity' | 'suggest' | 'responsible' | 'groupMembers'>;
  deployments: Pick<DeploymentLog, 'previousSuccessful'>;
  audit: Pick<AuditLog, 'append'>;
  /** Incident conversations open for an entity (break-glass needs one). */
  incidents(entityRef: string): string[];
  now?: () => Date;
  /** Counts requests and votes by outcome, for /metrics. */
  count?: (what: 'request' | 'vote', action: string, outcome: string) => void;
  /**
   * Signs the votes this launcher sends; its public key goes into every request. Without one, a key
   * for this process only: requests it starts take no vote from another process (fine for tests).
   */
  voteSigner?: VoteSigner;
}

/** The workflow type of each shipped action (DESIGN.md); any other action runs the engine as `runAction`. */
const WORKFLOW_TYPES: Record<string, string> = { 'create-service': 'createService', provision: 'provisionResource', rollback: 'rollbackDeployment' };
const DEFAULT_STEP_TIMEOUT_MS = 2 * 60_000;
const HOUR_MS = 3_600_000;
/** Undo steps that need no declaring: what the executor did, it knows how to take back. */
const BUILTIN_UNDO: Record<string, string> = { 'git-push': 'delete-repository', 'register-catalog': 'unregister-catalog', 'record-resource': 'unregister-catalog' };

const asPerson = (a: Approver | Actor, ref = 'ref' in a && a.ref ? a.ref : (a as Actor).id): PersonRef => ({
  ref,
  displayName: a.displayName,
  email: a.email,
  slackUserId: a.slackUserId,
});

function fill(value: unknown, values: Record<string, string | number | boolean | undefined>): unknown {
  if (typeof value === 'string') return renderText(value, values).text;
  if (Array.isArray(value)) return value.map((v) => fill(v, values));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v, values)]));
  return value;
}

const unavailable = (err: unknown): RequestOutcome & VoteOutcome => ({ kind: 'unavailable', reason: (err as Error).message });

export function createLauncher(deps: LauncherDeps) {
  const now = deps.now ?? (() => new Date());
  const signer = deps.voteSigner ?? ephemeralVoteSigner();
  const byCommand = new Map(deps.actions.map((a) => [a.spec.command, a]));
  const byName = new Map(deps.actions.map((a) => [a.metadata.name, a]));
  /** Approvers of the requests this process started, by workflow id. */
  const started = new Map<string, PersonRef[]>();

  const display = (action: ActionDefinition, values: InputValues) =>
    action.spec.inputs
      .filter((i) => values[i.name] !== undefined)
      .map((i) => {
        const v = values[i.name] as string | number | boolean;
        const text = typeof v === 'boolean' ? (v ? 'yes' : 'no') : PICKER_TYPES.includes(i.type as never) ? shortRef(String(v)) : String(v);
        return { label: i.title, value: text };
      });

  /** Inputs, approvers and steps of one request; errors or a refusal when it cannot be made. */
  function plan(action: ActionDefinition, raw: Record<string, unknown>, actor: Actor, thread: string, opts: RequestOptions = {}):
    | { ok: true; request: ActionRequest; workflowId: string; workflowType: string }
    | Exclude<RequestOutcome, { kind: 'started' | 'existing' | 'unavailable' }> {
    const checked = validateInputs(action, raw, catalogLookups(deps.catalog));
    if (!checked.ok) return { kind: 'invalid', action, errors: checked.errors, values: raw };
    const values: InputValues = { ...checked.values };

    // A version left empty is the previous successful deploy of the service the action is about.
    const errors: InputError[] = [];
    const serviceInput = action.spec.inputs.find((i) => i.type === 'service');
    for (const input of action.spec.inputs.filter((i) => i.type === 'version' && values[i.name] === undefined)) {
      const service = serviceInput && values[serviceInput.name];
      if (typeof service !== 'string') continue;
      const previous = deps.deployments.previousSuccessful(service, 'production');
      if (previous) values[input.name] = previous.version;
      else errors.push({ input: input.name, message: `no earlier successful deploy of ${shortRef(service)} is recorded (POST /api/deployments); give a version` });
    }
    if (errors.length) return { kind: 'invalid', action, errors, values: raw };

    if (actor.ambiguous?.length) {
      return { kind: 'refused', reason: `Your chat account is claimed by more than one catalog User (${actor.ambiguous.join(', ')}): ambiguous identity, so it is none of them. Ask whoever maintains the catalog to remove the wrong claim.` };
    }
    const requester = actor.ref ?? actor.id;
    const ids: RequesterIds = { ref: actor.ref, id: actor.id, slackUserId: actor.slackUserId, email: actor.email };
    const resolution = resolveApprovers(action, values, ids, deps.catalog, now());
    let breakGlass: ActionRequest['breakGlass'];
    if (opts.breakGlass) {
      const glassInput = action.spec.approval.find((r) => r.breakGlass)?.breakGlass?.onCallOf;
      const subject = glassInput ? values[glassInput] : undefined;
      // Open incidents are conversations where Switchboard posted a card for this very service; what a
      // channel is called proves nothing. The one the request was made in is named when it is one of them.
      const incidents = typeof subject === 'string' ? deps.incidents(subject) : [];
      const here = thread.split(':').slice(0, 2).join(':');
      const decision = decideBreakGlass(resolution, ids, incidents.length > 0);
      if (!decision.allowed) return { kind: 'refused', reason: `Break-glass refused: ${decision.refusal}.` };
      breakGlass = { approver: decision.approver.ref, incident: incidents.includes(here) ? here : (incidents[0] ?? 'no incident required') };
    } else if (resolution.problems.length) {
      return { kind: 'refused', reason: `This request cannot be approved as things stand: ${resolution.problems.join('; ')}.` };
    }

    const key = action.spec.key
      ? renderText(action.spec.key, values).text
      : action.spec.inputs.filter((i) => i.required).map((i) => shortRef(String(values[i.name]))).join('/');
    const workflowId = `${action.metadata.name}/${key}`;
    const context = { ...values, requester, requestId: workflowId };
    const steps: PlannedStep[] = action.spec.steps
      .filter((s) => !s.when || conditionHolds(s.when, values))
      .map((s) => {
        const w = fill(s.with, context) as Record<string, unknown>;
        const undo = s.compensate ? { run: s.compensate.run, with: fill(s.compensate.with, context) as Record<string, unknown> } : BUILTIN_UNDO[s.run] ? { run: BUILTIN_UNDO[s.run] as string, with: {} } : undefined;
        return { id: s.id, title: s.title, run: s.run, with: w, ...(undo && { compensate: undo }), timeoutMs: typeof w.timeout === 'number' ? w.timeout : DEFAULT_STEP_TIMEOUT_MS };
      });

    const rules = resolution.rules;
    const min = (xs: (number | undefined)[]) => {
      const defined = xs.filter((x): x is number => x !== undefined);
      return defined.length ? Math.min(...defined) : undefined;
    };
    const escalation = rules.flatMap((r) => r.escalation?.approvers ?? []);
    const remindAfterMs = min(rules.map((r) => r.remindAfter));
    const escalateAfterMs = min(rules.map((r) => r.escalateAfter));
    const timers: ApprovalTimers = {
      expireAfterMs: min(rules.map((r) => r.expireAfter)) ?? 24 * HOUR_MS,
      ...(remindAfterMs !== undefined && { remindAfterMs }),
      ...(escalation.length && escalateAfterMs !== undefined && {
        escalateAfterMs,
        escalateTo: { description: rules.map((r) => r.escalation?.description).filter(Boolean).join(' or '), required: 1, approvers: [...new Set(escalation.map((p) => p.ref))] },
      }),
    };
    const approvers = [...new Map(rules.flatMap((r) => r.approvers).map((p) => [p.ref, asPerson(p)])).values()];
    const request: ActionRequest = {
      action: action.metadata.name,
      title: action.metadata.title,
      summary: redactText(`${action.metadata.title}: ${key.split('/').join(' · ')}`),
      requester: asPerson(actor, requester),
      // The service the request is about; for a new service, the component it will be.
      target: serviceInput && typeof values[serviceInput.name] === 'string' ? String(values[serviceInput.name]) : typeof values.name === 'string' ? `component:default/${values.name}` : workflowId,
      // The request is workflow input, kept in the history the Temporal UI shows: no secret travels in
      // it (a step reads its own from the environment through secretEnv).
      values: redact(values) as typeof values,
      shownInputs: display(action, redact(values) as typeof values),
      policy: { requester, selfApproval: rules.some((r) => r.selfApproval), rules: rules.map((r) => ({ description: r.description, required: r.required, approvers: r.approvers.map((p) => p.ref) })), voteKey: signer.publicKey },
      timers,
      approvers,
      escalation: [...new Map(escalation.map((p) => [p.ref, asPerson(p)])).values()],
      ...(breakGlass && { breakGlass }),
      steps: redact(steps) as PlannedStep[],
      thread,
    };
    return { ok: true, request, workflowId, workflowType: WORKFLOW_TYPES[action.metadata.name] ?? 'runAction' };
  }

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

  async function startRequest(action: ActionDefinition, raw: Record<string, unknown>, actor: Actor, thread: string, opts: RequestOptions = {}): Promise<RequestOutcome> {
    const planned = plan(action, raw, actor, thread, opts);
    if (!('ok' in planned)) {
      if (planned.kind === 'refused') refuse(actor, action.metadata.name, planned.reason, { inputs: raw });
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
    const ids = [actor.ref, actor.id, actor.slackUserId, actor.email, actor.id.replace(/^\w+:/, '')].filter((x): x is string => Boolean(x));
    const match = (people: PersonRef[]) => people.find((p) => ids.some((id) => isPerson({ ...p, slackUserId: p.slackUserId ?? null }, id)));
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
        refuse(actor, action, 'no such request', { decision }, workflowId);
        return { kind: 'refused', reason: `There is no request ${workflowId}.` };
      }
      if (status.phase !== 'awaiting-approval') {
        const why = status.breakGlass ? 'This request went ahead by break-glass.' : 'This request has already been decided.';
        refuse(actor, action, why, { decision }, workflowId);
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
        refuse(actor, action, why, { decision }, workflowId);
        return { kind: 'refused', reason: why };
      }
      if (err instanceof WorkflowNotFoundError || /already completed/i.test((err as Error).message)) {
        refuse(actor, action, 'request already finished', { decision }, workflowId);
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
    plan,

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
