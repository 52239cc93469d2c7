/** Bearer-token checks shared by the token-guarded endpoints (deployments, metrics). */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const sha256 = (text: string) => createHash('sha256').update(text).digest();

/**
 * True when the request's `Authorization: Bearer <token>` is `token`. Both sides are hashed first, so
 * the comparison takes the same time whatever the given token's length or content.
 */
export function bearerMatches(req: IncomingMessage, token: string): boolean {
  const given = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
  // Still compared when absent, so a missing header costs what a wrong one does.
  const same = timingSafeEqual(sha256(given ?? ''), sha256(token));
  return given !== undefined && same;
}
