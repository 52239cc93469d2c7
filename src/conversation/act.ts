/**
 * Self-service in the conversation: a command becomes a request (or a form, when inputs are missing),
 * a click becomes a vote, `/switchboard status <id>` answers from the workflow. The launcher does the
 * work; this module only decides what to say, the same way on every platform.
 */
import { type ActionDefinition, type InputDefinition, PICKER_TYPES, type PickerType } from '../actions/definition.js';
import { shortRef } from '../catalog/ref.js';
import type { Actor, Launcher, RequestOutcome, VoteOutcome } from '../actions/launcher.js';
import { parseRequestText } from '../actions/usage.js';
import type { ActionStatus } from '../../workflows/contract.js';
import type { Reply, Text } from './reply.js';
import { notice, statusCard } from './request-cards.js';

export type SelfService = Pick<Launcher, 'commands' | 'byCommand' | 'byName' | 'request' | 'vote' | 'status' | 'suggest'>;

export interface FormField {
  name: string;
  label: string;
  kind: 'text' | 'select' | 'boolean' | 'number';
  required: boolean;
  hint?: string;
  options?: string[];
  /** A catalog entity picker: options come from the catalog as the person types. */
  picker?: PickerType;
  initial?: string | number | boolean;
}

/** A form for one action, prefilled with what the command already said. */
export interface Form {
  action: string;
  title: string;
  description: string;
  fields: FormField[];
  /** Carried through the form unchanged: where the request was made, and break-glass. */
  context: { where: string; breakGlass: boolean };
}

export type ActAnswer = { reply: Reply } | { form: Form };

const PICKER_HINT: Record<string, string> = {
  group: 'A team in the catalog, e.g. team-payments',
  system: 'A system in the catalog, e.g. payments',
  service: 'A service in the catalog, e.g. payments-api',
  version: 'Empty: the previous successful deploy',
};

function field(input: InputDefinition, initial: unknown): FormField {
  const kind = input.type === 'enum' ? 'select' : input.type === 'boolean' ? 'boolean' : input.type === 'number' ? 'number' : 'text';
  const value = initial ?? input.default;
  const picker = (PICKER_TYPES as readonly string[]).includes(input.type) ? (input.type as PickerType) : undefined;
  const hint = input.description ?? PICKER_HINT[input.type] ?? input.patternHint;
  return {
    name: input.name,
    label: input.title,
    kind,
    required: input.required,
    ...(hint && { hint }),
    ...(input.values && { options: input.values }),
    ...(picker && { picker }),
    // Picker values are refs (`group:default/team-payments`); the form shows the name.
    ...(value !== undefined && { initial: typeof value === 'string' && picker ? shortRef(value) : (value as string | number | boolean) }),
  };
}

export function formFor(action: ActionDefinition, values: Record<string, unknown>, where: string, breakGlass = false): Form {
  return {
    action: action.metadata.name,
    title: action.metadata.title,
    description: action.metadata.description,
    fields: action.spec.inputs.map((i) => field(i, values[i.name])),
    context: { where, breakGlass },
  };
}

const example = (action: ActionDefinition) =>
  `${action.spec.command}${action.spec.usage ? ` ${action.spec.usage}` : ''} ${action.spec.inputs
    .filter((i) => !action.spec.usage?.includes(`<${i.name}>`) && i.required)
    .map((i) => `${i.name}=…`)
    .join(' ')}`.trim();

/** What to say about a request's outcome. Invalid inputs are said here too (a form shows them by field). */
export function requestReply(outcome: RequestOutcome): Reply {
  switch (outcome.kind) {
    case 'started':
      // Said before the DMs went out: the status message says who was asked, or who could not be.
      return notice(
        [
          '⏳ Requested ',
          { code: outcome.workflowId },
          '. I am asking the approvers in DMs now; the status in this conversation says who was asked, and progress follows there.',
        ],
        `Requested ${outcome.workflowId}`,
      );
    case 'existing':
      return notice(
        [
          'This request is already running as ',
          { code: outcome.workflowId },
          outcome.status ? ` (${outcome.status.phase}); nothing new was started.` : '; nothing new was started.',
        ],
        `Already running: ${outcome.workflowId}`,
      );
    case 'invalid': {
      const text: Text = ['I cannot request that yet:'];
      for (const e of outcome.errors) text.push(`\n• ${outcome.action.spec.inputs.find((i) => i.name === e.input)?.title ?? e.input}: ${e.message}`);
      text.push('\nUsage: ', { code: example(outcome.action) });
      return notice(text, `Cannot request ${outcome.action.metadata.name}: ${outcome.errors.map((e) => `${e.input} ${e.message}`).join('; ')}`);
    }
    case 'refused':
      return notice([`🚫 ${outcome.reason}`]);
    case 'unavailable':
      return unavailableReply(outcome.reason);
  }
}

