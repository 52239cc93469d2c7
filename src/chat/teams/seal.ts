/**
 * Data that goes out in a card and comes back with a click is the clicking client's to change: a form's
 * `where` (the thread its status goes to) and a private answer's `origin` (where "Share in channel" posts).
 * They are sealed with an HMAC under a key derived from the bot's app password, which only the bot holds,
 * and refused when the seal does not match: a changed client cannot make the bot post somewhere else.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** JSON with keys sorted, so the seal does not depend on the order a client sends them back in. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export interface Seal {
  sign(value: unknown): string;
  /** True only for the seal this bot made over exactly this value. */
  check(value: unknown, seal: unknown): boolean;
}

export function createSeal(secret: string): Seal {
  const key = createHmac('sha256', secret).update('switchboard/teams-card-data/v1').digest();
  const sign = (value: unknown) => createHmac('sha256', key).update(canonical(value)).digest('base64url');
  return {
    sign,
    check(value, seal) {
      if (typeof seal !== 'string' || seal.length > 100) return false;
      const expected = Buffer.from(sign(value));
      const given = Buffer.from(seal);
      return expected.length === given.length && timingSafeEqual(expected, given);
    },
  };
}
