/**
 * The incident pipeline every surface shares: which services a channel is about, one card per
 * service per channel (claimed in the bot's state, so across restarts and replicas too), posted by
 * the surface, then settled: the message recorded, or the claim released so a later event tries again.
 */
import type { EntitySummary } from '../catalog/index.js';
import type { Reply } from './reply.js';

export interface IncidentClaims {
  claimIncidentPost(conversation: string, entityRef: string): Promise<boolean>;
  settleIncidentPost(conversation: string, entityRef: string, messageId: string | null): Promise<void>;
}

/** Some incident cards could not be posted; the others were. Its message names every missing one. */
export class IncidentCardError extends Error {
  readonly code = 'incident_card_failed';
}

export interface IncidentPipeline {
  affectedServices(texts: (string | undefined)[]): EntitySummary[];
  incidentCard(ref: string): Reply | Promise<Reply>;
}

/**
 * Posts the card for each affected service not yet posted in `conversation` (a ref: `slack:C1`,
 * `teams:19:…@thread.tacv2`). `post` returns the message's id. Every card is tried; failures are then
 * thrown once, so the person whose event it was is told (never silence). Returns how many were posted.
 */
export async function postIncidentCards(
  core: IncidentPipeline,
  claims: IncidentClaims,
  conversation: string,
  texts: (string | undefined)[],
  post: (card: Reply, service: EntitySummary) => Promise<string>,
  errorText: (err: unknown) => string = (err) => (err as Error).message,
): Promise<number> {
  const failed: string[] = [];
  let posted = 0;
  for (const service of core.affectedServices(texts)) {
    if (!(await claims.claimIncidentPost(conversation, service.ref))) continue;
    try {
      const id = await post(await core.incidentCard(service.ref), service);
      await claims.settleIncidentPost(conversation, service.ref, id);
      posted++;
    } catch (err) {
      await claims.settleIncidentPost(conversation, service.ref, null);
      failed.push(`${service.name} (${errorText(err)})`);
    }
  }
  if (failed.length) throw new IncidentCardError(`the incident card could not be posted for ${failed.join(', ')}`);
  return posted;
}
