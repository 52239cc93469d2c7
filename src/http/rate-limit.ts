/**
 * Failed attempts per client address in a sliding window: after `max` failures within `windowMs` the
 * client is refused until its oldest failure leaves the window. In memory, per process: a limit on
 * guessing, not an account lock-out (a restart forgets it; each replica counts its own).
 */
export interface FailureLimiter {
  /** Milliseconds until `client` may try again; 0 when it may try now. */
  retryAfterMs(client: string): number;
  /** Counts a failure of `client`. */
  fail(client: string): void;
}

/** Clients tracked at most; past it the quietest are forgotten, so a flood of addresses cannot grow memory. */
const MAX_CLIENTS = 10_000;

export function failureLimiter(opts: { max: number; windowMs: number; now?: () => number }): FailureLimiter {
  const now = opts.now ?? Date.now;
  const failures = new Map<string, number[]>();
  const recent = (client: string): number[] => {
    const since = now() - opts.windowMs;
    const kept = (failures.get(client) ?? []).filter((t) => t > since);
    if (kept.length) failures.set(client, kept);
    else failures.delete(client);
    return kept;
  };
  return {
    retryAfterMs(client) {
      const kept = recent(client);
      if (kept.length < opts.max) return 0;
      return Math.max(1, (kept[kept.length - opts.max] as number) + opts.windowMs - now());
    },
    fail(client) {
      const kept = recent(client);
      kept.push(now());
      failures.delete(client);
      failures.set(client, kept.slice(-opts.max));
      if (failures.size > MAX_CLIENTS) failures.delete(failures.keys().next().value as string);
    },
  };
}
