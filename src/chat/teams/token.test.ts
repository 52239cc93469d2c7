import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTeamsEmulator, type TeamsEmulator } from '../../testing/teams-emulator.js';
import { BotTokenError, createBotTokenSource, type BotTokenSourceOptions } from './token.js';

let emu: TeamsEmulator;
let clock: number;

const source = (overrides: Partial<BotTokenSourceOptions> = {}) =>
  createBotTokenSource({
    loginEndpoint: emu.loginEndpoint,
    tenantId: emu.tenantId,
    appId: emu.appId,
    appPassword: emu.appPassword,
    now: () => clock,
    ...overrides,
  });
const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e as BotTokenError,
  );

beforeEach(async () => {
  emu = await startTeamsEmulator();
  clock = Date.now();
});
afterEach(() => emu.close());

describe('bot token source', () => {
  it('gets a token the Connector accepts', async () => {
    const token = await source().token();
    emu.addConversation({ id: '19:c@thread.tacv2', type: 'channel', members: [] });
    const res = await fetch(`${emu.serviceUrl}v3/conversations/${encodeURIComponent('19:c@thread.tacv2')}/activities`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'message', text: 'hi' }),
    });
    expect(res.status).toBe(201);
  });

  it('reuses the token until five minutes before it expires', async () => {
    const tokens = source();
    const first = await tokens.token();
    clock += (3599 - 300) * 1000 - 1;
    expect(await tokens.token()).toBe(first);
    expect(emu.tokenRequests).toBe(1);
    clock += 1;
    expect(await tokens.token()).not.toBe(first);
    expect(emu.tokenRequests).toBe(2);
  });

  it('uses a token shorter-lived than ten minutes for half its life', async () => {
    await emu.close();
    emu = await startTeamsEmulator({ tokenLifetimeSeconds: 120 });
    const tokens = source();
    await tokens.token();
    clock += 59_000;
    await tokens.token();
    expect(emu.tokenRequests).toBe(1);
    clock += 1_000;
    await tokens.token();
    expect(emu.tokenRequests).toBe(2);
  });

  it('shares one request among concurrent callers', async () => {
    const tokens = source();
    const all = await Promise.all(Array.from({ length: 5 }, () => tokens.token()));
    expect(new Set(all).size).toBe(1);
    expect(emu.tokenRequests).toBe(1);
  });

  it('fetches a new token after invalidate()', async () => {
    const tokens = source();
    await tokens.token();
    tokens.invalidate();
    await tokens.token();
    expect(emu.tokenRequests).toBe(2);
  });

  it('names the endpoint and the AADSTS error of a wrong secret, and never the secret', async () => {
    const secret = 'this-is-the-wrong-secret';
    const err = await failure(source({ appPassword: secret }).token());
    expect(err).toBeInstanceOf(BotTokenError);
    expect(err).toMatchObject({
      status: 401,
      error: 'invalid_client',
      aadsts: 'AADSTS7000215',
      endpoint: `${emu.loginEndpoint}/${emu.tenantId}/oauth2/v2.0/token`,
    });
    expect(err!.message).toContain(`${emu.loginEndpoint}/${emu.tenantId}/oauth2/v2.0/token`);
    expect(err!.message).toContain('AADSTS7000215: Invalid client secret provided.');
    expect(err!.message).not.toContain(secret);
    expect(err!.message).not.toMatch(/Trace ID/);
  });

  it('redacts the secret when an endpoint echoes it back', async () => {
    const secret = 'a-long-client-secret-value';
    const echo = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const sent = new URLSearchParams(body).get('client_secret');
        res
          .writeHead(401, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: 'invalid_client', error_description: `AADSTS7000215: bad secret ${sent}` }));
      });
    });
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
    try {
      const loginEndpoint = `http://127.0.0.1:${(echo.address() as AddressInfo).port}`;
      const err = await failure(createBotTokenSource({ loginEndpoint, tenantId: 't', appId: 'a', appPassword: secret }).token());
      expect(err!.message).toContain('AADSTS7000215: bad secret [redacted]');
      expect(err!.message).not.toContain(secret);
    } finally {
      await new Promise<void>((r) => echo.close(() => r()));
    }
  });

  it('names AADSTS90002 for an unknown tenant', async () => {
    const err = await failure(source({ tenantId: 'not-a-tenant' }).token());
    expect(err).toMatchObject({ status: 400, aadsts: 'AADSTS90002' });
    expect(err!.message).toContain('/not-a-tenant/oauth2/v2.0/token');
  });

  it('asks again after a failure instead of caching it', async () => {
    const tokens = source({ appPassword: 'wrong' });
    await failure(tokens.token());
    await failure(tokens.token());
    expect(emu.tokenRequests).toBe(2);
  });

  it('names the endpoint when it cannot be reached', async () => {
    const login = emu.loginEndpoint;
    await emu.close();
    const err = await failure(createBotTokenSource({ loginEndpoint: login, tenantId: 't', appId: 'a', appPassword: 'p' }).token());
    expect(err).toBeInstanceOf(BotTokenError);
    expect(err!.message).toContain(`Token request to ${login}/t/oauth2/v2.0/token failed`);
    emu = await startTeamsEmulator(); // for afterEach
  });
});
