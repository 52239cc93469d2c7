/**
 * The "Still yours?" round's I/O (workflows/attestation.ts): list what a team owns, post the ask to every
 * channel the team has (Slack and Teams: the operator's setting, else the Group's
 * `switchboard.dev/slack-channel` and `switchboard.dev/teams-channel` annotations) or, with none, DM its
 * members on the first surface that reaches each, record it once per round and team, and remind once.
 */
import type { AskResult, AttestationActivities, RemindResult } from '../../workflows/attestation-contract.js';
import type { PersonRef } from '../../workflows/contract.js';
import type { AttestationAnswers } from '../attestation/answer.js';
import { ANNOTATIONS } from '../catalog/entity.js';
import type { Catalog } from '../catalog/index.js';
import type { ChatNotifier, Reply } from '../conversation/index.js';
import { SLACK_CHANNEL, TEAMS_CHANNEL, type TeamSetting } from '../settings/attestation.js';
import type { CatalogTruth } from '../state/truth.js';
import { formatRef, platformOf } from '../threads.js';

/** Where a team's channel messages go, as the setting and the Group's annotations say. */
export type ChannelSetting = Pick<TeamSetting, 'channel' | 'teamsChannel'>;

export interface AttestationActivityDeps {
  catalog: Pick<Catalog, 'ownedBy' | 'groupMembers' | 'onCallSubject' | 'getEntity'>;
  truth: CatalogTruth;
  answers: Pick<AttestationAnswers, 'view'>;
  /** By platform (`slack`, `teams`). */
  notifiers: Record<string, ChatNotifier>;
  /** The operator's channels for a team (`attestation.teams.<team>`), over the Group's annotations. */
  channelFor?: (team: string) => ChannelSetting | undefined;
  /** A channel that cannot be posted to is logged here (the others still get the ask). */
  logger: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
  now?: () => number;
}

export interface TeamChannel {
  platform: 'slack' | 'teams';
  /** The conversation ref posted to: `slack:#team-payments`, `teams:19:…@thread.tacv2`. */
  where: string;
}

/**
 * A team's channels, one per platform: the setting's, else the Group's annotation. An annotation that
 * is not a channel id is ignored and logged (descriptor authors write it; it must not pick where the
 * bot speaks beyond a channel), and so is a platform this process does not serve.
 */
export function teamChannels(
  deps: {
    catalog: Pick<Catalog, 'onCallSubject'>;
    notifiers: Record<string, ChatNotifier>;
    logger: Pick<AttestationActivityDeps['logger'], 'warn'>;
  },
  team: string,
  setting: ChannelSetting | undefined,
): TeamChannel[] {
  const annotations = deps.catalog.onCallSubject(team)?.annotations ?? {};
  const found: TeamChannel[] = [];
  const candidates = [
    { platform: 'slack' as const, value: setting?.channel ?? annotations[ANNOTATIONS.slackChannel]?.trim(), valid: SLACK_CHANNEL },
    { platform: 'teams' as const, value: setting?.teamsChannel ?? annotations[ANNOTATIONS.teamsChannel]?.trim(), valid: TEAMS_CHANNEL },
  ];
  for (const { platform, value, valid } of candidates) {
    if (!value) continue;
    if (!valid.test(value)) {
      deps.logger.warn({ team, platform, channel: value.slice(0, 200) }, `the team's ${platform} channel annotation is not a channel id; not posting there`);
      continue;
    }
    if (!deps.notifiers[platform]) {
      deps.logger.warn({ team, platform }, `the team has a ${platform} channel but ${platform} is not configured here; not posting there`);
      continue;
    }
    found.push({ platform, where: formatRef({ platform, conversation: value }) });
  }
  return found;
}

export function createAttestationActivities(deps: AttestationActivityDeps): AttestationActivities {
  const now = deps.now ?? Date.now;

  /**
   * Posts to each of the team's channels that has no message of this ask yet, recording each post as it
   * goes, so a retried activity posts only where it had not. A channel that fails is logged and the
   * others still get the ask; only when none has it does the activity fail (and Temporal retries it).
   */
  async function toChannels(round: string, team: string, channels: TeamChannel[], reply: Reply, messages: string[]): Promise<string[]> {
    const out = [...messages];
    const failed: string[] = [];
    for (const channel of channels) {
      if (out.some((m) => platformOf(m) === channel.platform)) continue;
      try {
        out.push(await (deps.notifiers[channel.platform] as ChatNotifier).post(channel.where, reply));
      } catch (err) {
        failed.push(`${channel.where}: ${(err as Error).message}`);
        deps.logger.error({ err, team, round, channel: channel.where }, `could not post the "Still yours?" ask to the team's ${channel.platform} channel`);
        continue;
      }
      await deps.truth.setAskMessages(round, team, out);
    }
    if (!out.length) throw new Error(`the "Still yours?" ask of ${team} reached none of its channels: ${failed.join('; ')}`);
    return out;
  }

  /** Without a channel: a DM to each member on the first surface that reaches them. */
  async function toMembers(team: string, reply: Reply): Promise<string[]> {
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
      const channels = teamChannels(deps, team, deps.channelFor?.(team));
      // Recorded before it is posted, so a retried activity finds it; posted where it has no message yet.
      const done = existing?.messages.length && channels.every((c) => existing.messages.some((m) => platformOf(m) === c.platform));
      if (existing && done) return { round, asked: false, entities: existing.entities.length, messages: existing.messages };
      const entities = existing?.entities ?? deps.catalog.ownedBy(team).map((e) => e.ref);
      if (!entities.length) return { round, asked: false, entities: 0, messages: [] };
      if (!existing) await deps.truth.recordAsk({ round, teamRef: team, entities, messages: [], askedAt: now() });
      const view = await deps.answers.view(round, team);
      if (!view) throw new Error(`the ask of ${team} in ${round} was not recorded`);
      const messages = channels.length ? await toChannels(round, team, channels, view, existing?.messages ?? []) : await toMembers(team, view);
      if (!channels.length) await deps.truth.setAskMessages(round, team, messages);
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
      // In each message's thread, by its platform: a Slack thread, a Teams channel message's replies. It is
      // marked reminded already, so one that fails is logged rather than retried (and the others still go).
      for (const message of ask.messages) {
        try {
          await deps.notifiers[platformOf(message)]?.reply(message, reminder);
        } catch (err) {
          deps.logger.error({ err, team, round, message }, 'could not post the "Still yours?" reminder');
        }
      }
      return { reminded: true, unanswered };
    },
  };
}
