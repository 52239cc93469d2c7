/**
 * The "Still yours?" round's I/O (workflows/attestation.ts): list what a team owns, post the ask to the
 * team's Slack channel (its `switchboard.dev/slack-channel` annotation) or, without one, DM its members
 * on every surface that reaches them, record it once per round and team, and remind once.
 */
import type { AskResult, AttestationActivities, RemindResult } from '../../workflows/attestation-contract.js';
import type { PersonRef } from '../../workflows/contract.js';
import type { AttestationAnswers } from '../attestation/answer.js';
import type { Catalog } from '../catalog/index.js';
import type { ChatNotifier, Reply } from '../conversation/index.js';
import type { CatalogTruth } from '../state/truth.js';

export interface AttestationActivityDeps {
  catalog: Pick<Catalog, 'ownedBy' | 'groupMembers' | 'onCallSubject' | 'getEntity'>;
  truth: CatalogTruth;
  answers: Pick<AttestationAnswers, 'view'>;
  /** By platform (`slack`, `teams`). */
  notifiers: Record<string, ChatNotifier>;
  /** The operator's channel for a team (`attestation.teams.<team>.channel`), over the Group's annotation. */
  channelFor?: (team: string) => string | undefined;
  now?: () => number;
}

const SLACK_CHANNEL_ANNOTATION = 'switchboard.dev/slack-channel';
/**
 * A channel id (`C0123ABCD`) or name (`#team-payments`, which chat.postMessage accepts): anything else
 * a descriptor wrote there is not a place to post.
 */
const SLACK_CHANNEL = /^(#[a-z0-9][a-z0-9_-]{0,79}|[CG][A-Z0-9]{8,})$/;

export function createAttestationActivities(deps: AttestationActivityDeps): AttestationActivities {
  const now = deps.now ?? Date.now;

  /** Posts to the team's channel, else DMs each member where a surface reaches them. */
  async function deliver(team: string, reply: Reply): Promise<string[]> {
    const channel = deps.channelFor?.(team) ?? deps.catalog.onCallSubject(team)?.annotations[SLACK_CHANNEL_ANNOTATION]?.trim();
    if (channel && SLACK_CHANNEL.test(channel) && deps.notifiers.slack) return [await deps.notifiers.slack.post(`slack:${channel}`, reply)];
    const sent: string[] = [];
    for (const member of deps.catalog.groupMembers(team) ?? []) {
      const person: PersonRef = { ref: member.ref, displayName: member.displayName, email: member.email, chatIds: member.chatIds };
      for (const notifier of Object.values(deps.notifiers)) {
        const ref = await notifier.dm(person, reply).catch(() => null);
        if (ref) {
          sent.push(ref);
          break;
        }
      }
    }
    return sent;
  }

  return {
    async askTeam({ round, team }): Promise<AskResult> {
      const existing = await deps.truth.ask(round, team);
      // Recorded before it is posted, so a retried activity finds it; posted only while it has no messages.
      if (existing?.messages.length) return { round, asked: false, entities: existing.entities.length, messages: existing.messages };
      const entities = existing?.entities ?? deps.catalog.ownedBy(team).map((e) => e.ref);
      if (!entities.length) return { round, asked: false, entities: 0, messages: [] };
      if (!existing) await deps.truth.recordAsk({ round, teamRef: team, entities, messages: [], askedAt: now() });
      const view = await deps.answers.view(round, team);
      if (!view) throw new Error(`the ask of ${team} in ${round} was not recorded`);
      const messages = await deliver(team, view);
      await deps.truth.setAskMessages(round, team, messages);
      return { round, asked: !existing, entities: entities.length, messages };
    },

    async remindTeam({ round, team }): Promise<RemindResult> {
      const ask = await deps.truth.ask(round, team);
      if (!ask) return { reminded: false, unanswered: 0 };
      const answers = await deps.truth.attestations(ask.entities);
      const unanswered = ask.entities.filter((ref) => {
        const a = answers.get(ref);
        return !a || a.at < ask.askedAt || a.ownerRef !== team;
      }).length;
      if (!unanswered || !(await deps.truth.markReminded(round, team, now()))) return { reminded: false, unanswered };
      const view = await deps.answers.view(round, team);
      if (!view) return { reminded: false, unanswered };
      const reminder: Reply = {
        ...view,
        summary: `Reminder: ${view.summary}`,
        blocks: [{ type: 'header', text: 'Reminder: still yours?' }, ...view.blocks.slice(1)],
      };
      for (const message of ask.messages) {
        const platform = message.split(':')[0] as string;
        await deps.notifiers[platform]?.reply(message, reminder);
      }
      return { reminded: true, unanswered };
    },
  };
}
