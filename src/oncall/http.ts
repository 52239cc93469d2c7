/**
 * One provider's HTTP client: a per-minute budget kept locally (so the bot never hammers a provider
 * into 429s), back-off after a 429 until the provider's reset, a short rest after a provider did not
 * answer (a dead provider costs one timeout, not one per card), a timeout on every call (default 2 s),
 * and the outcome of the last call for `status()`. Failures are ProviderFailure, worded for the card.
 */
import type { ProviderStatus } from './contract.js';

export class ProviderFailure extends Error {
  constructor(
    /** For the card: `PagerDuty did not answer`. */
    readonly reason: string,
    readonly code: 'unreachable' | 'refused' | 'throttled' | 'not_found' | 'failed' | 'bad_annotation',
  ) {
    super(reason);
  }
}

export interface ProviderHttpOptions {
  name: string;
  title: string;
  baseUrl: string;
  headers: Record<string, string>;
  /** What the credential is called in messages: `token` (PagerDuty), `API key` (Opsgenie). */
  credential?: string;
  /** Calls allowed per minute, counted here; default 960 (PagerDuty's figure). */
  perMinute?: number;
  /** Default 2,000 ms. */
  timeoutMs?: number;
  /** How long to leave a provider alone after it did not answer; default 10 s. */
  restAfterSilenceMs?: number;
  /** Seconds to wait after a 429, read from its headers (each provider names them differently). */
  retryAfterSeconds(headers: Headers): number | null;
  now?: () => Date;
}

export interface ProviderResponse {
  status: number;
  body: unknown;
}

export interface ProviderHttp {
  /** GETs `path` (with its query) from the base URL: 2xx and 404 come back; anything else throws ProviderFailure. */
  get(path: string): Promise<ProviderResponse>;
  status(): ProviderStatus;
}

export function createProviderHttp(o: ProviderHttpOptions): ProviderHttp {
  const now = o.now ?? (() => new Date());
  const perMinute = o.perMinute ?? 960;
  const timeoutMs = o.timeoutMs ?? 2_000;
  const restMs = o.restAfterSilenceMs ?? 10_000;
  const base = o.baseUrl.replace(/\/+$/, '');
  const sent: number[] = [];
  let pausedUntil = 0;
  let pauseReason = '';
  let pauseCode: 'throttled' | 'unreachable' = 'unreachable';
  let lastError: string | null = null;
  let lastOkAt: string | null = null;
  let ok = true;

  const fail = (f: ProviderFailure): never => {
    ok = false;
    lastError = f.reason;
    throw f;
  };
  const clock = (t: number) => new Date(t).toISOString().slice(11, 19);

  return {
    async get(path) {
      const t = now().getTime();
      if (t < pausedUntil) fail(new ProviderFailure(pauseReason, pauseCode));
      while (sent.length && t - sent[0]! >= 60_000) sent.shift();
      if (sent.length >= perMinute) {
        fail(new ProviderFailure(`${o.title} was asked ${perMinute} times this minute; asking again after ${clock(sent[0]! + 60_000)} UTC`, 'throttled'));
      }
      sent.push(t);
      let res: Response;
      try {
        res = await fetch(`${base}${path}`, { headers: o.headers, signal: AbortSignal.timeout(timeoutMs) });
      } catch {
        pausedUntil = now().getTime() + restMs;
        pauseReason = `${o.title} did not answer`;
        pauseCode = 'unreachable';
        return fail(new ProviderFailure(`${o.title} did not answer`, 'unreachable'));
      }
      let body: unknown = null;
      try {
        body = await res.json();
      } catch {
        if (res.ok) return fail(new ProviderFailure(`${o.title} answered something that is not JSON`, 'failed'));
      }
      if (res.status === 429) {
        const wait = o.retryAfterSeconds(res.headers) ?? 60;
        pausedUntil = now().getTime() + wait * 1000;
        pauseReason = `${o.title} is rate-limiting (429); asking again after ${clock(pausedUntil)} UTC`;
        pauseCode = 'throttled';
        return fail(new ProviderFailure(pauseReason, 'throttled'));
      }
      if (res.status === 401) return fail(new ProviderFailure(`${o.title} refused the ${o.credential ?? 'token'} (401)`, 'refused'));
      if (res.status === 403) return fail(new ProviderFailure(`${o.title} refused access (403)`, 'refused'));
      if (res.status !== 404 && !res.ok) return fail(new ProviderFailure(`${o.title} failed (${res.status})`, 'failed'));
      ok = true;
      lastError = null;
      lastOkAt = now().toISOString();
      return { status: res.status, body };
    },
    status: () => ({ provider: o.name, title: o.title, configured: true, ok, lastError, lastOkAt }),
  };
}

/** Seconds from a header holding a number of seconds; null when absent or not a number. */
export function secondsHeader(headers: Headers, ...names: string[]): number | null {
  for (const name of names) {
    const v = headers.get(name);
    if (v !== null && /^\d+(\.\d+)?$/.test(v.trim())) return Math.ceil(Number(v));
  }
  return null;
}
