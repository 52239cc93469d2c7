/**
 * "Still yours?" wired for the application: the answers the conversation records, the round's
 * activities for the worker, and one schedule per owning team when the config file switches rounds on.
 */
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import { createAttestationActivities } from './activities/attestation.js';
import { createAttestationAnswers } from './attestation/answer.js';
import type { AuditLog } from './audit/index.js';
import type { Catalog } from './catalog/index.js';
import type { ChatNotifier } from './conversation/index.js';
import type { Settings } from './settings/index.js';
import type { CatalogTruth } from './state/truth.js';
import { keepAttestationSchedules } from './temporal/attestation-schedules.js';
import { proposeOwnerChange } from './attestation/propose-change.js';
import { parseRef as parseEntityRef } from './catalog/ref.js';

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
}) {
  const { catalog, truth, audit, settings, logger } = deps;
  const proposeChange = async (entityRef: string, owner: string, by: string) => {
    const source = catalog.whoOwns(entityRef).freshness?.source;
    const { kind, namespace, name } = parseEntityRef(entityRef);
    if (!source || /^[a-z][a-z0-9+.-]+:/i.test(source)) return null; // an API or URL source: not a file to change
    try {
      return (
        (await proposeOwnerChange({ file: source, entity: { kind, namespace, name, ref: entityRef }, owner, by, writable: deps.writable }))?.change ?? null
      );
    } catch (err) {
      logger.warn({ err, entity: entityRef }, '"Not ours": could not push the owner change; it stays a pending claim');
      return null;
    }
  };
  const answers = createAttestationAnswers({ catalog, truth, audit, proposeChange });
  return {
    answers,
    /** The worker's activities for workflows/attestation.ts. */
    activities: (notifiers: Record<string, ChatNotifier>) =>
      createAttestationActivities({ catalog, truth, answers, notifiers, channelFor: (team) => settings.attestation?.teams.get(team)?.channel }),
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