export function unavailableReply(reason: string): Reply {
  return notice(
    [`Self-service is unavailable right now: ${reason}. Lookups (/whoowns, /runbook) still work; try the request again in a minute.`],
    'Self-service is unavailable',
  );
}

export function voteReply(outcome: VoteOutcome, decision: 'approve' | 'reject'): Reply {
  if (outcome.kind === 'refused') return notice([`🚫 ${outcome.reason}`]);
  if (outcome.kind === 'unavailable') return unavailableReply(outcome.reason);
  const done = decision === 'approve' ? 'Approved' : 'Rejected';
  const state = outcome.status === 'pending' ? ' It still needs more approvals.' : outcome.status === 'approved' ? ' The request is approved and running.' : '';
  return notice([`${done}.${state}`]);
}

export function createActConversation(selfService: SelfService | undefined) {
  const off = (): { reply: Reply } => ({ reply: unavailableReply('it is not configured in this process') });
  return {
    /** Commands that are self-service actions (`/create-service`, …). */
    commands: () => selfService?.commands() ?? [],

    /** A self-service command: a request, or the form to finish it when inputs are missing. */
    async act(command: string, text: string, actor: Actor, where: string, opts: { preferForm?: boolean } = {}): Promise<ActAnswer> {
      if (!selfService) return off();
      const action = selfService.byCommand(command);
      if (!action) return { reply: notice([`I don't know the command ${command}.`]) };
      const parsed = parseRequestText(action, text);
      if (parsed.problems.length) return { reply: notice([parsed.problems.join('\n'), '\nUsage: ', { code: example(action) }]) };
      const missing = action.spec.inputs.some((i) => i.required && parsed.values[i.name] === undefined && i.default === undefined);
      if (missing || (opts.preferForm && text.trim() === '')) return { form: formFor(action, parsed.values, where, parsed.breakGlass) };
      // Break-glass finds its incident from the service (cards posted for it), never from where this was said.
      const outcome = await selfService.request(action, parsed.values, actor, where, { breakGlass: parsed.breakGlass });
      return { reply: requestReply(outcome) };
    },

    /** A submitted form: the outcome, with per-field errors when inputs are invalid. */
    async submit(form: Pick<Form, 'action' | 'context'>, values: Record<string, unknown>, actor: Actor): Promise<RequestOutcome> {
      const action = selfService?.byName(form.action);
      if (!selfService || !action) return { kind: 'unavailable', reason: `no action ${form.action} in this process` };
      return selfService.request(action, values, actor, form.context.where, { breakGlass: form.context.breakGlass });
    },

    /** The form of an action again, with what was entered (a surface that redraws a form with its errors). */
    form(actionName: string, values: Record<string, unknown>, context: Form['context']): Form | null {
      const action = selfService?.byName(actionName);
      return action ? formFor(action, values, context.where, context.breakGlass) : null;
    },

    /** Options for a picker field of a form, from what was typed so far. */
    suggest: (action: string, input: string, text: string) => selfService?.suggest(action, input, text) ?? [],

    async vote(workflowId: string, decision: 'approve' | 'reject', actor: Actor, reason?: string): Promise<Reply> {
      if (!selfService) return off().reply;
      return voteReply(await selfService.vote(workflowId, actor, decision, reason), decision);
    },

    async status(id: string, workflowUrl?: (id: string) => string | undefined): Promise<Reply> {
      if (!selfService) return off().reply;
      const status = await selfService.status(id.trim());
      if (status === null) return notice([`There is no request `, { code: id }, `. Request ids look like create-service/beans-api.`]);
      if ('unavailable' in status) return unavailableReply(status.unavailable);
      const card = statusCard(status as ActionStatus, workflowUrl?.(id), Date.now());
      return { ...card, visibility: 'private' };
    },
  };
}
