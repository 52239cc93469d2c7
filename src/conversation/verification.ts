/** The freshness line's second half: when the owner last confirmed the entity, or that nobody has. */
import { formatDistanceStrict } from 'date-fns/formatDistanceStrict';
import type { Owner, Verification } from '../catalog/index.js';
import type { Text } from './reply.js';

/** "12 days ago": the card is read now, so a relative age says more than a date. */
export function ago(iso: string, now: Date): string {
  const at = new Date(iso);
  return at.getTime() >= now.getTime() - 60_000 ? 'just now' : formatDistanceStrict(at, now, { addSuffix: true, roundingMethod: 'floor' });
}

/**
 * `undefined` verification: the answer path did not read attestations (no shared state), so the card
 * says nothing rather than a "never" that may be false.
 */
export function verificationText(v: Verification | null | undefined, owner: Owner | null, now: Date): Text | null {
  if (v === undefined || !owner) return null;
  if (v === null) return ['Never verified by its owner'];
  const by = v.byName ?? v.by;
  if (v.verdict === 'confirmed') return [`✅ Verified ${ago(v.at, now)} by ${by}`];
  const text: Text = [`⚠️ ${owner.displayName} says this is not theirs`];
  if (!v.proposedOwner) return [...text, ` (${by}, ${ago(v.at, now)})`];
  text.push('; proposed owner: ', { bold: v.proposedOwner.displayName });
  if (v.change) text.push(' (pending change ', /^https:\/\//.test(v.change) ? { link: v.change, text: v.change } : { code: v.change }, ')');
  else text.push(' (pending claim: its descriptor is not in a writable repository)');
  return text;
}
