/** The request's chat messages: the status in the requester's thread, the approvers' DMs with buttons, the outcome. */
import { approvalCard, approvalClosedCard, outcomeCard, statusCard } from '../conversation/request-cards.js';
import type { ActionStatus, AskKind, AskResult, PersonRef, SelfServiceActivities } from '../../workflows/contract.js';
import type { SelfServiceDeps } from './deps.js';
import { notifierFor } from './support.js';
import { platformOf } from '../threads.js';

const SURFACE_NAMES: Record<string, string> = { slack: 'Slack', teams: 'Microsoft Teams', shell: 'terminal' };

type ChatActivities = Pick<SelfServiceActivities, 'openThread' | 'editStatus' | 'postOutcome' | 'askApprovers' | 'closeApprovals'>;

/** A chat error as people read it: its first line, bounded (Slack's `An API error occurred: user_disabled`). */
const firstLine = (err: unknown) => ((err as Error)?.message ?? String(err)).split('\n')[0]?.slice(0, 200) ?? 'unknown error';

export function chatActivities(deps: Pick<SelfServiceDeps, 'notifiers' | 'workflowUrl'>): ChatActivities {
  const url = (status: ActionStatus) => deps.workflowUrl?.(status.workflowId);
  return {
    /** Posts the status message where the request was made; returns its ref. */
    async openThread(where: string, status: ActionStatus): Promise<string> {
      const n = notifierFor(deps, where);
      const card = statusCard(status, url(status));
      try {
        return await n.post(where, card);
      } catch (err) {
        // A private channel the bot is not in, an archived one: the requester gets the status in a DM.
        const dm = await n.dm(status.requester, card).catch(() => null);
        if (dm) return dm;
        throw err;
      }
    },
    async editStatus(message: string, status: ActionStatus): Promise<void> {
      await notifierFor(deps, message).edit(message, statusCard(status, url(status)));
    },
    async postOutcome(message: string, status: ActionStatus): Promise<void> {
      await notifierFor(deps, message).reply(message, outcomeCard(status, url(status)));
    },
    /**
     * DMs each person the request with Approve / Reject; answers person by person: the DM's ref, or why
     * there is none (no account on the platform, the DM refused), so the workflow can tell the requester.
     */
    async askApprovers(status: ActionStatus, people: PersonRef[], kind: AskKind, where: string): Promise<AskResult[]> {
      const home = platformOf(where);
      // Each approver is reached where Switchboard knows them: the request's own platform first, then
      // every other chat surface this worker runs. The terminal reaches only the terminal.
      const platforms = (home === 'shell' ? [home] : [home, ...Object.keys(deps.notifiers).filter((p) => p !== home && p !== 'shell')]).filter(
        (p) => deps.notifiers[p],
      );
      const base = (p: PersonRef) => ({ ref: p.ref, displayName: p.displayName });
      const names = platforms.map((p) => SURFACE_NAMES[p] ?? p).join(' or ');
      if (!platforms.length) {
        const surface = SURFACE_NAMES[home] ?? home;
        return people.map((p) => ({ ...base(p), dm: null, reason: `this worker has no ${surface} chat surface to DM them`, code: 'no-surface' }));
      }
      const card = approvalCard(status, kind, url(status));
      return Promise.all(
        people.map(async (p): Promise<AskResult> => {
          const failures: string[] = [];
          for (const platform of platforms) {
            try {
              const dm = await deps.notifiers[platform]!.dm(p, card);
              if (dm) return { ...base(p), dm };
            } catch (err) {
              failures.push(`${platforms.length > 1 ? `${SURFACE_NAMES[platform] ?? platform}: ` : ''}${firstLine(err)}`);
            }
          }
          return failures.length
            ? { ...base(p), dm: null, reason: `the DM failed: ${failures.join('; ')}`, code: 'dm-failed' }
            : { ...base(p), dm: null, reason: `no ${names} account is linked to them in the catalog (chat id or e-mail)`, code: 'no-account' };
        }),
      );
    },
    /** Edits every approver's DM to the outcome and who decided. */
    async closeApprovals(dms: string[], status: ActionStatus): Promise<void> {
      const card = approvalClosedCard(status, url(status));
      await Promise.all(dms.map((ref) => notifierFor(deps, ref).edit(ref, card)));
    },
  };
}
