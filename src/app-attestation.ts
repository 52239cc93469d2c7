/**
 * "Still yours?" wired for the application: the answers the conversation records, the round's and the
 * "Not ours" change's activities for the worker, and one schedule per owning team when the config file
 * switches rounds on. A "Not ours" answer whose descriptor is in a writable repository starts the
 * change's workflow (workflows/owner-change.ts): the push and the pull request happen there, not in
 * the click.
 */
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import { createAttestationActivities } from './activities/attestation.js';
import { type ClickedMessage, createAttestationAnswers } from './attestation/answer.js';
import { parseRef, platformOf } from './threads.js';
import type { AuditLog } from './audit/index.js';
import type { Catalog } from './catalog/index.js';
import type { ChatNotifier } from './conversation/index.js';
import type { Settings } from './settings/index.js';
import type { CatalogTruth } from './state/truth.js';
import { keepAttestationSchedules } from './temporal/attestation-schedules.js';
import { createOwnerChangeActivities } from './activities/owner-change.js';
import { descriptorRepository } from './attestation/propose-change.js';
import { changeApisFrom, createPullRequests } from './attestation/pull-request.js';
import type { Config } from './config.js';
import { type OwnerChangeInput, ownerChangeWorkflowId } from '../workflows/owner-change-contract.js';

/** Groups read when listing the owning teams; a catalog with more teams than this is asked in part. */
const MAX_TEAMS = 10_000;

export function wireAttestation(deps: {
  catalog: Catalog;
  truth: CatalogTruth;
  audit: AuditLog;
  settings: Settings;
  logger: Logger;
  taskQueue: string;
  /** Repositories a "Not ours" branch may be pushed to, by top-level folder (see proposeOwnerChange). */
  writable: (topLevel: string) => boolean;
  /** Where pull and merge requests are opened (GITHUB_*, GITLAB_*). */
  config: Pick<Config, 'GITHUB_TOKEN' | 'GITHUB_API_URL' | 'GITLAB_TOKEN' | 'GITLAB_API_URL'>;
  /** Temporal, to start the change's workflow; without it a "Not ours" answer stays a pending claim. */
  client: () => Promise<Client>;
}) {
  const { catalog, truth, audit, settings, logger } = deps;
  const pullRequests = createPullRequests(changeApisFrom(deps.config));
  /** Starts the change's workflow, once per entity and proposed owner; nothing where there is no repository to change. */
  const proposeChange = async (claim: OwnerChangeInput) => {
    const file = catalog.descriptorFile(claim.entityRef);
    if (!file || !(await descriptorRepository(file, deps.writable))) return;
    try {
      const client = await deps.client();
      await client.workflow.start('ownerChange', {
        taskQueue: deps.taskQueue,
        workflowId: ownerChangeWorkflowId(claim.entityRef, claim.owner),
        workflowIdConflictPolicy: 'USE_EXISTING',
        args: [claim],
      });
    } catch (err) {
      logger.warn({ err, entity: claim.entityRef }, '"Not ours": could not start the owner change; it stays a pending claim');
    }
  };
  /** The chat surfaces' notifiers, once the app has made them (the answers are made before the surfaces). */
  let surfaces: Record<string, ChatNotifier> = {};
  /** Edits the ask's copies other than the one clicked (the surface edits that one), as the ask reads now. */
  const onRecorded = ({ round, team, clicked }: { round: string; team: string; clicked?: ClickedMessage }) => {
    void (async () => {
      const ask = await truth.ask(round, team);
      const others = (ask?.messages ?? []).filter((m) => !(clicked && platformOf(m) === clicked.platform && parseRef(m).message === clicked.message));
      if (!others.length) return;
      const view = await answers.view(round, team);
      if (!view) return;
      for (const message of others) {
        await surfaces[platformOf(message)]
          ?.edit(message, view)
          .catch((err: unknown) => logger.warn({ err, message }, 'could not refresh a copy of the "Still yours?" ask'));
      }
    })().catch((err: unknown) => logger.warn({ err, round, team }, 'could not refresh the copies of the "Still yours?" ask'));
  };
  const answers = createAttestationAnswers({ catalog, truth, audit, proposeChange, onRecorded });
  return {
    answers,
    /** Where the ask's other copies are edited from: the app's chat surfaces. */
    reach(notifiers: Record<string, ChatNotifier>) {
      surfaces = notifiers;
    },
    /** The worker's activities for workflows/attestation.ts and workflows/owner-change.ts. */
    activities: (notifiers: Record<string, ChatNotifier>) => ({
      ...createAttestationActivities({ catalog, truth, answers, notifiers, logger, channelFor: (team) => settings.attestation?.teams.get(team) }),
      ...createOwnerChangeActivities({ catalog, truth, answers, notifiers, writable: deps.writable, pullRequests, logger }),
    }),
    /** Keeps one schedule per team that owns something; logs instead of failing start. */
    async keepSchedules(client: () => Promise<Client>): Promise<void> {
      const setting = settings.attestation;
      if (!setting) return;
      try {
        const teams = catalog
          .suggest('group', '', MAX_TEAMS)
          .map((g) => g.ref)
          .filter((ref) => catalog.ownedBy(ref).length > 0);
        const { kept, dropped } = await keepAttestationSchedules(await client(), teams, setting, { taskQueue: deps.taskQueue });
        logger.info({ kept: kept.length, dropped }, '"Still yours?" schedules kept');
      } catch (err) {
        logger.warn({ err }, 'could not keep the "Still yours?" schedules; they are tried again at the next start');
      }
    },
  };
}
