/**
 * A provider's answers kept until the earliest shift in them ends or a short TTL (default 60 s),
 * whichever comes first, so who is on call is never shown past a handoff the provider told us of. Only
 * full answers are kept: a failure is asked again (the HTTP client's back-off keeps that cheap).
 */
import type { OnCallLookup, OnCallProvider, OnCallSubject } from './contract.js';

export interface CacheOptions {
  ttlMs?: number;
  now?: () => Date;
  /** Entries kept at most; the oldest goes first. Default 10,000. */
  maxEntries?: number;
}

export function cachedProvider(provider: OnCallProvider, o: CacheOptions = {}): OnCallProvider {
  const ttl = o.ttlMs ?? 60_000;
  const max = o.maxEntries ?? 10_000;
  const now = o.now ?? (() => new Date());
  const entries = new Map<string, { lookup: OnCallLookup; expiresAt: number }>();
  /** Lookups on their way: fifty cards for one service at once make one call, not fifty. */
  const inFlight = new Map<string, Promise<OnCallLookup>>();
  // The annotations are part of the key: a re-ingested descriptor naming another service is a new question.
  const keyOf = (s: OnCallSubject) => `${s.ref}\n${JSON.stringify(Object.entries(s.annotations).sort())}`;
  return {
    name: provider.name,
    title: provider.title,
    applies: (s) => provider.applies(s),
    status: () => provider.status(),
    async lookup(subject, at) {
      const key = keyOf(subject);
      const t = at.getTime();
      const hit = entries.get(key);
      // The cache holds "now" only: an answer for another instant (`--at`) is asked for afresh.
      const current = Math.abs(t - now().getTime()) < 1_000;
      if (hit && current && t < hit.expiresAt) return hit.lookup;
      if (!current) return provider.lookup(subject, at);
      const pending = inFlight.get(key);
      if (pending) return pending;
      const asked = provider.lookup(subject, at).finally(() => inFlight.delete(key));
      inFlight.set(key, asked);
      const lookup = await asked;
      if (lookup.unknown.length === 0) {
        const ends = lookup.onCall.map((e) => (e.until ? Date.parse(e.until) : Infinity));
        entries.delete(key);
        entries.set(key, { lookup, expiresAt: Math.min(t + ttl, ...ends) });
        if (entries.size > max) entries.delete(entries.keys().next().value as string);
      }
      return lookup;
    },
  };
}
