/**
 * What the Connector refuses before it does anything: a rate over the per bot per thread limits, an
 * activity over the size limit, and an activity Teams cannot render.
 *
 * Error codes are the ones Microsoft documents for the bot conversational APIs ("Status codes from bot
 * conversational APIs"): 400 BadArgument, 413 MessageSizeTooBig, 429 Throttled with Retry-After.
 */
import type { RateLimits, RateWindow } from './teams-emulator-contract.js';

export interface Refusal {
  status: number;
  code: string;
  message: string;
  retryAfter?: number;
}

export const DEFAULT_RATE_LIMITS: RateLimits = {
  send: [
    { seconds: 1, max: 7 },
    { seconds: 2, max: 8 },
    { seconds: 30, max: 60 },
    { seconds: 3600, max: 1800 },
  ],
  create: [
    { seconds: 1, max: 7 },
    { seconds: 2, max: 8 },
    { seconds: 30, max: 60 },
    { seconds: 3600, max: 1800 },
  ],
  read: [
    { seconds: 1, max: 14 },
    { seconds: 2, max: 16 },
    { seconds: 30, max: 120 },
    { seconds: 3600, max: 3600 },
  ],
};

/** 100 KB measured as UTF-16, the current documented bot message limit. */
export const DEFAULT_MAX_MESSAGE_BYTES = 100 * 1024;

const ADAPTIVE = 'application/vnd.microsoft.card.adaptive';

/** Sliding windows per key; only calls that were let through count, as a refused call did no work. */
export function createRateLimiter(limits: RateLimits | false, now: () => number = Date.now) {
  const hits = new Map<string, number[]>();
  return (kind: keyof RateLimits, key: string): Refusal | undefined => {
    if (!limits) return undefined;
    const windows: RateWindow[] = limits[kind];
    const id = `${kind}|${key}`;
    const t = now();
    const longest = Math.max(0, ...windows.map((w) => w.seconds)) * 1000;
    const recent = (hits.get(id) ?? []).filter((at) => at > t - longest);
    for (const w of windows) {
      const inWindow = recent.filter((at) => at > t - w.seconds * 1000);
      if (inWindow.length >= w.max) {
        // Free again when the oldest call in the full window leaves it.
        const oldest = inWindow[inWindow.length - w.max]!;
        const retryAfter = Math.max(1, Math.ceil((oldest + w.seconds * 1000 - t) / 1000));
        hits.set(id, recent);
        return { status: 429, code: 'Throttled', message: 'Too many requests.', retryAfter };
      }
    }
    recent.push(t);
    hits.set(id, recent);
    return undefined;
  };
}

const bad = (message: string): Refusal => ({ status: 400, code: 'BadArgument', message });

/** Size first (Teams measures the payload before reading it), then the fields Teams needs to render. */
export function checkActivity(raw: string, body: unknown, maxBytes: number): Refusal | undefined {
  if (Buffer.byteLength(raw, 'utf16le') > maxBytes) return { status: 413, code: 'MessageSizeTooBig', message: 'Message size too large.' };
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return bad('The activity is not a JSON object.');
  const activity = body as Record<string, unknown>;
  if (typeof activity.type !== 'string' || activity.type === '') return bad('Activity type is required.');
  if (activity.text !== undefined && typeof activity.text !== 'string') return bad('Activity text must be a string.');
  if (activity.attachments === undefined) return undefined;
  if (!Array.isArray(activity.attachments)) return bad('Activity attachments must be an array.');
  for (const [i, attachment] of activity.attachments.entries()) {
    if (typeof attachment !== 'object' || attachment === null) return bad(`Attachment ${i} is not an object.`);
    const { contentType, content } = attachment as { contentType?: unknown; content?: { type?: unknown } };
    if (typeof contentType !== 'string' || contentType === '') return bad(`Attachment ${i} has no contentType.`);
    const saysCard = typeof content === 'object' && content !== null && content.type === 'AdaptiveCard';
    if (contentType === ADAPTIVE && !saysCard) return bad(`Attachment ${i}: an adaptive card's content.type must be 'AdaptiveCard'.`);
    if (saysCard && contentType !== ADAPTIVE) return bad(`Attachment ${i}: an AdaptiveCard needs contentType '${ADAPTIVE}'.`);
  }
  return undefined;
}
