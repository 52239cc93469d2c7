/**
 * Self-service as replies: the status message edited in the requester's thread, the approvers' DMs
 * (with Approve / Reject) and what they become once decided, the final outcome, and the answers to a
 * request, a vote and `/switchboard status`. Plain data in (the workflow's status), replies out.
 */
import { chatIdsOf } from '../catalog/chat-ids.js';
import type { ActionStatus, AskKind, PersonRef, StepStatus } from '../../workflows/contract.js';
import { encodeAction } from './intents.js';
import { shortRef } from '../catalog/ref.js';
import { type Block, join, type Reply, type Span, type Text } from './reply.js';

export interface ChatNotifier {
  /** Posts into a conversation (`slack:C1`) or a thread (`slack:C1:1712.0001`); returns the message's ref. */
  post(where: string, reply: Reply): Promise<string>;
  /** Replaces a message posted before. */
  edit(message: string, reply: Reply): Promise<void>;
  /** Posts a reply in the thread of a message posted before. */
  reply(message: string, reply: Reply): Promise<string>;
  /** A direct message; null when the person cannot be reached on this platform. */
  dm(person: PersonRef, reply: Reply): Promise<string | null>;
  /** A new conversation for a service, with these people invited. */
  createChannel(name: string, invite: PersonRef[]): Promise<{ ref: string; name: string; url?: string }>;
}

const person = (p: PersonRef): Span => ({ person: { ref: p.ref, displayName: p.displayName, email: p.email, chatIds: chatIdsOf(p) } });

