/**
 * Who may approve a request, resolved from the catalog when the request is made (a team change
 * afterwards does not move a pending request), and pure decision helpers the workflow calls on each
 * vote. Everything here is plain data in, plain data out: it can sit in workflow state and replays
 * the same way.
 */
import { type ApprovalPolicy, refusal, tally } from '../../workflows/approval-rules.js';
import type { Catalog } from '../catalog/index.js';
import { conditionHolds, type ActionDefinition, type ApprovalRule, type ApproverSource } from './definition.js';
import type { InputValues } from './inputs.js';

export interface Approver {
  ref: string;
  displayName: string;
  email: string | null;
  slackUserId: string | null;
}

export interface ResolvedRule {
  description: string;
  /** N of the approvers must approve. */
  required: number;
  selfApproval: boolean;
  /** Eligible people, the requester already left out unless self-approval is allowed. */
  approvers: Approver[];
  remindAfter?: number;
  escalateAfter?: number;
  /** Who may also approve once escalateAfter has passed. */
  escalation?: { description: string; approvers: Approver[] };
  expireAfter: number;
}

export interface BreakGlass {
  description: string;
  requiresIncident: boolean;
  /** The on-call, the requester included: break-glass exists so the on-call can act alone. */
  approvers: Approver[];
}

export interface ApprovalResolution {
  requester: string;
  rules: ResolvedRule[];
  breakGlass?: BreakGlass;
  /** Why the request cannot be approved as things stand; the request should not start. */
  problems: string[];
}

export type ApproverCatalog = Pick<Catalog, 'whoOwns'>;

/**
 * The approval rules that apply to these input values, with their people. `requester` is a user
 * reference, a bare user name, a Slack user ID or an email address.
 */
export function resolveApprovers(
  action: ActionDefinition,
  values: InputValues,
  requester: string,
  catalog: ApproverCatalog,
  at: Date = new Date(),
): ApprovalResolution {
  const problems: string[] = [];
  const resolve = (sources: ApproverSource[]) => {
    const found = sources.map((s) => resolveSource(s, values, catalog, at));
    found.forEach((f) => f.problem && problems.push(f.problem));
    return { description: found.map((f) => f.description).join(' or '), people: dedupe(found.flatMap((f) => f.people)) };
  };
  const eligible = (people: Approver[], rule: ApprovalRule) => (rule.selfApproval ? people : people.filter((p) => !isPerson(p, requester)));

  const rules: ResolvedRule[] = [];
  let breakGlass: BreakGlass | undefined;
  for (const rule of action.spec.approval) {
    if (rule.when && !conditionHolds(rule.when, values)) continue;
    const { description: derived, people } = resolve(rule.approvers);
    const description = rule.description ?? derived;
    const approvers = eligible(people, rule);
    if (approvers.length === 0) {
      const why = people.length > 0 ? ' (the requester cannot approve their own request)' : '';
      problems.push(`${description} has no members who can approve${why}`);
    } else if (approvers.length < rule.required) {
      const who = approvers.length === 1 ? '1 person' : `${approvers.length} people`;
      problems.push(`${description} needs ${rule.required} approvals but only ${who} can give them`);
    }
    const backup = rule.escalateTo && resolve([rule.escalateTo]);
    rules.push({
      description,
      required: rule.required,
      selfApproval: rule.selfApproval,
      approvers,
      ...(rule.remindAfter !== undefined && { remindAfter: rule.remindAfter }),
      ...(rule.escalateAfter !== undefined && { escalateAfter: rule.escalateAfter }),
      ...(backup && { escalation: { description: backup.description, approvers: eligible(backup.people, rule) } }),
      expireAfter: rule.expireAfter,
    });
    if (rule.breakGlass && !breakGlass) {
      const onCall = resolveSource({ onCallOf: rule.breakGlass.onCallOf }, values, catalog, at);
      breakGlass = { description: onCall.description, requiresIncident: rule.breakGlass.requiresIncident, approvers: onCall.people };
    }
  }
  return { requester, rules, ...(breakGlass && { breakGlass }), problems };
}

function resolveSource(source: ApproverSource, values: InputValues, catalog: ApproverCatalog, at: Date): { description: string; people: Approver[]; problem?: string } {
  if ('group' in source) {
    const ref = source.group.includes(':') ? source.group : `group:${source.group}`;
    const answer = catalog.whoOwns(ref, at);
    if (answer.status !== 'found' || answer.entity?.kind.toLowerCase() !== 'group' || !answer.owner) {
      return { description: source.group, people: [], problem: `the group ${source.group} is not in the catalog` };
    }
    // whoOwns lists a team's first 50 members (memberCount has them all): larger teams approve through the first 50.
    return { description: source.group, people: answer.owner.members.map(approver) };
  }
  const input = 'ownerOf' in source ? source.ownerOf : source.onCallOf;
  const ref = values[input];
  if (typeof ref !== 'string') return { description: `the ${input}`, people: [], problem: `${input} was not given, so nobody can be asked through it` };
  const answer = catalog.whoOwns(ref, at);
  const name = answer.entity?.name ?? ref;
  if (answer.status !== 'found') return { description: name, people: [], problem: `${ref} is not in the catalog` };
  if ('onCallOf' in source) {
    return { description: `the on-call for ${name}`, people: answer.onCall.map((o) => approver({ ref: o.user, displayName: o.displayName, email: o.email, slackUserId: o.slackUserId })) };
  }
  const owner = answer.owner;
  if (!owner) return { description: `the owner of ${name}`, people: [], problem: `${name} has no owner in the catalog` };
  const ownerName = owner.ref.replace(/^\w+:(default\/)?/, '');
  // An owner is usually a team; a single person can own an entity too, and then approves alone.
  const people = owner.kind === 'group' ? owner.members.map(approver) : [approver({ ref: owner.ref, displayName: owner.displayName, email: owner.email })];
  return { description: `${ownerName} (owner of ${name})`, people };
}

