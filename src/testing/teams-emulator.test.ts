import { createPublicKey, verify } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTeamsEmulator, type TeamsEmulator } from './teams-emulator.js';

// These tests talk to the emulator with plain fetch, so they check it against Microsoft's documented shapes
// rather than against our own Connector client.

let emu: TeamsEmulator;
let ada: string;
const ADA_AAD = '6b703ce3-6d14-4fe6-b90c-dc5f03657ae4';
const CHANNEL = '19:097e6717fd7245bdbeba6baa13840db8@thread.tacv2';

const form = (fields: Record<string, string>) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});
const tokenRequest = (fields: Partial<Record<string, string>> = {}, tenant = emu.tenantId) =>
  fetch(
    `${emu.loginEndpoint}/${tenant}/oauth2/v2.0/token`,
    form(
      Object.fromEntries(
        Object.entries({
          grant_type: 'client_credentials',
          client_id: emu.appId,
          client_secret: emu.appPassword,
          scope: 'https://api.botframework.com/.default',
          ...fields,
        }).filter((e): e is [string, string] => e[1] !== undefined),
      ),
    ),
  );
async function bearer(): Promise<string> {
  const body = (await (await tokenRequest()).json()) as { access_token: string };
  return body.access_token;
}
/** A Connector call; `path` is appended to the serviceUrl as written (encode ids yourself). */
async function api(method: string, path: string, body?: unknown, token?: string | null) {
  const auth = token === null ? undefined : `Bearer ${token ?? (await bearer())}`;
  const res = await fetch(`${emu.serviceUrl}${path}`, {
    method,
    headers: { ...(auth ? { authorization: auth } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}
const enc = encodeURIComponent;
const message = (text: string) => ({ type: 'message', text });
const card = (contentType: string, type: string) => ({
  type: 'message',
  attachments: [{ contentType, content: { type, version: '1.5', body: [{ type: 'TextBlock', text: 'hi' }] } }],
});
const decode = (segment: string) => JSON.parse(Buffer.from(segment, 'base64url').toString()) as Record<string, unknown>;

beforeEach(async () => {
  emu = await startTeamsEmulator({ tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47' });
  ada = emu.addUser({ aadObjectId: ADA_AAD, name: 'Ada Lovelace', email: 'ada@example.com' });
  emu.addConversation({ id: CHANNEL, type: 'channel', name: 'payments', members: [ADA_AAD] });
});
afterEach(() => emu.close());

describe('Teams emulator: OpenID metadata and keys', () => {
  it('publishes the metadata document with its jwks_uri and RS256', async () => {
    const doc = await (await fetch(emu.openIdMetadataUrl)).json();
    expect(doc).toEqual({
      issuer: 'https://api.botframework.com',
      authorization_endpoint: 'https://invalid.botframework.com',
      jwks_uri: expect.stringMatching(/\/v1\/\.well-known\/keys$/),
      id_token_signing_alg_values_supported: ['RS256'],
      token_endpoint_auth_methods_supported: ['private_key_jwt'],
    });
    expect(emu.metadataRequests).toBe(1);
  });

  it('lists RSA signing keys with endorsements, and keeps the old kid listed after rotation until dropped', async () => {
    const keysUrl = ((await (await fetch(emu.openIdMetadataUrl)).json()) as { jwks_uri: string }).jwks_uri;
    const kids = async () => ((await (await fetch(keysUrl)).json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);
    const [first] = await kids();
    const { keys } = (await (await fetch(keysUrl)).json()) as { keys: Record<string, unknown>[] };
    expect(keys[0]).toMatchObject({ kty: 'RSA', use: 'sig', kid: first, x5t: first, e: 'AQAB', endorsements: ['msteams'] });
    const second = emu.rotateKey();
    expect(await kids()).toEqual([first, second]);
    emu.dropOldKeys();
    expect(await kids()).toEqual([second]);
  });

  it('signs inbound requests RS256 with the current kid and Bot Framework claims, verifiable with the published key', async () => {
    const activity = { type: 'message', serviceUrl: emu.serviceUrl };
    const [scheme, jwt] = emu.authorization(activity).split(' ') as [string, string];
    const [h, p, s] = jwt.split('.') as [string, string, string];
    const { keys } = (await (await fetch(`${emu.openIdMetadataUrl.replace(/openidconfiguration$/, 'keys')}`)).json()) as { keys: { kid: string }[] };
    expect(scheme).toBe('Bearer');
    expect(decode(h)).toEqual({ alg: 'RS256', kid: keys[0]!.kid, x5t: keys[0]!.kid, typ: 'JWT' });
    const claims = decode(p);
    expect(claims).toMatchObject({ serviceurl: emu.serviceUrl, iss: 'https://api.botframework.com', aud: emu.appId });
    expect((claims.exp as number) - (claims.nbf as number)).toBe(3600);
    const key = createPublicKey({ key: keys[0] as never, format: 'jwk' });
    expect(verify('RSA-SHA256', Buffer.from(`${h}.${p}`), key, Buffer.from(s, 'base64url'))).toBe(true);
  });

  it('forges an unsigned token and an HS256 one when asked', () => {
    const none = emu.authorization({ serviceUrl: emu.serviceUrl }, { alg: 'none' }).slice(7);
    const hs = emu.authorization({ serviceUrl: emu.serviceUrl }, { alg: 'HS256' }).slice(7);
    expect(decode(none.split('.')[0]!).alg).toBe('none');
    expect(none.endsWith('.')).toBe(true);
    expect(decode(hs.split('.')[0]!).alg).toBe('HS256');
  });
});

describe('Teams emulator: token endpoint', () => {
  it('issues a Bearer token for the client-credentials grant and counts the requests', async () => {
    const res = await tokenRequest();
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      token_type: 'Bearer',
      expires_in: 3599,
      ext_expires_in: 3599,
      access_token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
    });
    expect(emu.tokenRequests).toBe(1);
  });

  it('answers a wrong secret with 401 invalid_client AADSTS7000215 in Entra’s shape', async () => {
    const res = await tokenRequest({ client_secret: 'wrong' });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({
      error: 'invalid_client',
      error_description: expect.stringMatching(/^AADSTS7000215: Invalid client secret provided\..*\r\nTrace ID: .+\r\nCorrelation ID: .+\r\nTimestamp: /s),
      error_codes: [7000215],
      timestamp: expect.any(String),
      trace_id: expect.any(String),
      correlation_id: expect.any(String),
      error_uri: 'https://login.microsoftonline.com/error?code=7000215',
    });
  });

  it('answers an unknown client id with 400 unauthorized_client AADSTS700016', async () => {
    const res = await tokenRequest({ client_id: 'not-this-app' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'unauthorized_client', error_codes: [700016] });
  });

  it('answers an unknown tenant with 400 invalid_request AADSTS90002', async () => {
    const res = await tokenRequest({}, 'other-tenant');
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      error: 'invalid_request',
      error_codes: [90002],
      error_description: expect.stringContaining("Tenant 'other-tenant' not found"),
    });
  });

  it('answers a scope without /.default with 400 invalid_scope AADSTS1002012', async () => {
    const res = await tokenRequest({ scope: 'https://api.botframework.com' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_scope', error_codes: [1002012] });
  });
});

describe('Teams emulator: Connector auth', () => {
  it('refuses a call without a bearer token with the Connector’s 401', async () => {
    const res = await api('POST', `v3/conversations/${enc(CHANNEL)}/activities`, message('hi'), null);
    expect(res).toMatchObject({ status: 401, body: { message: 'Authorization has been denied for this request.' } });
  });

  it('refuses a token it did not issue', async () => {
    const res = await api('POST', `v3/conversations/${enc(CHANNEL)}/activities`, message('hi'), 'eyJhbGciOi.made.up');
    expect(res.status).toBe(401);
  });

  it('refuses tokens issued before expireTokens()', async () => {
    const token = await bearer();
    emu.expireTokens();
    expect((await api('POST', `v3/conversations/${enc(CHANNEL)}/activities`, message('hi'), token)).status).toBe(401);
  });
});

describe('Teams emulator: conversations and activities', () => {
  it('opens one 1:1 per bot and user, by 29: id or AAD object id', async () => {
    const params = (id: string) => ({ bot: { id: emu.botId }, members: [{ id }], channelData: { tenant: { id: emu.tenantId } }, isGroup: false });
    const first = await api('POST', 'v3/conversations', params(ada));
    const second = await api('POST', 'v3/conversations', params(ADA_AAD));
    expect(first.status).toBe(201);
    expect(first.body.id).toMatch(/^a:1/);
    expect(second.body.id).toBe(first.body.id);
    expect(emu.personalConversationId(ADA_AAD)).toBe(first.body.id);
  });

  it('refuses to open a 1:1 without this tenant', async () => {
    const res = await api('POST', 'v3/conversations', { bot: { id: emu.botId }, members: [{ id: ada }], isGroup: false });
    expect(res).toMatchObject({ status: 400, body: { error: { code: 'BadArgument' } } });
  });

  it('sends an activity, answers its id and records the call with the decoded conversation id', async () => {
    const res = await api('POST', `v3/conversations/${enc(CHANNEL)}/activities`, message('owner: team-payments'));
    expect(res.status).toBe(201);
    expect(res.body.id).toMatch(/^\d+$/);
    const call = await emu.waitFor({ op: 'send' });
    expect(call).toMatchObject({ method: 'POST', conversationId: CHANNEL, status: 201, body: { text: 'owner: team-payments' } });
    expect(emu.activities(CHANNEL).map((m) => m.activity.text)).toEqual(['owner: team-payments']);
  });

  it('routes thread ids with colons and ;messageid= whether the client encodes them or not', async () => {
    const root = await api('POST', `v3/conversations/${enc(CHANNEL)}/activities`, message('root'));
    const thread = `${CHANNEL};messageid=${root.body.id}`;
    const encoded = await api('POST', `v3/conversations/${enc(thread)}/activities`, message('encoded'));
    const raw = await api('POST', `v3/conversations/${thread}/activities`, message('raw'));
    expect([encoded.status, raw.status]).toEqual([201, 201]);
    expect(emu.activities(thread).map((m) => [m.activity.text, m.replyToId])).toEqual([
      ['root', undefined],
      ['encoded', root.body.id],
      ['raw', root.body.id],
    ]);
    expect(emu.calls.filter((c) => c.op === 'send').map((c) => c.conversationId)).toEqual([CHANNEL, thread, thread]);
  });

  it('replies in the thread of the activity named in the path', async () => {
    const root = await api('POST', `v3/conversations/${enc(CHANNEL)}/activities`, message('root'));
    const reply = await api('POST', `v3/conversations/${enc(CHANNEL)}/activities/${root.body.id}`, message('reply'));
    expect(reply.status).toBe(201);
    expect(emu.activities(CHANNEL).find((m) => m.id === reply.body.id)?.replyToId).toBe(root.body.id);
  });

  it('updates a message in place and shows its current state', async () => {
    const sent = await api('POST', `v3/conversations/${enc(CHANNEL)}/activities`, message('Deploying…'));
    const put = await api('PUT', `v3/conversations/${enc(CHANNEL)}/activities/${sent.body.id}`, message('Deployed'));
    expect(put).toMatchObject({ status: 200, body: { id: sent.body.id } });
    expect(emu.activities(CHANNEL)).toEqual([
      expect.objectContaining({ id: sent.body.id, updates: 1, activity: expect.objectContaining({ text: 'Deployed' }) }),
    ]);
  });

  it('answers an update of an unknown activity with 404 ActivityNotFoundInConversation', async () => {
    const res = await api('PUT', `v3/conversations/${enc(CHANNEL)}/activities/123`, message('x'));
    expect(res).toMatchObject({ status: 404, body: { error: { code: 'ActivityNotFoundInConversation' } } });
  });

  it('deletes a message', async () => {
    const sent = await api('POST', `v3/conversations/${enc(CHANNEL)}/activities`, message('oops'));
    expect((await api('DELETE', `v3/conversations/${enc(CHANNEL)}/activities/${sent.body.id}`)).status).toBe(200);
    expect(emu.activities(CHANNEL)).toEqual([]);
  });

  it('answers an unknown conversation with 404 ConversationNotFound', async () => {
    const res = await api('POST', `v3/conversations/${enc('19:nope@thread.tacv2')}/activities`, message('x'));
    expect(res).toMatchObject({ status: 404, body: { error: { code: 'ConversationNotFound', message: 'Conversation not found.' } } });
  });
});

describe('Teams emulator: validation and limits', () => {
  it('refuses an activity over the size limit, measured as UTF-16, with 413 MessageSizeTooBig', async () => {
    await emu.close();
    emu = await startTeamsEmulator({ maxMessageBytes: 1000 });
    emu.addConversation({ id: CHANNEL, type: 'channel', members: [] });
    // The bigger body is about 506 bytes as UTF-8 but 1012 as UTF-16: only the UTF-16 measure refuses it.
    const small = await api('POST', `v3/conversations/${enc(CHANNEL)}/activities`, message('x'.repeat(400)));
    const big = await api('POST', `v3/conversations/${enc(CHANNEL)}/activities`, message('x'.repeat(480)));
    expect(small.status).toBe(201);
    expect(big).toMatchObject({ status: 413, body: { error: { code: 'MessageSizeTooBig' } } });
  });

  it('refuses an activity without a type with 400 BadArgument', async () => {
    const res = await api('POST', `v3/conversations/${enc(CHANNEL)}/activities`, { text: 'no type' });
    expect(res).toMatchObject({ status: 400, body: { error: { code: 'BadArgument' } } });
  });

  it('accepts an adaptive card with its content type and AdaptiveCard content', async () => {
    const res = await api('POST', `v3/conversations/${enc(CHANNEL)}/activities`, card('application/vnd.microsoft.card.adaptive', 'AdaptiveCard'));
    expect(res.status).toBe(201);
  });

  it('refuses an AdaptiveCard under another content type, and the adaptive content type over other content', async () => {
    const wrongType = await api('POST', `v3/conversations/${enc(CHANNEL)}/activities`, card('application/json', 'AdaptiveCard'));
    const wrongContent = await api('POST', `v3/conversations/${enc(CHANNEL)}/activities`, card('application/vnd.microsoft.card.adaptive', 'Card'));
    expect([wrongType.status, wrongContent.status]).toEqual([400, 400]);
    expect(wrongContent.body.error.code).toBe('BadArgument');
  });

  it('throttles the eighth send to one conversation within a second with 429 Throttled and Retry-After', async () => {
    const token = await bearer();
    const statuses: number[] = [];
    let last: Awaited<ReturnType<typeof api>> | undefined;
    for (let i = 0; i < 8; i++) {
      last = await api('POST', `v3/conversations/${enc(CHANNEL)}/activities`, message(`n${i}`), token);
      statuses.push(last.status);
    }
    expect(statuses).toEqual([201, 201, 201, 201, 201, 201, 201, 429]);
    expect(last!.body).toEqual({ error: { code: 'Throttled', message: 'Too many requests.' } });
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });

  it('counts the rate per conversation', async () => {
    await emu.close();
    emu = await startTeamsEmulator({ rate: { send: [{ seconds: 60, max: 1 }] } });
    emu.addConversation({ id: '19:a@thread.tacv2', type: 'channel', members: [] });
    emu.addConversation({ id: '19:b@thread.tacv2', type: 'channel', members: [] });
    const token = await bearer();
    const a = await api('POST', `v3/conversations/${enc('19:a@thread.tacv2')}/activities`, message('1'), token);
    const b = await api('POST', `v3/conversations/${enc('19:b@thread.tacv2')}/activities`, message('1'), token);
    const a2 = await api('POST', `v3/conversations/${enc('19:a@thread.tacv2')}/activities`, message('2'), token);
    expect([a.status, b.status, a2.status]).toEqual([201, 201, 429]);
  });

  it('fails the next matching call once as failNext says, then serves again', async () => {
    emu.failNext('/activities', 502, { code: 'ServiceError', retryAfter: 3 });
    const failed = await api('POST', `v3/conversations/${enc(CHANNEL)}/activities`, message('a'));
    const served = await api('POST', `v3/conversations/${enc(CHANNEL)}/activities`, message('b'));
    expect(failed).toMatchObject({ status: 502, body: { error: { code: 'ServiceError' } } });
    expect(failed.headers.get('retry-after')).toBe('3');
    expect(served.status).toBe(201);
  });

  it('answers sends to a user who blocked the bot with the documented 403 MessageWritesBlocked', async () => {
    const open = await api('POST', 'v3/conversations', { bot: { id: emu.botId }, members: [{ id: ada }], channelData: { tenant: { id: emu.tenantId } } });
    emu.blockUser(ADA_AAD);
    const res = await api('POST', `v3/conversations/${enc(open.body.id)}/activities`, message('approve?'));
    expect(res.status).toBe(403);
    expect(res.body.errorCode).toBe(209);
    expect(JSON.parse(res.body.message)).toEqual({
      subCode: 'MessageWritesBlocked',
      details: 'Thread is blocked from message writes.',
      errorCode: null,
      errorSubCode: null,
    });
  });
});

describe('Teams emulator: roster', () => {
  it('answers one member by 29: id or AAD object id with the Teams roster fields', async () => {
    const by29 = await api('GET', `v3/conversations/${enc(CHANNEL)}/members/${enc(ada)}`);
    const byAad = await api('GET', `v3/conversations/${enc(CHANNEL)}/members/${ADA_AAD}`);
    expect(by29.body).toEqual({
      id: ada,
      name: 'Ada Lovelace',
      aadObjectId: ADA_AAD,
      email: 'ada@example.com',
      userPrincipalName: 'ada@example.com',
      givenName: 'Ada',
      surname: 'Lovelace',
      tenantId: emu.tenantId,
      userRole: 'user',
    });
    expect(byAad.body).toEqual(by29.body);
  });

  it('answers a member not in the conversation with 404 MemberNotFoundInConversation', async () => {
    emu.addUser({ aadObjectId: 'b0b', name: 'Bob', email: 'bob@example.com' });
    const res = await api('GET', `v3/conversations/${enc(CHANNEL)}/members/b0b`);
    expect(res).toMatchObject({ status: 404, body: { error: { code: 'MemberNotFoundInConversation' } } });
  });

  it('lists members with objectId, as the non-paged roster does', async () => {
    const res = await api('GET', `v3/conversations/${enc(CHANNEL)}/members`);
    expect(res.body).toEqual([expect.objectContaining({ id: ada, objectId: ADA_AAD })]);
    expect(res.body[0].aadObjectId).toBeUndefined();
  });

  it('pages the roster with a continuation token', async () => {
    const ids = Array.from({ length: 60 }, (_, i) => emu.addUser({ aadObjectId: `aad-${i}`, name: `User ${i}`, email: `u${i}@example.com` }));
    emu.addConversation({ id: '19:big@thread.tacv2', type: 'channel', members: ids });
    const first = await api('GET', `v3/conversations/${enc('19:big@thread.tacv2')}/pagedmembers?pageSize=50`);
    const second = await api(
      'GET',
      `v3/conversations/${enc('19:big@thread.tacv2')}/pagedMembers?pageSize=50&continuationToken=${first.body.continuationToken}`,
    );
    expect(first.body.members).toHaveLength(50);
    expect(second.body.members).toHaveLength(10);
    expect(second.body.continuationToken).toBeUndefined();
    expect([...first.body.members, ...second.body.members].map((m: { id: string }) => m.id)).toEqual(ids);
  });
});

describe('Teams emulator: recording and the bot side', () => {
  it('waitFor resolves with a call that arrives later', async () => {
    const waiting = emu.waitFor((c) => c.op === 'send' && c.body?.text === 'later');
    await api('POST', `v3/conversations/${enc(CHANNEL)}/activities`, message('later'));
    expect((await waiting).status).toBe(201);
  });

  it('waitFor rejects with a clear error when nothing matches in time', async () => {
    await expect(emu.waitFor({ op: 'delete' }, 50)).rejects.toThrow(/no matching Connector call within 50 ms/);
  });

  it('posts a signed activity to the bot and lets the bot reply to it but not edit it', async () => {
    const seen: { authorization?: string; body?: string } = {};
    const bot = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        Object.assign(seen, { authorization: req.headers.authorization, body });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      });
    });
    await new Promise<void>((r) => bot.listen(0, '127.0.0.1', r));
    try {
      const activity = {
        type: 'message',
        id: '1571540169848',
        serviceUrl: emu.serviceUrl,
        channelId: 'msteams',
        conversation: { id: `${CHANNEL};messageid=1571540169848` },
      };
      const answer = await emu.post(`http://127.0.0.1:${(bot.address() as AddressInfo).port}/api/messages`, activity);
      expect(answer).toEqual({ status: 200, body: { ok: true } });
      expect(seen.authorization).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
      expect(JSON.parse(seen.body!)).toEqual(activity);
      const reply = await api('POST', `v3/conversations/${enc(activity.conversation.id)}/activities/${activity.id}`, message('on it'));
      const edit = await api('PUT', `v3/conversations/${enc(CHANNEL)}/activities/${activity.id}`, message('hijacked'));
      expect(reply.status).toBe(201);
      expect(edit).toMatchObject({ status: 403, body: { error: { code: 'NotEnoughPermissions' } } });
    } finally {
      await new Promise<void>((r) => bot.close(() => r()));
    }
  });
});
