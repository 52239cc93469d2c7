/**
 * Inbound verification of Bot Connector requests: ours, strict, and run before the Teams SDK sees a body.
 *
 * The rules are Bot Framework's "Authenticate requests from the Bot Connector service to your bot": a
 * Bearer JWT; signed RS256 by a key listed in the document the OpenID metadata's `jwks_uri` names (read,
 * never derived from the metadata URL); issuer and audience exact; within its validity period give or
 * take 5 minutes; a `serviceurl` claim equal to the activity's serviceUrl; and, where the key lists
 * `endorsements`, the activity's channelId among them. The SDK's own validator derives the keys URL and
 * skips the serviceurl check when the body has no serviceUrl; this one refuses instead.
 *
 * verify() never throws: every refusal comes back as `{ ok: false, reason }` for the caller to log and
 * answer 401 with.
 */
import { createPublicKey, verify as verifySignature, type KeyObject } from 'node:crypto';

export interface TokenVerifierOptions {
  /** The bot's Microsoft App ID: the only audience accepted. */
  appId: string;
  openIdMetadataUrl: string;
  /** `https://api.botframework.com` in the public cloud. */
  issuer: string;
  skewSeconds?: number;
  /** Clock in ms; Date.now by default. */
  now?: () => number;
  fetch?: typeof fetch;
}

export interface BotFrameworkClaims {
  iss: string;
  aud: string;
  exp: number;
  nbf?: number;
  serviceurl: string;
  [claim: string]: unknown;
}

export type VerifyResult = { ok: true; claims: BotFrameworkClaims } | { ok: false; reason: string };

export interface TokenVerifier {
  verify(authorization: string | undefined, activity: { serviceUrl?: unknown; channelId?: unknown }): Promise<VerifyResult>;
}

/** Keys are re-read this often even when every kid is known (Bot Framework rotates without notice). */
const KEYS_MAX_AGE_MS = 24 * 60 * 60 * 1000;
/** An unknown kid re-reads the keys at most this often, so forged kids cannot turn the bot into a fetch loop. */
const UNKNOWN_KID_REFRESH_MS = 60 * 1000;
const FETCH_TIMEOUT_MS = 10_000;
/** Smaller RSA keys are not used, whatever the key set lists. */
const MIN_MODULUS_BITS = 2048;

interface KeySet {
  keys: Map<string, { key: KeyObject; endorsements?: string[] }>;
  /** From the metadata; RS256 must be among them when it is given. */
  algorithms?: string[];
  loadedAt: number;
}

const JWT = /^Bearer ([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]*)$/;

/** Attacker-supplied text in a reason: quoted and cut short, so a log line stays one line. */
const quote = (value: unknown) => JSON.stringify(typeof value === 'string' ? value.slice(0, 100) : value) ?? String(value);

const trimSlash = (url: string) => (url.endsWith('/') ? url.slice(0, -1) : url);

