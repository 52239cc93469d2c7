/**
 * The "Not ours" change's I/O (workflows/owner-change.ts): push the descriptor's `spec.owner` change and
 * open its pull request (src/attestation/propose-change.ts), settle the answer's pending claim with
 * where the change went, and edit the ask's messages to show it. Each step is safe to run again: the
 * branch already pushed and the pull request already open are found, a settled claim is set to the
 * same value, an edit shows what the state says.
 */
import type { Logger } from 'pino';
import type { OwnerChangeActivities } from '../../workflows/owner-change-contract.js';
import type { AttestationAnswers } from '../attestation/answer.js';
import { proposeOwnerChange } from '../attestation/propose-change.js';
import type { PullRequests } from '../attestation/pull-request.js';
import type { Catalog } from '../catalog/index.js';
import { parseRef } from '../catalog/ref.js';
import type { ChatNotifier } from '../conversation/index.js';
import type { CatalogTruth } from '../state/truth.js';

export interface OwnerChangeActivityDeps {
  catalog: Pick<Catalog, 'descriptorFile'>;
  truth: CatalogTruth;
  answers: Pick<AttestationAnswers, 'view'>;
  /** By platform (`slack`, `teams`): the ask's message refs start with it. */
  notifiers: Record<string, ChatNotifier>;
  /** Repositories a branch may be pushed to, by top-level folder (see proposeOwnerChange). */
  writable: (topLevel: string) => boolean;
  pullRequests?: Pick<PullRequests, 'open'>;
  logger?: Pick<Logger, 'warn'>;
}

export function createOwnerChangeActivities(deps: OwnerChangeActivityDeps): OwnerChangeActivities {
  return {
    async openOwnerChange(input) {
      const file = deps.catalog.descriptorFile(input.entityRef);
      if (!file) return { change: null, skipped: 'not_writable' };
      // Only the answer this run was started for: one given since (Confirm, another team) is not this change's to settle.
      const answer = (await deps.truth.attestations([input.entityRef])).get(input.entityRef);
      if (answer?.verdict !== 'disowned' || answer.proposedOwner !== input.owner) return { change: null, skipped: 'superseded' };
      const { kind, namespace, name } = parseRef(input.entityRef);
      const proposed = await proposeOwnerChange({
        file,
        entity: { kind, namespace, name, ref: input.entityRef },
        owner: input.owner,
        by: input.by,
        writable: deps.writable,
        pullRequests: deps.pullRequests,
        warn: (err, message) => deps.logger?.warn({ err, entity: input.entityRef }, message),
      });
      if (!proposed) return { change: null, skipped: 'not_writable' };
      await deps.truth.settleClaim(input.entityRef, proposed.change);
      return { change: proposed.change };
    },

    async showOwnerChange({ round, team }) {
      const ask = await deps.truth.ask(round, team);
      const view = ask && (await deps.answers.view(round, team));
      if (!ask || !view) return { edited: 0 };
      let edited = 0;
      for (const message of ask.messages) {
        const notifier = deps.notifiers[message.split(':')[0] as string];
        if (!notifier) continue;
        await notifier.edit(message, view);
        edited++;
      }
      return { edited };
    },
  };
}
