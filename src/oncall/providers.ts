/**
 * Every configured provider asked together: each that applies to the entity is asked at once, and one
 * that fails lands in `unknown` with its reason, never as an exception and never as somebody's name.
 * Entries come in the providers' order (the catalog's Schedules first), one per person and source.
 */
import type { OnCallLookup, OnCallProvider, OnCallProviders, OnCallUnknown } from './contract.js';
import { ProviderFailure } from './http.js';

export function combineProviders(providers: OnCallProvider[]): OnCallProviders {
  return {
    async lookup(subject, at) {
      const applying = providers.filter((p) => p.applies(subject));
      const answers = await Promise.all(
        applying.map(async (p): Promise<OnCallLookup> => {
          try {
            return await p.lookup(subject, at);
          } catch (err) {
            const reason = err instanceof ProviderFailure ? err.reason : `${p.title} failed: ${err instanceof Error ? err.message : String(err)}`;
            return { onCall: [], unknown: [{ provider: p.name, reason }] };
          }
        }),
      );
      const seen = new Set<string>();
      const onCall = answers.flatMap((a) => a.onCall).filter((e) => !seen.has(`${e.source}\n${e.user}`) && !!seen.add(`${e.source}\n${e.user}`));
      const unknown: OnCallUnknown[] = answers.flatMap((a) => a.unknown);
      return { onCall, unknown };
    },
    statuses: () => providers.map((p) => p.status()),
  };
}
