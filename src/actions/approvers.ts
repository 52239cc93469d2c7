/**
 * Who may approve a request, resolved from the catalog when the request is made (a team change
 * afterwards does not move a pending request), and who may use break-glass. The launcher calls
 * these; votes are counted by the approval workflow (workflows/approval-rules.ts). Everything here
 * is plain data in, plain data out.
 */
import type { Catalog, ChatIds, Person } from '../catalog/index.js';
import { sameChatId } from '../catalog/chat-ids.js';
import { shortRef } from '../catalog/ref.js';
import { conditionHolds, type ActionDefinition, type ApprovalRule, type ApproverSource } from './definition.js';
import type { InputValues } from './inputs.js';

export interface Approver {
  ref: string;
  displayName: string;
  email: string | null;
  chatIds: ChatIds;
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
  /** People left out because their chat account is claimed by another User too (see IdentityMatch). */
  unreachable: { ref: string; sharedWith: string[] }[];
}

export type ApproverCatalog = Pick<Catalog, 'responsible' | 'groupMembers'>;

/**
 * The requester by every id they are known by: their catalog User (null when they have none, or when
 * their account is ambiguous) and the chat account the platform verified. An approver who matches any
 * of them is the requester.
 */
export interface RequesterIds {
  ref: string | null;
  /** The chat identity, `slack:U123`, `teams:<Entra object id>`. */
  id: string;
  /** The verified account's id on its platform (and any the catalog User names). */
  chatIds: ChatIds;
  /** The e-mail the platform reports for the account (not the catalog's). */
  email: string | null;
}

/** Whether an approver is the requester: same catalog User, same chat account, or the account's e-mail. */
export function isRequester(person: Approver, requester: string | RequesterIds): boolean {
  if (typeof requester === 'string') return isPerson(person, requester);
  return (
    (requester.ref !== null && person.ref === requester.ref) ||
    sameChatId(person.chatIds, requester.chatIds) ||
    (requester.email !== null && person.email !== null && person.email.toLowerCase() === requester.email.toLowerCase())
  );
}

/**
 * The approval rules that apply to these input values, with their people. `requester` is the
 * requester's ids, or one id: a user reference, a bare user name, a Slack user ID or an email address.
 */
export function resolveApprovers(
  action: ActionDefinition,
  values: InputValues,
  requester: string | RequesterIds,
  catalog: ApproverCatalog,
  at: Date = new Date(),
): ApprovalResolution {
  const problems: string[] = [];
  const unreachable = new Map<string, string[]>();
  const resolve = (sources: ApproverSource[], record = true) => {
    const found = sources.map((s) => resolveSource(s, values, catalog, at));
    if (record) found.forEach((f) => f.problem && problems.push(f.problem));
    // Someone whose Slack id (or e-mail) another User claims too cannot be told apart from them: no DM, no vote.
    const people = dedupe(found.flatMap((f) => f.people)).filter((p) => {
      if (!p.sharedWith?.length) return true;
      unreachable.set(p.ref, p.sharedWith);
      return false;
    });
    return { description: found.map((f) => f.description).join(' or '), people: people.map(approver) };
  };
  const eligible = (people: Approver[], rule: ApprovalRule) => (rule.selfApproval ? people : people.filter((p) => !isRequester(p, requester)));

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
      // Break-glass is asked for by name and refused with its own reason: it adds no problem to the request.
      const found = resolve([{ onCallOf: rule.breakGlass.onCallOf }], false);
      breakGlass = { description: found.description, requiresIncident: rule.breakGlass.requiresIncident, approvers: found.people };
    }
  }
  const left = [...unreachable].map(([ref, sharedWith]) => ({ ref, sharedWith }));
  return {
    requester: typeof requester === 'string' ? requester : (requester.ref ?? requester.id),
    rules,
    ...(breakGlass && { breakGlass }),
    problems,
    unreachable: left,
  };
}

type Candidate = Person & { sharedWith?: string[] };

function resolveSource(
  source: ApproverSource,
  values: InputValues,
  catalog: ApproverCatalog,
  at: Date,
): { description: string; people: Candidate[]; problem?: string } {
  if ('group' in source) {
    // Exactly the Group the action names (Backstage ref defaults), with every member: never a fuzzy match.
    const members = catalog.groupMembers(source.group);
    if (!members) return { description: source.group, people: [], problem: `the group ${source.group} is not in the catalog` };
    return { description: source.group, people: members };
  }
  const input = 'ownerOf' in source ? source.ownerOf : source.onCallOf;
  const ref = values[input];
  if (typeof ref !== 'string') return { description: `the ${input}`, people: [], problem: `${input} was not given, so nobody can be asked through it` };
  const answer = catalog.responsible(ref, at);
  if (!answer) return { description: ref, people: [], problem: `${ref} is not in the catalog` };
  const name = answer.entity.name;
  if ('onCallOf' in source) {
    // Only schedules the entity's owner owns: a schedule a descriptor points at gives no authority here.
    return {
      description: `the on-call for ${name}`,
      people: answer.onCall.map((o) => ({ ref: o.user, displayName: o.displayName, email: o.email, chatIds: o.chatIds })),
    };
  }
  const owner = answer.owner;
  if (!owner) return { description: `the owner of ${name}`, people: [], problem: `${name} has no owner in the catalog` };
  const ownerName = shortRef(owner.ref);
  // An owner is usually a team; a single person can own an entity too, and then approves alone.
  const people: Candidate[] = owner.kind === 'group' ? answer.members : owner.kind === 'user' && owner.resolved ? [owner] : [];
  return { description: `${ownerName} (owner of ${name})`, people };
}

const approver = (p: { ref: string; displayName: string; email: string | null; chatIds: ChatIds }): Approver => ({
  ref: p.ref,
  displayName: p.displayName,
  email: p.email,
  chatIds: p.chatIds,
});

const dedupe = <T extends { ref: string }>(people: T[]) => [...new Map(people.map((p) => [p.ref, p])).values()];

/** Whether `id` (user reference, bare name, a chat id such as a Slack user ID or an Entra object id, or email) is this person. */
export function isPerson(person: Approver, id: string): boolean {
  const v = id.trim().toLowerCase();
  return (
    v === person.ref ||
    `user:default/${v}` === person.ref ||
    `user:${v}` === person.ref ||
    Object.values(person.chatIds).some((c) => c !== undefined && (c === id.trim() || c.toLowerCase() === v)) ||
    (person.email !== null && v === person.email.toLowerCase())
  );
}

/**
 * Break-glass: the on-call proceeds alone. Refused for anyone not on call and, when the action
 * requires it, without an open incident. The workflow records the approver with a break-glass flag.
 */
export function decideBreakGlass(
  resolution: Pick<ApprovalResolution, 'breakGlass'>,
  actor: string | RequesterIds,
  incidentOpen: boolean,
): { allowed: true; approver: Approver } | { allowed: false; refusal: string } {
  const glass = resolution.breakGlass;
  if (!glass) return { allowed: false, refusal: 'this action has no break-glass option' };
  // The verified identity only: the actor's own catalog User is on call, nobody matched by a loose id.
  const person = glass.approvers.find((p) => (typeof actor === 'string' ? isPerson(p, actor) : actor.ref !== null && p.ref === actor.ref));
  if (!person) return { allowed: false, refusal: `only ${glass.description} can use break-glass` };
  if (glass.requiresIncident && !incidentOpen) return { allowed: false, refusal: 'break-glass needs an open incident' };
  return { allowed: true, approver: person };
}
