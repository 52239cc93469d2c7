/**
 * A request made into a plan, before anything is started: inputs validated against the catalog (an
 * empty version becomes the last good deploy), the approvers resolved, break-glass decided, the steps
 * chosen by their conditions with every placeholder filled in and their undo (declared, or the
 * executor's own from workflows/executors.ts), and the business-key workflow id. Pure: no Temporal,
 * so it is tested on its own (plan.test.ts) and the launcher only starts what it returns.
 */
import { redact, redactText } from '../audit/redact.js';
import type { Catalog, ChatIds } from '../catalog/index.js';
import { shortRef } from '../catalog/ref.js';
import type { DeploymentLog } from '../deployments/index.js';
import type { ActionRequest, ApprovalTimers, PersonRef, PlannedStep } from '../../workflows/contract.js';
import { executorSpec } from '../../workflows/executors.js';
import { type Approver, decideBreakGlass, type RequesterIds, resolveApprovers } from './approvers.js';
import { type ActionDefinition, conditionHolds, PICKER_TYPES } from './definition.js';
import { catalogLookups, type InputError, type InputValues, validateInputs } from './inputs.js';
import { renderText } from './template.js';
import { conversationOf } from '../threads.js';

/** Who is asking or clicking, as the chat surface knows them. */
export interface Actor {
  /** The chat identity: `slack:U123`, `teams:<Entra object id>`, `shell:diego-alvarez`. */
  id: string;
  /** The catalog User, when the person is in the catalog. */
  ref: string | null;
  displayName: string;
  email: string | null;
  /** The verified account's id on its platform, and the catalog User's ids on other platforms. */
  chatIds: ChatIds;
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

export interface PlanDeps {
  catalog: Pick<Catalog, 'whoOwns' | 'getEntity' | 'suggest' | 'responsible' | 'groupMembers'>;
  deployments: Pick<DeploymentLog, 'previousSuccessful'>;
  /** Incident conversations open for an entity (break-glass needs one). */
  incidents(entityRef: string): Promise<string[]>;
  now: () => Date;
  /** The public key of the bot's vote signer: the workflow takes only votes it signed. */
  voteKey: string;
}

/** A request ready to start. */
export interface Planned {
  ok: true;
  request: ActionRequest;
  workflowId: string;
  workflowType: string;
}

/** Why a request cannot be made: its inputs, or a refusal (identity, approvers, break-glass). */
export type PlanRefusal =
  { kind: 'invalid'; action: ActionDefinition; errors: InputError[]; values: Record<string, unknown> } | { kind: 'refused'; reason: string };

/** The workflow type of each shipped action (DESIGN.md); any other action runs the engine as `runAction`. */
const WORKFLOW_TYPES: Record<string, string> = { 'create-service': 'createService', provision: 'provisionResource', rollback: 'rollbackDeployment' };
const DEFAULT_STEP_TIMEOUT_MS = 2 * 60_000;
const HOUR_MS = 3_600_000;

const asPerson = (a: Approver | Actor, ref = 'ref' in a && a.ref ? a.ref : (a as Actor).id): PersonRef => ({
  ref,
  displayName: a.displayName,
  email: a.email,
  chatIds: a.chatIds,
});

function fill(value: unknown, values: Record<string, string | number | boolean | undefined>): unknown {
  if (typeof value === 'string') return renderText(value, values).text;
  if (Array.isArray(value)) return value.map((v) => fill(v, values));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v, values)]));
  return value;
}

const display = (action: ActionDefinition, values: InputValues) =>
  action.spec.inputs
    .filter((i) => values[i.name] !== undefined)
    .map((i) => {
      const v = values[i.name] as string | number | boolean;
      const text = typeof v === 'boolean' ? (v ? 'yes' : 'no') : PICKER_TYPES.includes(i.type as never) ? shortRef(String(v)) : String(v);
      return { label: i.title, value: text };
    });

