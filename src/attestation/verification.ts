/**
 * The "verified … by …" fact of an answer: the entity's latest attestation, when it was given for the
 * owner the catalog names now. An answer about a previous owner says nothing about the current one, so
 * it does not count (the entity shows as never verified until its new owner answers).
 */
import type { Verification } from '../catalog/index.js';
import type { Attestation, CatalogTruth } from '../state/truth.js';

/** What the answer path needs from the shared state: one lookup by entity ref (the table's primary key). */
export type AttestationReader = Pick<CatalogTruth, 'attestations'>;

/** A team's display name by ref, or null when the catalog has no such entity. */
export type TeamName = (ref: string) => string | null;

export function verificationOf(att: Attestation | undefined, ownerRef: string | null, teamName: TeamName): Verification | null {
  if (!att || !ownerRef || att.ownerRef !== ownerRef) return null;
  const proposed = att.verdict === 'disowned' && att.proposedOwner ? att.proposedOwner : null;
  return {
    verdict: att.verdict,
    by: att.byRef,
    byName: att.byName,
    at: new Date(att.at).toISOString(),
    proposedOwner: proposed ? { ref: proposed, displayName: teamName(proposed) ?? proposed } : null,
    change: att.verdict === 'disowned' ? att.change : null,
  };
}

/**
 * The answer with its `verification` set (null: never verified by its current owner). Answers about
 * nothing found are returned as they are.
 */
export async function withVerification<A extends { entity: { ref: string } | null; owner: { ref: string } | null }>(
  reader: AttestationReader,
  answer: A,
  teamName: TeamName,
): Promise<A & { verification?: Verification | null }> {
  if (!answer.entity) return answer;
  const found = await reader.attestations([answer.entity.ref]);
  return { ...answer, verification: verificationOf(found.get(answer.entity.ref), answer.owner?.ref ?? null, teamName) };
}
