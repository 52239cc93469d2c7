/**
 * The weekly digest's I/O (workflows/digest.ts): the teams, and for each one a post to its Slack
 * channel (the Group's `switchboard.dev/slack-channel` annotation) built from its health report and the
 * week's questions about what it owns. A team without a channel is skipped and logged.
 */
import type { Logger } from 'pino';
import type { DigestActivities } from '../../workflows/digest-contract.js';
import type { Catalog } from '../catalog/index.js';
import type { ChatNotifier, Reply, Text } from '../conversation/index.js';
import { healthReport } from '../health/report.js';
import type { OnCallProviders } from '../oncall/contract.js';
import type { CatalogTruth } from '../state/truth.js';

export interface DigestActivityDeps {
  catalog: Pick<Catalog, 'health' | 'ownedBy' | 'onCallSubject'>;
  truth: Pick<CatalogTruth, 'attestations' | 'questionCounts'>;
  providers?: Pick<OnCallProviders, 'statuses'>;
  /** By platform; the digest posts through `slack`. */
  notifiers: Record<string, ChatNotifier>;
  logger: Pick<Logger, 'info' | 'warn'>;
}

const SLACK_CHANNEL_ANNOTATION = 'switchboard.dev/slack-channel';
/** A channel id or `#name`: anything else a descriptor wrote there is not a place to post. */
const SLACK_CHANNEL = /^(#[a-z0-9][a-z0-9_-]{0,79}|[CG][A-Z0-9]{8,})$/;
const LIST_LIMIT = 20;

export function createDigestActivities(deps: DigestActivityDeps): DigestActivities {
  return {
    async digestTeams() {
      return deps.catalog.health.groups();
    },

    async postDigest({ team, since }) {
      const subject = deps.catalog.onCallSubject(team);
      const channel = subject?.annotations[SLACK_CHANNEL_ANNOTATION]?.trim();
      const slack = deps.notifiers.slack;
      if (!channel || !SLACK_CHANNEL.test(channel) || !slack) {
        deps.logger.info({ team, channel: channel ?? null }, 'weekly digest skipped: the team has no Slack channel');
        return { team, posted: null };
      }
      const owned = deps.catalog.ownedBy(team);
      if (!owned.length) return { team, posted: null };
      const report = await healthReport({ catalog: deps.catalog, truth: deps.truth, providers: deps.providers, team });
      const questions = await deps.truth.questionCounts({ since, entityRefs: owned.map((e) => e.ref), limit: LIST_LIMIT });
      const reply = digestReply(
        subject?.title ?? team,
        owned.map((e) => e.ref),
        report,
        questions,
      );
      const where = `slack:${channel}`;
      await slack.post(where, reply);
      return { team, posted: where };
    },
  };
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
