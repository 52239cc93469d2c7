/**
 * The weekly digest's I/O (workflows/digest.ts): the teams, and for each one a post to every channel it
 * has (the same as its "Still yours?" asks: the `attestation.teams.<team>` setting's `channel` and
 * `teamsChannel`, else the Group's `switchboard.dev/slack-channel` and `switchboard.dev/teams-channel`
 * annotations) built from its health report and the week's questions about what it owns. Each post is
 * claimed per team, week and channel in the shared state before it goes, so a retried or repeated run
 * posts once a week to each channel. A team without a channel is skipped and logged.
 */
import { TZDate } from '@date-fns/tz';
import { getISOWeek } from 'date-fns/getISOWeek';
import { getISOWeekYear } from 'date-fns/getISOWeekYear';
import type { Logger } from 'pino';
import { type DigestActivities, WEEK_MS } from '../../workflows/digest-contract.js';
import type { Catalog } from '../catalog/index.js';
import type { ChatNotifier, Reply, Text } from '../conversation/index.js';
import { healthReport } from '../health/report.js';
import type { OnCallProviders } from '../oncall/contract.js';
import type { CatalogTruth } from '../state/truth.js';
import { type ChannelSetting, teamChannels } from './attestation.js';

export interface DigestActivityDeps {
  catalog: Pick<Catalog, 'health' | 'ownedBy' | 'onCallSubject'>;
  truth: Pick<CatalogTruth, 'attestations' | 'questionCounts' | 'claimDigestPost' | 'settleDigestPost' | 'digestPosts'>;
  providers?: Pick<OnCallProviders, 'statuses'>;
  /** By platform; the digest posts through `slack` and `teams`. */
  notifiers: Record<string, ChatNotifier>;
  /** The operator's channels for a team (`attestation.teams.<team>`), over the Group's annotations. */
  channelFor?: (team: string) => ChannelSetting | undefined;
  /** The digest's time zone (the `digest` setting's): its week is the run's ISO week there. Default UTC. */
  timeZone?: string;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
}

const LIST_LIMIT = 20;

/**
 * The ISO week (`2026-W49`) of an instant, by its date in the time zone: a run at a fixed local day and
 * time names a new week each week, whatever daylight saving does to it in UTC.
 */
export function isoWeek(at: number, timeZone = 'UTC'): string {
  const local = new TZDate(at, timeZone);
  return `${getISOWeekYear(local)}-W${String(getISOWeek(local)).padStart(2, '0')}`;
}

export function createDigestActivities(deps: DigestActivityDeps): DigestActivities {
  return {
    async digestTeams() {
      return deps.catalog.health.groups();
    },

    async postDigest({ team, since }) {
      const channels = teamChannels(deps, team, deps.channelFor?.(team));
      if (!channels.length) {
        deps.logger.info({ team }, 'weekly digest skipped: the team has no Slack or Teams channel');
        return { team, posted: [] };
      }
      const owned = deps.catalog.ownedBy(team);
      if (!owned.length) return { team, posted: [] };
      // The run's week (its start is a week after `since`), the same for every retry of the run.
      const week = isoWeek(since + WEEK_MS, deps.timeZone);
      let reply: Reply | undefined;
      const posted: string[] = [];
      const failed: string[] = [];
      for (const { platform, where } of channels) {
        if (!(await deps.truth.claimDigestPost(team, week, where))) {
          const earlier = (await deps.truth.digestPosts(team, week)).find((p) => p.channel === where);
          if (earlier?.message) posted.push(where);
          // Claimed and never settled: an earlier attempt is posting or died mid-post; posting again could post twice.
          else deps.logger.warn({ team, week, channel: where }, 'weekly digest not posted: an earlier attempt claimed it and did not record its post');
          continue;
        }
        try {
          reply ??= await digestOf(deps, team, owned, since);
          await deps.truth.settleDigestPost(team, week, where, await (deps.notifiers[platform] as ChatNotifier).post(where, reply));
          posted.push(where);
        } catch (err) {
          await deps.truth.settleDigestPost(team, week, where, null);
          failed.push(`${where}: ${(err as Error).message}`);
          deps.logger.error({ err, team, week, channel: where }, `could not post the weekly digest to the team's ${platform} channel`);
        }
      }
      // Nowhere reached: failed, so Temporal retries it (only the failed channels were released).
      if (!posted.length && failed.length) throw new Error(`the weekly digest of ${team} reached none of its channels: ${failed.join('; ')}`);
      return { team, posted };
    },
  };
}

async function digestOf(deps: DigestActivityDeps, team: string, owned: ReturnType<Catalog['ownedBy']>, since: number): Promise<Reply> {
  const report = await healthReport({ catalog: deps.catalog, truth: deps.truth, providers: deps.providers, team });
  const questions = await deps.truth.questionCounts({ since, entityRefs: owned.map((e) => e.ref), limit: LIST_LIMIT });
  return digestReply(
    deps.catalog.onCallSubject(team)?.title ?? team,
    owned.map((e) => e.ref),
    report,
    questions,
  );
}

type Report = Awaited<ReturnType<typeof healthReport>>;

function digestReply(teamName: string, owned: string[], report: Report, questions: Awaited<ReturnType<CatalogTruth['questionCounts']>>): Reply {
  const list = (title: string, items: Text[]) =>
    items.length
      ? [{ type: 'list' as const, title, items: items.slice(0, LIST_LIMIT), ...(items.length > LIST_LIMIT && { more: items.length - LIST_LIMIT }) }]
      : [];
  const asked = questions.reduce((n, q) => n + q.count, 0);
  return {
    summary: `Weekly digest for ${teamName}: ${owned.length} owned, ${report.unverified.length} unverified, ${report.gaps.length} missing fields, ${asked} questions this week`,
    visibility: 'channel',
    blocks: [
      { type: 'header', text: `Weekly digest: ${teamName}` },
      ...list(
        `What you own (${owned.length})`,
        owned.map((ref) => [{ code: ref }]),
      ),
      ...list(
        'Not changed or verified lately',
        report.unverified.map((u) => [{ code: u.ref }, `: ${u.fix}`]),
      ),
      ...list(
        'Missing',
        report.gaps.map((g) => [{ code: g.ref }, `: ${g.fix}`]),
      ),
      ...list(
        'Owners that resolve to nothing',
        report.unresolvedOwners.entities.map((e) => [{ code: e.ref }, `: ${e.fix}`]),
      ),
      ...list(
        'Failing sources',
        report.failingSources.map((s) => [s.location, `: ${s.problems.join('; ') || 'failing'}`]),
      ),
      ...list(
        `This week's questions (${asked})`,
        questions.map((q) => [`"${q.query}" ×${q.count}`, ...(q.entityRef ? [' → ', { code: q.entityRef }] : [])]),
      ),
    ],
  };
}
