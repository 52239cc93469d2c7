/**
 * The Bot Connector's side of inbound auth: a local RSA key set published as Bot Framework publishes
 * its keys, and JWTs signed (or forged) the way the Connector signs requests to a bot.
 *
 * Shapes follow "Authenticate requests from the Bot Connector service to your bot" (Bot Framework REST
 * docs): header { alg: RS256, kid, x5t, typ: JWT }, claims iss / aud / nbf / exp / serviceurl, and an
 * `endorsements` list on each key naming the channels it may sign for.
 */
import { createHash, createHmac, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import type { JwtForgery } from './teams-emulator-contract.js';

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/** Channels every emulator key endorses; the real key set lists 'msteams' among others. */
const ENDORSEMENTS = ['msteams'];
/** How long a token the Connector signs stays valid; Teams' tokens carry one hour. */
const LIFETIME_SECONDS = 3600;
/** How far `expired` / `notYetValid` push the clock: past the 5-minute skew verifiers allow. */
const FORGED_OFFSET_SECONDS = 600;

const b64url = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

export function newSigningKey(): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  // Bot Framework's kid and x5t are the same base64url SHA-1 thumbprint; without a certificate, hash the key.
  const kid = createHash('sha1')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('base64url');
  return { kid, privateKey, publicKey };
}

/** The key as the keys document lists it. */
export function publishedJwk(key: SigningKey): Record<string, unknown> {
  const { n, e } = key.publicKey.export({ format: 'jwk' });
  return { kty: 'RSA', use: 'sig', kid: key.kid, x5t: key.kid, n, e, endorsements: ENDORSEMENTS };
}

export function signJwt(header: Record<string, unknown>, claims: Record<string, unknown>, key: KeyObject): string {
  const input = `${b64url(header)}.${b64url(claims)}`;
  return `${input}.${sign('RSA-SHA256', Buffer.from(input), key).toString('base64url')}`;
}

interface ConnectorTokenInput {
  current: SigningKey;
  /** A key the key set never lists (forge.foreignKey). */
  foreign: () => SigningKey;
  issuer: string;
  appId: string;
  serviceUrl: unknown;
  forge?: JwtForgery;
  nowSeconds: number;
}

/** A JWT as the Bot Connector sends it to the bot, or forged as `forge` says. */
export function connectorToken({ current, foreign, issuer, appId, serviceUrl, forge = {}, nowSeconds }: ConnectorTokenInput): string {
  let nbf = nowSeconds;
  if (forge.expired) nbf = nowSeconds - FORGED_OFFSET_SECONDS - LIFETIME_SECONDS;
  if (forge.notYetValid) nbf = nowSeconds + FORGED_OFFSET_SECONDS;
  const url = forge.serviceUrl === undefined ? serviceUrl : forge.serviceUrl;
  const claims: Record<string, unknown> = {
    ...(typeof url === 'string' ? { serviceurl: url } : {}),
    nbf,
    exp: nbf + LIFETIME_SECONDS,
    iss: forge.iss ?? issuer,
    aud: forge.aud ?? appId,
    ...forge.claims,
  };
  const signer = forge.foreignKey ? foreign() : current;
  const kid = forge.foreignKey === 'sameKid' ? current.kid : signer.kid;
  const header = { alg: 'RS256', kid, x5t: kid, typ: 'JWT' };
  if (forge.alg === 'none') return `${b64url({ ...header, alg: 'none' })}.${b64url(claims)}.`;
  if (forge.alg === 'HS256') {
    // The classic confusion: a verifier that lets the header pick the algorithm checks an HMAC keyed with the
    // public key it already trusts.
    const input = `${b64url({ ...header, alg: 'HS256' })}.${b64url(claims)}`;
    const pem = current.publicKey.export({ type: 'spki', format: 'pem' });
    return `${input}.${createHmac('sha256', pem).update(input).digest('base64url')}`;
  }
  return signJwt(header, claims, signer.privateKey);
}