/** Inputs, approvers and steps of one request; errors or a refusal when it cannot be made. */
export async function plan(
  deps: PlanDeps,
  action: ActionDefinition,
  raw: Record<string, unknown>,
  actor: Actor,
  thread: string,
  opts: RequestOptions = {},
): Promise<Planned | PlanRefusal> {
  const checked = validateInputs(action, raw, catalogLookups(deps.catalog));
  if (!checked.ok) return { kind: 'invalid', action, errors: checked.errors, values: raw };
  const values: InputValues = { ...checked.values };

  // A version left empty is the previous successful deploy of the service the action is about.
  const errors: InputError[] = [];
  const serviceInput = action.spec.inputs.find((i) => i.type === 'service');
  for (const input of action.spec.inputs.filter((i) => i.type === 'version' && values[i.name] === undefined)) {
    const service = serviceInput && values[serviceInput.name];
    if (typeof service !== 'string') continue;
    const previous = await deps.deployments.previousSuccessful(service, 'production');
    if (previous) values[input.name] = previous.version;
    else
      errors.push({ input: input.name, message: `no earlier successful deploy of ${shortRef(service)} is recorded (POST /api/deployments); give a version` });
  }
  if (errors.length) return { kind: 'invalid', action, errors, values: raw };

  if (actor.ambiguous?.length) {
    return {
      kind: 'refused',
      reason: `Your chat account is claimed by more than one catalog User (${actor.ambiguous.join(', ')}): ambiguous identity, so it is none of them. Ask whoever maintains the catalog to remove the wrong claim.`,
    };
  }
  const requester = actor.ref ?? actor.id;
  const ids: RequesterIds = { ref: actor.ref, id: actor.id, chatIds: actor.chatIds, email: actor.email };
  const resolution = resolveApprovers(action, values, ids, deps.catalog, deps.now());
  let breakGlass: ActionRequest['breakGlass'];
  if (opts.breakGlass) {
    const glassInput = action.spec.approval.find((r) => r.breakGlass)?.breakGlass?.onCallOf;
    const subject = glassInput ? values[glassInput] : undefined;
    // Open incidents are conversations where Switchboard posted a card for this very service; what a
    // channel is called proves nothing. The one the request was made in is named when it is one of them.
    const incidents = typeof subject === 'string' ? await deps.incidents(subject) : [];
    const here = conversationOf(thread);
    const decision = decideBreakGlass(resolution, ids, incidents.length > 0);
    if (!decision.allowed) return { kind: 'refused', reason: `Break-glass refused: ${decision.refusal}.` };
    breakGlass = { approver: decision.approver.ref, incident: incidents.includes(here) ? here : (incidents[0] ?? 'no incident required') };
  } else if (resolution.problems.length) {
    return { kind: 'refused', reason: `This request cannot be approved as things stand: ${resolution.problems.join('; ')}.` };
  }

  const key = action.spec.key
    ? renderText(action.spec.key, values).text
    : action.spec.inputs
        .filter((i) => i.required)
        .map((i) => shortRef(String(values[i.name])))
        .join('/');
  const workflowId = `${action.metadata.name}/${key}`;
  const context = { ...values, requester, requestId: workflowId };
  const steps: PlannedStep[] = action.spec.steps
    .filter((s) => !s.when || conditionHolds(s.when, values))
    .map((s) => {
      const w = fill(s.with, context) as Record<string, unknown>;
      const builtin = executorSpec(s.run)?.undo;
      const undo = s.compensate
        ? { run: s.compensate.run, with: fill(s.compensate.with, context) as Record<string, unknown> }
        : builtin
          ? { run: builtin, with: {} }
          : undefined;
      return {
        id: s.id,
        title: s.title,
        run: s.run,
        with: w,
        ...(undo && { compensate: undo }),
        timeoutMs: typeof w.timeout === 'number' ? w.timeout : DEFAULT_STEP_TIMEOUT_MS,
      };
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
    ...(escalation.length &&
      escalateAfterMs !== undefined && {
        escalateAfterMs,
        escalateTo: {
          description: rules
            .map((r) => r.escalation?.description)
            .filter(Boolean)
            .join(' or '),
          required: 1,
          approvers: [...new Set(escalation.map((p) => p.ref))],
        },
      }),
  };
  const approvers = [...new Map(rules.flatMap((r) => r.approvers).map((p) => [p.ref, asPerson(p)])).values()];
  const request: ActionRequest = {
    action: action.metadata.name,
    title: action.metadata.title,
    summary: redactText(`${action.metadata.title}: ${key.split('/').join(' · ')}`),
    requester: asPerson(actor, requester),
    // The service the request is about; for a new service, the component it will be.
    target:
      serviceInput && typeof values[serviceInput.name] === 'string'
        ? String(values[serviceInput.name])
        : typeof values.name === 'string'
          ? `component:default/${values.name}`
          : workflowId,
    // The request is workflow input, kept in the history the Temporal UI shows: no secret travels in
    // it (a step reads its own from the environment through secretEnv).
    values: redact(values) as typeof values,
    shownInputs: display(action, redact(values) as typeof values),
    policy: {
      requester,
      selfApproval: rules.some((r) => r.selfApproval),
      rules: rules.map((r) => ({ description: r.description, required: r.required, approvers: r.approvers.map((p) => p.ref) })),
      voteKey: deps.voteKey,
    },
    timers,
    approvers,
    escalation: [...new Map(escalation.map((p) => [p.ref, asPerson(p)])).values()],
    ...(breakGlass && { breakGlass }),
    steps: redact(steps) as PlannedStep[],
    thread,
  };
  return { ok: true, request, workflowId, workflowType: WORKFLOW_TYPES[action.metadata.name] ?? 'runAction' };
}