const approver = (p: { ref: string; displayName: string; email: string | null; slackUserId?: string | null }): Approver => ({
  ref: p.ref,
  displayName: p.displayName,
  email: p.email,
  slackUserId: p.slackUserId ?? null,
});

const dedupe = (people: Approver[]) => [...new Map(people.map((p) => [p.ref, p])).values()];

/** Whether `id` (user reference, bare name, Slack user ID or email) is this person. */
export function isPerson(person: Approver, id: string): boolean {
  const v = id.trim().toLowerCase();
  return (
    v === person.ref ||
    `user:default/${v}` === person.ref ||
    `user:${v}` === person.ref ||
    (person.slackUserId !== null && id.trim() === person.slackUserId) ||
    (person.email !== null && v === person.email.toLowerCase())
  );
}

export interface Vote {
  /** Who voted, as for `isPerson`; accepted votes carry the approver's user reference. */
  approver: string;
  decision: 'approve' | 'reject';
  reason?: string;
}

export interface ApprovalState {
  rules: ResolvedRule[];
  requester: string;
  /** Votes accepted so far. */
  votes: Vote[];
  /** Indexes of the rules whose escalateAfter has passed: their backup approvers may vote too. */
  escalated?: number[];
}

export type ApprovalStatus = 'pending' | 'approved' | 'rejected';

export interface Decision {
  status: ApprovalStatus;
  /** Why the vote was not counted; the status is then what it was before. */
  refusal?: string;
  votes: Vote[];
}

/** The people who may vote on each rule right now. */
function voters(state: ApprovalState): Approver[][] {
  return state.rules.map((rule, i) => (state.escalated?.includes(i) && rule.escalation ? dedupe([...rule.approvers, ...rule.escalation.approvers]) : rule.approvers));
}

/** The request as the workflow's approval sees it: refs only (workflows/approval-rules.ts). */
function policyOf(state: ApprovalState): ApprovalPolicy {
  return {
    requester: state.requester,
    selfApproval: state.rules.some((r) => r.selfApproval),
    rules: voters(state).map((people, i) => ({
      description: (state.rules[i] as ResolvedRule).description,
      required: (state.rules[i] as ResolvedRule).required,
      approvers: people.map((p) => p.ref),
    })),
  };
}

/** One reject rejects; otherwise approved once every rule has its N distinct approvals. */
export function approvalStatus(state: ApprovalState): ApprovalStatus {
  return tally(policyOf(state), state.votes);
}

/**
 * Counts one vote, or refuses it, by the same rules the approval workflow's validator applies: the
 * clicker (a ref, bare name, Slack ID or e-mail) is first matched to an approver's ref.
 */
export function decide(state: ApprovalState, vote: Vote): Decision {
  const person = voters(state)
    .flat()
    .find((p) => isPerson(p, vote.approver));
  const approver = person?.ref ?? (sameId(vote.approver, state.requester) ? state.requester : vote.approver);
  const policy = policyOf(state);
  const counted = { ...vote, approver };
  const why = refusal(policy, state.votes, counted);
  if (why) return { status: tally(policy, state.votes), refusal: why, votes: state.votes };
  const votes = [...state.votes, counted];
  return { status: tally(policy, votes), votes };
}

/** Two identities written the same way, with or without the `user:default/` prefix. */
function sameId(a: string, b: string): boolean {
  const bare = (id: string) => id.trim().toLowerCase().replace(/^user:(default\/)?/, '');
  return bare(a) === bare(b);
}

/**
 * Break-glass: the on-call proceeds alone. Refused for anyone not on call and, when the action
 * requires it, without an open incident. The workflow records the approver with a break-glass flag.
 */
export function decideBreakGlass(
  resolution: Pick<ApprovalResolution, 'breakGlass'>,
  actor: string,
  incidentOpen: boolean,
): { allowed: true; approver: Approver } | { allowed: false; refusal: string } {
  const glass = resolution.breakGlass;
  if (!glass) return { allowed: false, refusal: 'this action has no break-glass option' };
  const person = glass.approvers.find((p) => isPerson(p, actor));
  if (!person) return { allowed: false, refusal: `only ${glass.description} can use break-glass` };
  if (glass.requiresIncident && !incidentOpen) return { allowed: false, refusal: 'break-glass needs an open incident' };
  return { allowed: true, approver: person };
}