/** `42 s`, `3 min 5 s`, `2 h 4 min`. */
export function formatElapsed(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m} min ${s % 60} s` : `${m} min`;
  const h = Math.floor(m / 60);
  return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
}

const STEP_ICON: Record<StepStatus['state'], string> = {
  pending: '▫️',
  running: '⏳',
  done: '✅',
  failed: '❌',
  undone: '↩️',
  skipped: '⏭️',
};

const PHASE: Record<ActionStatus['phase'], { icon: string; text: string }> = {
  'awaiting-approval': { icon: '⏳', text: 'waiting for approval' },
  running: { icon: '⏳', text: 'approved, running' },
  succeeded: { icon: '✅', text: 'done' },
  failed: { icon: '❌', text: 'failed' },
  rejected: { icon: '🚫', text: 'rejected' },
  expired: { icon: '⌛', text: 'expired without a decision' },
  unreachable: { icon: '📵', text: 'ended: its approvers could not be reached' },
};

function stepLine(s: StepStatus): Text {
  const line: Text = [`${STEP_ICON[s.state]} ${s.title}`];
  if (s.startedAt !== undefined && s.endedAt !== undefined && s.state !== 'skipped') line.push(` (${formatElapsed(s.endedAt - s.startedAt)})`);
  if (s.state === 'undone') line.push(' — undone');
  if (s.detail) line.push(` — ${s.detail}`);
  return line;
}

/** Who decided, as a sentence: "Approved by Noah Fischer", "Rejected by Ana: not now". */
export function decisionText(status: ActionStatus): Text {
  const name = (ref: string): Span => {
    const p = status.approvers.find((a) => a.ref === ref);
    return p ? person(p) : shortRef(ref);
  };
  if (status.breakGlass) return ['🔓 Break-glass by ', name(status.breakGlass.approver), ` during ${status.breakGlass.incident}`];
  if (status.phase === 'unreachable') return [`Ended at once: ${status.error ?? 'its approvers could not be reached'}`];
  const votes = status.approval?.votes ?? [];
  const rejection = votes.find((v) => v.decision === 'reject');
  if (rejection) return ['Rejected by ', name(rejection.approver), rejection.reason?.trim() ? `: ${rejection.reason.trim()}` : ''];
  const approvals = votes.filter((v) => v.decision === 'approve');
  if (status.approval?.status === 'expired') {
    return [
      `Expired after ${formatElapsed((status.endedAt ?? status.updatedAt) - status.startedAt)} without a decision`,
      ...(approvals.length ? [` (${approvals.length} approval${approvals.length > 1 ? 's' : ''} given)`] : []),
    ];
  }
  if (!approvals.length) return [`Needs ${status.approvalRules.join(' and ')}`];
  const by = join(
    approvals.map((v) => [name(v.approver)]),
    ', ',
  );
  return [status.approval?.status === 'approved' ? 'Approved by ' : 'Approved so far by ', ...by];
}

function inputsBlock(status: ActionStatus): Block[] {
  if (!status.shownInputs.length) return [];
  return [{ type: 'fields', fields: status.shownInputs.map((i) => ({ label: i.label, value: [i.value] })) }];
}

function footer(status: ActionStatus, workflowUrl: string | undefined, now: number): Block {
  const end = status.endedAt ?? now;
  const text: Text = [{ code: status.workflowId }, ` · ${formatElapsed(end - status.startedAt)}`];
  if (workflowUrl) text.push(' · ', { link: workflowUrl, text: 'Temporal UI' });
  return { type: 'context', text };
}

/** The status message in the requester's thread: a checklist edited as the steps run. */
export function statusCard(status: ActionStatus, workflowUrl?: string, now = status.updatedAt): Reply {
  const phase = PHASE[status.phase];
  const blocks: Block[] = [
    { type: 'header', text: `${phase.icon} ${status.title}` },
    { type: 'section', text: [{ bold: status.summary }, ' — requested by ', person(status.requester), ` · ${phase.text}`] },
    ...inputsBlock(status),
    { type: 'section', text: decisionText(status) },
    { type: 'list', title: 'Steps', items: status.steps.map(stepLine) },
  ];
  if (status.links.length) blocks.push({ type: 'list', title: 'Links', items: status.links.map((l) => [{ link: l.url, text: l.title }]) });
  if (status.error && status.phase === 'failed') blocks.push({ type: 'section', text: [`❌ ${status.error}`] });
  // Who was asked is said only once the DMs went out (status.asked is set then, never before).
  if (status.phase === 'awaiting-approval' && status.asked?.length)
    blocks.push({
      type: 'context',
      text: [
        '📨 Asked in DMs: ',
        ...join(
          status.asked.map((ref) => [status.approvers.find((a) => a.ref === ref)?.displayName ?? shortRef(ref)]),
          ', ',
        ),
      ],
    });
  if (status.phase !== 'unreachable' && status.unreachable?.length)
    blocks.push({ type: 'section', text: ['⚠️ Could not be asked: ', status.unreachable.map((u) => `${u.displayName} (${u.reason})`).join('; ')] });
  blocks.push(footer(status, workflowUrl, now));
  return { summary: `${phase.icon} ${status.summary}: ${phase.text}`, blocks, visibility: 'channel' };
}

/** The DM an approver gets: the request, its inputs, and Approve / Reject. */
export function approvalCard(status: ActionStatus, kind: AskKind, workflowUrl?: string): Reply {
  const lead = { request: 'Approval needed', reminder: 'Reminder: approval still needed', escalation: 'Escalated to you: approval needed' }[kind];
  const blocks: Block[] = [
    { type: 'header', text: `${lead}: ${status.title}` },
    { type: 'section', text: [person(status.requester), ' asks: ', { bold: status.summary }] },
    ...inputsBlock(status),
    { type: 'context', text: [`Needs ${status.approvalRules.join(' and ')}. Rejecting asks for a reason.`] },
    {
      type: 'actions',
      buttons: [
        { label: 'Approve', style: 'primary', action: encodeAction({ kind: 'vote', decision: 'approve', workflowId: status.workflowId }) },
        { label: 'Reject', style: 'danger', action: encodeAction({ kind: 'vote', decision: 'reject', workflowId: status.workflowId }) },
      ],
    },
    footer(status, workflowUrl, status.updatedAt),
  ];
  return { summary: `${lead}: ${status.summary} (from ${status.requester.displayName})`, blocks, visibility: 'private' };
}

/** What every approver's DM becomes once the request is decided: no buttons, the outcome and who. */
export function approvalClosedCard(status: ActionStatus, workflowUrl?: string): Reply {
  const outcome = status.phase === 'rejected' ? '🚫' : status.phase === 'expired' ? '⌛' : status.phase === 'unreachable' ? '📵' : '✅';
  return {
    summary: `${status.summary}: ${PHASE[status.phase].text}`,
    blocks: [
      { type: 'header', text: `${outcome} ${status.title}` },
      { type: 'section', text: [person(status.requester), ' asked: ', { bold: status.summary }] },
      ...inputsBlock(status),
      { type: 'section', text: [outcome, ' ', ...decisionText(status)] },
      footer(status, workflowUrl, status.updatedAt),
    ],
    visibility: 'private',
  };
}

/** The final reply in the thread, so the requester is notified of the end. */
export function outcomeCard(status: ActionStatus, workflowUrl?: string): Reply {
  const phase = PHASE[status.phase];
  const lines: Text[] = [];
  if (status.phase === 'succeeded')
    lines.push([`${phase.icon} `, { bold: status.summary }, ` is done (${formatElapsed((status.endedAt ?? status.updatedAt) - status.startedAt)}).`]);
  else if (status.phase === 'failed') {
    const undone = status.steps.filter((s) => s.state === 'undone').map((s) => s.title);
    lines.push([`${phase.icon} `, { bold: status.summary }, ` failed: ${status.error ?? 'unknown error'}.`]);
    lines.push([undone.length ? `Undone: ${undone.join('; ')}.` : 'Nothing needed undoing.']);
  } else lines.push([`${phase.icon} `, { bold: status.summary }, ': ', ...decisionText(status), '.']);
  const blocks: Block[] = lines.map((text) => ({ type: 'section', text }));
  if (status.links.length) blocks.push({ type: 'list', title: 'Links', items: status.links.map((l) => [{ link: l.url, text: l.title }]) });
  blocks.push(footer(status, workflowUrl, status.endedAt ?? status.updatedAt));
  return { summary: `${phase.icon} ${status.summary}: ${phase.text}`, blocks, visibility: 'channel' };
}

/**
 * What a person is told when answering them failed: what they asked, what went wrong and its code, so
 * no request ends in silence. `message` is the error's first line, already free of secrets.
 */
export function failureReply(what: string, message: string, code: string): Reply {
  const text: Text = [
    `⚠️ Sorry, I could not answer ${what}: ${message} (`,
    { code },
    '). It is logged; try again, or tell the people who run Switchboard if it keeps happening.',
  ];
  return notice(text, `Could not answer ${what}: ${message}`);
}

/** A one-section private answer: refusals, confirmations, "self-service is unavailable". */
export function notice(text: Text, summary = text.map((s) => (typeof s === 'string' ? s : '')).join('')): Reply {
  return { summary, blocks: [{ type: 'section', text }], visibility: 'private' };
}
