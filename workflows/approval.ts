/**
 * A durable approval: votes arrive as a Temporal Update whose validator first checks the bot's
 * signature (workflows/vote-proof.ts), then refuses non-approvers, the requester and repeat votes (a
 * refused Update leaves no trace in history); a reminder and an escalation fire on durable timers;
 * expiry is the third ending. Used by every self-service workflow.
 */
import { allHandlersFinished, condition, patched, setHandler, workflowInfo } from '@temporalio/workflow';
import { type ApprovalPolicy, type ApprovalRule, refusal, tally, type Vote } from './approval-rules.js';
import { approvalQuery, type ApprovalStatus, type ApprovalTimers, voteUpdate } from './contract.js';
import { proofProblem } from './vote-proof.js';

export interface ApprovalHooks {
  /** Called once when the reminder is due, with who has not voted yet. */
  remind?(pending: string[]): Promise<void>;
  escalate?(rule: ApprovalRule): Promise<void>;
  /** Why no vote is taken any more although the approval is undecided (the request ended), or null. */
  closed?(): string | null;
}

/** Waits for the request to be decided or to expire; the returned status is final. */
export async function awaitApproval(policy: ApprovalPolicy, timers: ApprovalTimers, hooks: ApprovalHooks = {}): Promise<ApprovalStatus> {
  const state: ApprovalStatus = { status: 'pending', votes: [], reminded: false, escalated: false };
  let rules = policy.rules;
  const current = (): ApprovalPolicy => ({ ...policy, rules });

  // Requests started before signed votes have no marker in their history and no key in their input:
  // they accept unsigned votes until they end (the drain). Every request started since needs the
  // bot's signature, so one started straight on the server without a key takes no vote at all.
  const signedVotes = patched('signed-votes');
  const { workflowId } = workflowInfo();

  setHandler(approvalQuery, () => state);
  setHandler(
    voteUpdate,
    ({ approver, decision, reason }) => {
      // The proof is checked and dropped: the status and its query show the vote only.
      const vote: Vote = { approver, decision, ...(reason !== undefined && { reason }) };
      state.votes.push(vote);
      const result = tally(current(), state.votes);
      if (result !== 'pending') state.status = result;
      return { status: state.status };
    },
    {
      validator: (vote) => {
        // The signature first: an unsigned Update learns nothing about the request's state.
        if (signedVotes) {
          if (!policy.voteKey) throw new Error('This request carries no vote key, so no vote on it can be verified.');
          const forged = proofProblem(vote, policy.voteKey, workflowId, Date.now());
          if (forged) throw new Error(forged);
        }
        if (state.status !== 'pending') throw new Error('This request has already been decided.');
        const ended = hooks.closed?.();
        if (ended) throw new Error(ended);
        const why = refusal(current(), state.votes, vote);
        if (why) throw new Error(why);
      },
    },
  );

  const decided = () => state.status !== 'pending';
  const started = Date.now(); // workflow time: deterministic
  const at = (ms: number | undefined) => (ms === undefined ? undefined : started + ms);
  const deadlines = [
    {
      when: at(timers.remindAfterMs),
      run: async () => {
        state.reminded = true;
        const voted = new Set(state.votes.map((v) => v.approver));
        await hooks.remind?.([...new Set(rules.flatMap((r) => r.approvers))].filter((a) => !voted.has(a) && a !== policy.requester));
      },
    },
    {
      when: at(timers.escalateAfterMs),
      run: async () => {
        if (!timers.escalateTo) return;
        state.escalated = true;
        // The backup group may now satisfy the rules it joins: it is added to every rule's approvers.
        rules = rules.map((r) => ({ ...r, approvers: [...new Set([...r.approvers, ...timers.escalateTo!.approvers])] }));
        await hooks.escalate?.(timers.escalateTo);
      },
    },
  ]
    .filter((d): d is { when: number; run: () => Promise<void> } => d.when !== undefined && d.when < started + timers.expireAfterMs)
    .sort((a, b) => a.when - b.when);

  for (const deadline of deadlines) {
    if (await condition(decided, Math.max(0, deadline.when - Date.now()))) break;
    await deadline.run();
  }
  if (!decided() && !(await condition(decided, Math.max(0, started + timers.expireAfterMs - Date.now())))) state.status = 'expired';
  // Let a vote that is being applied finish before the caller moves on.
  await condition(allHandlersFinished);
  return state;
}
