/**
 * Test support: a loopback stand-in for everything a Teams bot talks to at Microsoft.
 *
 * Teams cannot be reached from CI, so one server plays, at once: Bot Framework's OpenID metadata and key
 * set (the bot verifies inbound JWTs against them), Entra ID's token endpoint (the bot's own outbound
 * token), and the Bot Connector at the serviceUrl (send, reply, update, delete, create a 1:1, roster). It
 * signs requests to the bot as the Connector does, records every Connector call, and enforces the
 * documented limits and error shapes, so a test fails here the way production would fail at Teams.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { notify, readBody, waitIn, type Waiter } from './emulator-support.js';
import { createConnector } from './teams-emulator-connector.js';
import type { EmulatorMessage, TeamsCall, TeamsEmulator, TeamsEmulatorOptions } from './teams-emulator-contract.js';
import { connectorToken, newSigningKey, publishedJwk, type SigningKey } from './teams-emulator-jwt.js';
import { DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_RATE_LIMITS } from './teams-emulator-limits.js';
import { createLogin } from './teams-emulator-login.js';
import { createRoster } from './teams-emulator-roster.js';

export type * from './teams-emulator-contract.js';
export { DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_RATE_LIMITS } from './teams-emulator-limits.js';

const BOT_FRAMEWORK_ISSUER = 'https://api.botframework.com';
/** Where the Connector lives under the emulator, like `https://smba.trafficmanager.net/teams/`. */
const CONNECTOR_PREFIX = '/teams';

