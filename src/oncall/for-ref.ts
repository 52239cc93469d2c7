/**
 * Who is on call for the entity with exactly this ref, every provider asked: what the @oncall sync
 * and the CLI read. An entity the catalog does not have has nobody on call (and no provider is asked).
 */
import type { OnCallLookup, OnCallProviders, OnCallSubject } from './contract.js';

export function onCallForRef(subjectOf: (ref: string) => OnCallSubject | null, providers: OnCallProviders) {
  return async (ref: string, at: Date): Promise<OnCallLookup> => {
    const subject = subjectOf(ref);
    return subject ? providers.lookup(subject, at) : { onCall: [], unknown: [] };
  };
}