function decodeJson(segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const { appId, openIdMetadataUrl, issuer, skewSeconds = 300, now = Date.now } = options;
  const doFetch = options.fetch ?? fetch;
  let keySet: KeySet | undefined;
  let lastAttemptAt = -Infinity;
  let inflight: Promise<void> | undefined;

  const getJson = async (url: string, what: string): Promise<Record<string, unknown>> => {
    const res = await doFetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
    if (!res.ok) throw new Error(`${what} ${url} answered HTTP ${res.status}`);
    const body: unknown = await res.json();
    if (typeof body !== 'object' || body === null) throw new Error(`${what} ${url} is not a JSON object`);
    return body as Record<string, unknown>;
  };

  const load = async (): Promise<void> => {
    const metadata = await getJson(openIdMetadataUrl, 'OpenID metadata');
    const jwksUri = metadata.jwks_uri;
    if (typeof jwksUri !== 'string' || !/^https?:\/\//.test(jwksUri)) throw new Error(`OpenID metadata ${openIdMetadataUrl} has no http(s) jwks_uri`);
    const document = await getJson(jwksUri, 'key set');
    const keys = new Map<string, { key: KeyObject; endorsements?: string[] }>();
    for (const jwk of Array.isArray(document.keys) ? (document.keys as Record<string, unknown>[]) : []) {
      if (typeof jwk !== 'object' || jwk === null || typeof jwk.kid !== 'string' || jwk.kty !== 'RSA') continue;
      if (jwk.use !== undefined && jwk.use !== 'sig') continue;
      try {
        const key = createPublicKey({ key: { kty: 'RSA', n: jwk.n as string, e: jwk.e as string }, format: 'jwk' });
        if ((key.asymmetricKeyDetails?.modulusLength ?? 0) < MIN_MODULUS_BITS) continue;
        const endorsements = Array.isArray(jwk.endorsements) ? jwk.endorsements.filter((e): e is string => typeof e === 'string') : undefined;
        keys.set(jwk.kid, { key, endorsements });
      } catch {
        // A key Node cannot read signs nothing we accept; the others still count.
      }
    }
    if (keys.size === 0) throw new Error(`key set ${jwksUri} has no usable RSA signing key`);
    const algorithms = Array.isArray(metadata.id_token_signing_alg_values_supported) ? metadata.id_token_signing_alg_values_supported.map(String) : undefined;
    keySet = { keys, algorithms, loadedAt: now() };
  };

  /** One load at a time; a failure keeps the previous key set (stale beats refusing every request). */
  const refresh = async (): Promise<string | undefined> => {
    lastAttemptAt = now();
    inflight ??= load().finally(() => {
      inflight = undefined;
    });
    try {
      await inflight;
      return undefined;
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    }
  };

  const keyFor = async (kid: string): Promise<{ key: KeyObject; endorsements?: string[] } | { reason: string }> => {
    const throttled = () => now() - lastAttemptAt < UNKNOWN_KID_REFRESH_MS;
    if (!keySet || (now() - keySet.loadedAt >= KEYS_MAX_AGE_MS && !throttled())) {
      const error = await refresh();
      if (!keySet) return { reason: `keys unavailable: ${error ?? 'no key set'}` };
    }
    let found = keySet.keys.get(kid);
    if (!found && !throttled()) {
      const error = await refresh();
      found = keySet.keys.get(kid);
      if (!found && error) return { reason: `keys unavailable: ${error}` };
    }
    return found ?? { reason: `unknown signing key ${quote(kid)}` };
  };

  const check = async (authorization: string | undefined, activity: { serviceUrl?: unknown; channelId?: unknown }): Promise<VerifyResult> => {
    const refuse = (reason: string): VerifyResult => ({ ok: false, reason });
    if (!authorization) return refuse('no Authorization header');
    const parts = JWT.exec(authorization);
    if (!parts) return refuse(authorization.startsWith('Bearer ') ? 'malformed JWT' : 'Authorization is not a Bearer token');
    const [, rawHeader, rawClaims, rawSignature] = parts as unknown as [string, string, string, string];
    const header = decodeJson(rawHeader);
    const claims = decodeJson(rawClaims);
    if (!header || !claims) return refuse('malformed JWT');
    // The algorithm is ours to choose, never the token's: anything but RS256 (none, HS256 keyed with a public key) is refused.
    if (header.alg !== 'RS256') return refuse(`alg ${quote(header.alg)} refused: RS256 only`);
    if (typeof header.kid !== 'string' || header.kid === '') return refuse('token has no kid');
    const signing = await keyFor(header.kid);
    if ('reason' in signing) return refuse(signing.reason);
    if (keySet?.algorithms && !keySet.algorithms.includes('RS256')) return refuse('the OpenID metadata does not list RS256');
    const signature = Buffer.from(rawSignature, 'base64url');
    if (signature.length === 0 || !verifySignature('RSA-SHA256', Buffer.from(`${rawHeader}.${rawClaims}`), signing.key, signature)) {
      return refuse('bad signature');
    }

    if (claims.iss !== issuer) return refuse(`issuer ${quote(claims.iss)} is not ${issuer}`);
    if (claims.aud !== appId) return refuse(`audience ${quote(claims.aud)} is not this bot`);
    const t = now() / 1000;
    if (typeof claims.exp !== 'number') return refuse('token has no exp');
    if (t > claims.exp + skewSeconds) return refuse('token expired');
    if (claims.nbf !== undefined && (typeof claims.nbf !== 'number' || t + skewSeconds < claims.nbf)) return refuse('token not yet valid');

    // Without this check a token minted for one serviceUrl would let a caller point the bot's replies, and its
    // own token, at another host.
    const claimed = claims.serviceurl ?? claims.serviceUrl;
    if (typeof claimed !== 'string' || claimed === '') return refuse('token has no serviceurl claim');
    if (typeof activity.serviceUrl !== 'string' || activity.serviceUrl === '') return refuse('activity has no serviceUrl');
    if (trimSlash(claimed) !== trimSlash(activity.serviceUrl)) return refuse(`serviceurl claim ${quote(claimed)} does not match the activity's serviceUrl`);

    if (signing.endorsements && activity.channelId !== undefined) {
      if (typeof activity.channelId !== 'string' || !signing.endorsements.includes(activity.channelId)) {
        return refuse(`channel ${quote(activity.channelId)} is not endorsed by the signing key`);
      }
    }
    return { ok: true, claims: { ...claims, serviceurl: claimed } as BotFrameworkClaims };
  };

  return {
    async verify(authorization, activity) {
      try {
        return await check(authorization, activity ?? {});
      } catch (err) {
        return { ok: false, reason: `verification error: ${err instanceof Error ? err.message : String(err)}` };
      }
    },
  };
}