export async function startTeamsEmulator(options: TeamsEmulatorOptions = {}): Promise<TeamsEmulator> {
  const appId = options.appId ?? randomUUID();
  const appPassword = options.appPassword ?? randomBytes(24).toString('base64url');
  const tenantId = options.tenantId ?? randomUUID();
  const issuer = options.issuer ?? BOT_FRAMEWORK_ISSUER;
  const botId = `28:${appId}`;
  const rate = options.rate === false ? false : { ...DEFAULT_RATE_LIMITS, ...options.rate };

  let keys: SigningKey[] = [newSigningKey()];
  const current = () => keys[keys.length - 1]!;
  let foreign: SigningKey | undefined;
  const login = createLogin({ appId, appPassword, tenantId, lifetimeSeconds: options.tokenLifetimeSeconds ?? 3599 });
  const roster = createRoster(appId, tenantId);
  const connector = createConnector({
    roster,
    validToken: login.valid,
    appId,
    tenantId,
    botId,
    rate,
    maxMessageBytes: options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
  });
  const calls: TeamsCall[] = [];
  const waiters = new Set<Waiter<TeamsCall>>();
  const counts = { token: 0, metadata: 0, keys: 0 };
  let base = '';

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    if (body === undefined) return res.writeHead(status, headers).end();
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers }).end(JSON.stringify(body));
  };

  const connectorCall = (req: IncomingMessage, url: URL, raw: string, at: number, res: ServerResponse) => {
    let segments: string[];
    try {
      // Ids carry ':' and ';messageid=': split the raw path, then decode each segment; never split an id.
      segments = url.pathname
        .slice(CONNECTOR_PREFIX.length + 1)
        .split('/')
        .map(decodeURIComponent);
    } catch {
      return send(res, 400, { error: { code: 'BadArgument', message: 'Malformed percent-encoding in the path.' } });
    }
    const decodedPath = `${CONNECTOR_PREFIX}/${segments.join('/')}`;
    const answer = connector.handle({
      method: req.method ?? 'GET',
      segments,
      decodedPath,
      query: url.searchParams,
      authorization: req.headers.authorization,
      raw,
    });
    const call: TeamsCall = {
      method: req.method ?? 'GET',
      path: url.pathname,
      ...answer.call,
      query: Object.fromEntries(url.searchParams),
      status: answer.status,
      at,
    };
    calls.push(call);
    notify(waiters, call);
    send(res, answer.status, answer.body, answer.headers);
  };

  const server = createServer((req, res) => {
    const at = Date.now();
    readBody(req).then(
      (raw) => {
        const url = new URL(req.url ?? '/', 'http://localhost');
        const path = url.pathname;
        const tokenPath = /^\/login\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(path);
        if (req.method === 'GET' && path === '/v1/.well-known/openidconfiguration') {
          counts.metadata += 1;
          return send(res, 200, {
            issuer,
            authorization_endpoint: 'https://invalid.botframework.com',
            jwks_uri: `${base}/v1/.well-known/keys`,
            id_token_signing_alg_values_supported: ['RS256'],
            token_endpoint_auth_methods_supported: ['private_key_jwt'],
          });
        }
        if (req.method === 'GET' && path === '/v1/.well-known/keys') {
          counts.keys += 1;
          return send(res, 200, { keys: keys.map(publishedJwk) });
        }
        if (req.method === 'POST' && tokenPath) {
          counts.token += 1;
          const answer = login.token(decodeURIComponent(tokenPath[1]!), req.headers['content-type'] ?? '', raw);
          return send(res, answer.status, answer.body, { 'cache-control': 'no-store' });
        }
        if (path === CONNECTOR_PREFIX || path.startsWith(`${CONNECTOR_PREFIX}/`)) return connectorCall(req, url, raw, at, res);
        send(res, 404, { error: { code: 'NotFound', message: `No route ${req.method} ${path}` } });
      },
      () => send(res, 400, { error: { code: 'BadArgument', message: 'Unreadable request body.' } }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const authorization: TeamsEmulator['authorization'] = (activity, forge) =>
    `Bearer ${connectorToken({
      current: current(),
      foreign: () => (foreign ??= newSigningKey()),
      issuer,
      appId,
      serviceUrl: activity.serviceUrl,
      forge,
      nowSeconds: Math.floor(Date.now() / 1000),
    })}`;

  const waitFor: TeamsEmulator['waitFor'] = (match, timeoutMs = 5000) => {
    const test =
      typeof match === 'function' ? match : (call: TeamsCall) => Object.entries(match).every(([k, v]) => v === undefined || call[k as keyof TeamsCall] === v);
    return waitIn(calls, waiters, test, timeoutMs, `Teams emulator: no matching Connector call within ${timeoutMs} ms`);
  };

  const activities = (conversationId: string): EmulatorMessage[] => {
    const target = roster.resolve(conversationId);
    if (!target) return [];
    const all = [...target.conversation.messages.values()];
    const { threadId } = target;
    return threadId === undefined ? all : all.filter((m) => m.id === threadId || m.replyToId === threadId);
  };

  return {
    serviceUrl: `${base}${CONNECTOR_PREFIX}/`,
    openIdMetadataUrl: `${base}/v1/.well-known/openidconfiguration`,
    issuer,
    loginEndpoint: `${base}/login`,
    appId,
    appPassword,
    tenantId,
    botId,
    calls,
    get tokenRequests() {
      return counts.token;
    },
    get metadataRequests() {
      return counts.metadata;
    },
    get keysRequests() {
      return counts.keys;
    },
    waitFor,
    activities,
    addUser: roster.addUser,
    addConversation: roster.addConversation,
    personalConversationId: (userId) => {
      const found = roster.user(userId);
      if (!found) throw new Error(`Teams emulator: no user ${userId}`);
      return roster.personalId(found.aadObjectId);
    },
    blockUser: connector.block,
    failNext: connector.failNext,
    rotateKey: () => {
      keys = [...keys, newSigningKey()];
      return current().kid;
    },
    dropOldKeys: () => {
      keys = [current()];
    },
    expireTokens: login.expireAll,
    authorization,
    post: async (botUrl, activity, forge) => {
      roster.deliver(activity);
      const res = await fetch(botUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8', authorization: authorization(activity, forge) },
        body: JSON.stringify(activity),
      });
      const text = await res.text();
      let body: unknown = text === '' ? undefined : text;
      try {
        body = JSON.parse(text);
      } catch {
        // Not JSON: the text as it came.
      }
      return { status: res.status, body };
    },
    reset: () => {
      calls.length = 0;
    },
    close: async () => {
      for (const w of [...waiters]) w.reject(new Error('Teams emulator closed'));
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections(); // keep-alive sockets from fetch would otherwise hold close() open
      });
    },
  };
}
