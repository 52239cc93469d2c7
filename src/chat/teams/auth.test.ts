import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTeamsEmulator, type JwtForgery, type TeamsEmulator } from '../../testing/teams-emulator.js';
import { createTokenVerifier, type TokenVerifier } from './auth.js';

let emu: TeamsEmulator;
let clock: number;
let verifier: TokenVerifier;

const activity = () => ({ type: 'message', channelId: 'msteams', serviceUrl: emu.serviceUrl });
/** Verifies a token the emulator signs (or forges) for `act` against `act`. */
const check = (forge?: JwtForgery, act: { serviceUrl?: unknown; channelId?: unknown } = activity()) => verifier.verify(emu.authorization(act, forge), act);
const refused = async (result: Promise<unknown>) => {
  const r = (await result) as { ok: boolean; reason?: string };
  expect(r.ok).toBe(false);
  return r.reason;
};

beforeEach(async () => {
  emu = await startTeamsEmulator();
  clock = Date.now();
  verifier = createTokenVerifier({ appId: emu.appId, openIdMetadataUrl: emu.openIdMetadataUrl, issuer: emu.issuer, now: () => clock });
});
afterEach(() => emu.close());

describe('Bot Connector token verification: accepted', () => {
  it('accepts a token the Connector signed, with its claims', async () => {
    const result = await check();
    expect(result).toEqual({ ok: true, claims: expect.objectContaining({ aud: emu.appId, iss: 'https://api.botframework.com', serviceurl: emu.serviceUrl }) });
  });

  it('compares serviceUrl after trimming one trailing slash', async () => {
    const act = { ...activity(), serviceUrl: emu.serviceUrl.replace(/\/$/, '') };
    expect((await verifier.verify(emu.authorization(activity()), act)).ok).toBe(true);
  });

  it('accepts a token that expired within the 5-minute skew', async () => {
    const exp = Math.floor(clock / 1000) - 120;
    expect((await check({ claims: { exp, nbf: exp - 3600 } })).ok).toBe(true);
  });
});

describe('Bot Connector token verification: refused', () => {
  it('refuses a missing header', async () => {
    expect(await refused(verifier.verify(undefined, activity()))).toBe('no Authorization header');
  });

  it('refuses another scheme', async () => {
    expect(await refused(verifier.verify(emu.authorization(activity()).replace('Bearer', 'Basic'), activity()))).toMatch(/not a Bearer token/);
  });

  it('refuses a malformed token', async () => {
    expect(await refused(verifier.verify('Bearer not-a-jwt', activity()))).toBe('malformed JWT');
    expect(await refused(verifier.verify('Bearer e30.bm90IGpzb24.c2ln', activity()))).toBe('malformed JWT');
  });

  it('refuses alg none', async () => {
    expect(await refused(check({ alg: 'none' }))).toMatch(/alg "none" refused/);
  });

  it('refuses HS256 signed with the public key', async () => {
    expect(await refused(check({ alg: 'HS256' }))).toMatch(/alg "HS256" refused/);
  });

  it('refuses a foreign key published under a known kid', async () => {
    expect(await refused(check({ foreignKey: 'sameKid' }))).toBe('bad signature');
  });

  it('refuses a foreign key under an unknown kid', async () => {
    expect(await refused(check({ foreignKey: 'unknownKid' }))).toMatch(/^unknown signing key /);
  });

  it('refuses an expired token', async () => {
    expect(await refused(check({ expired: true }))).toBe('token expired');
  });

  it('refuses a token not yet valid', async () => {
    expect(await refused(check({ notYetValid: true }))).toBe('token not yet valid');
  });

  it('refuses another audience', async () => {
    expect(await refused(check({ aud: 'some-other-bot' }))).toMatch(/audience "some-other-bot" is not this bot/);
  });

  it('refuses another issuer', async () => {
    expect(await refused(check({ iss: 'https://sts.windows.net/evil/' }))).toMatch(/issuer "https:\/\/sts.windows.net\/evil\/" is not/);
  });

  it('refuses a serviceurl claim that differs from the activity', async () => {
    expect(await refused(check({ serviceUrl: 'https://attacker.example/teams/' }))).toMatch(/serviceurl claim .* does not match/);
  });

  it('refuses a token without a serviceurl claim', async () => {
    expect(await refused(check({ serviceUrl: null }))).toBe('token has no serviceurl claim');
  });

  it('refuses an activity without serviceUrl', async () => {
    const token = emu.authorization(activity());
    expect(await refused(verifier.verify(token, { channelId: 'msteams' }))).toBe('activity has no serviceUrl');
  });

  it('refuses a channel the signing key does not endorse', async () => {
    expect(await refused(check(undefined, { ...activity(), channelId: 'slack' }))).toMatch(/channel "slack" is not endorsed/);
  });

  it('never throws for input of the wrong type', async () => {
    const result = await verifier.verify(12 as never, null as never);
    expect(result.ok).toBe(false);
  });
});

describe('Bot Connector token verification: key set', () => {
  it('reads the metadata and the keys once for many verifications', async () => {
    for (let i = 0; i < 20; i++) expect((await check()).ok).toBe(true);
    expect([emu.metadataRequests, emu.keysRequests]).toEqual([1, 1]);
  });

  it('picks up a rotated key once a minute has passed since the last read', async () => {
    expect((await check()).ok).toBe(true);
    emu.rotateKey();
    clock += 61_000;
    expect((await check()).ok).toBe(true);
    expect(emu.keysRequests).toBe(2);
  });

  it('re-reads the keys at most once a minute for unknown kids', async () => {
    await check();
    for (let i = 0; i < 5; i++) await check({ foreignKey: 'unknownKid' });
    expect(emu.keysRequests).toBe(1);
    clock += 61_000;
    for (let i = 0; i < 5; i++) await check({ foreignKey: 'unknownKid' });
    expect(emu.keysRequests).toBe(2);
  });

  it('re-reads the keys after 24 hours even when every kid is known', async () => {
    await check();
    clock += 24 * 60 * 60 * 1000;
    const exp = Math.floor(clock / 1000) + 600;
    expect((await check({ claims: { nbf: exp - 1200, exp } })).ok).toBe(true);
    expect(emu.keysRequests).toBe(2);
  });

  it('refuses tokens signed by a key dropped from the set, once the set is re-read', async () => {
    const farExp = Math.floor(clock / 1000) + 2 * 24 * 3600;
    const old = emu.authorization(activity(), { claims: { exp: farExp } });
    await check();
    emu.rotateKey();
    emu.dropOldKeys();
    clock += 24 * 60 * 60 * 1000 - 1;
    expect((await verifier.verify(old, activity())).ok).toBe(true); // still cached
    clock += 1;
    const exp = Math.floor(clock / 1000) + 600;
    const stale = await refused(verifier.verify(old, activity()));
    expect(stale).toMatch(/unknown signing key/);
    expect((await check({ claims: { nbf: exp - 1200, exp } })).ok).toBe(true);
  });

  it('answers keys unavailable when the metadata cannot be read', async () => {
    const url = emu.openIdMetadataUrl;
    const token = emu.authorization(activity());
    const act = activity();
    await emu.close();
    const offline = createTokenVerifier({ appId: 'x', openIdMetadataUrl: url, issuer: 'https://api.botframework.com' });
    expect(await refused(offline.verify(token, act))).toMatch(/^keys unavailable: /);
    emu = await startTeamsEmulator(); // for afterEach
  });
});
