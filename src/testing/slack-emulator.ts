/**
 * Test support: a loopback stand-in for Slack's Web API and response_url endpoints.
 *
 * Slack cannot be reached from CI, so the bot's real clients (Bolt, WebClient, respond()) talk to
 * this server over real HTTP. It records every call and enforces Slack's documented message and
 * modal limits, trigger_id lifetimes, channel rules and rate-limit answers, so a test fails here the
 * way production would fail at Slack.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isObj, parseArgs, readBody, str, USER_ID, type Handler, type Obj } from './slack-emulator-args.js';
import type { EmulatorCall, EmulatorResponse, SlackEmulator, SlackEmulatorOptions } from './slack-emulator-contract.js';
import { createConversations } from './slack-emulator-conversations.js';
import { createModals } from './slack-emulator-modals.js';
import { createUsergroups } from './slack-emulator-usergroups.js';
import { checkMessage } from './slack-emulator-validation.js';
import { notify, waitIn, type Waiter } from './emulator-support.js';

export type { EmulatorCall, EmulatorChannel, EmulatorResponse, EmulatorView, SlackEmulator, SlackEmulatorOptions } from './slack-emulator-contract.js';
export { checkMessage, checkView } from './slack-emulator-validation.js';

export async function startSlackEmulator(opts: SlackEmulatorOptions = {}): Promise<SlackEmulator> {
  const botUserId = opts.botUserId ?? 'UBOT0001';
  const botId = 'B0001';
  const teamId = opts.teamId ?? 'T0001';
  const now = opts.now ?? Date.now;
  const conversations = createConversations(opts, { botUserId, teamId }, now);
  const { isUser, dmChannel } = conversations;
  const modals = createModals({ teamId, botId, appId: 'A0001' }, now);
  const usergroups = createUsergroups({ teamId, botUserId }, isUser, opts.scopes, now);
  const messages = new Map<string, Obj>(); // key: `${channel}/${ts}`
  const rateLimits = new Map<string, { remaining: number; retryAfter: number }>();
  const calls: EmulatorCall[] = [];
  const responses: EmulatorResponse[] = [];
  const callWaiters = new Set<Waiter<EmulatorCall>>();
  const responseWaiters = new Set<Waiter<EmulatorResponse>>();
  let socketUrl: string | undefined;

  // Message timestamps look like Slack's ("<seconds>.<6 digits>") and strictly increase.
  const tsBase = Math.floor(Date.now() / 1000);
  let tsCounter = 0;
  const nextTs = () => {
    tsCounter += 100;
    return `${tsBase + Math.floor(tsCounter / 1e6)}.${String(tsCounter % 1e6).padStart(6, '0')}`;
  };

  const messageFields = (args: Obj) =>
    Object.fromEntries(['text', 'blocks', 'attachments', 'thread_ts', 'metadata'].filter((k) => args[k] !== undefined).map((k) => [k, args[k]]));

  const methods: Record<string, Handler> = {
    ...modals.methods,
    ...conversations.methods,
    ...usergroups.methods,
    'auth.test': () => ({
      ok: true,
      url: 'https://example.slack.com/',
      team: 'Example',
      user: 'switchboard',
      team_id: teamId,
      user_id: botUserId,
      bot_id: botId,
      is_enterprise_install: false,
    }),
    'chat.postMessage': (args) => {
      let channel = str(args.channel);
      if (!channel) return { ok: false, error: 'channel_not_found' };
      // A user id posts to the app's DM with that user; Slack answers with the DM's id.
      if (USER_ID.test(channel)) {
        if (!isUser(channel)) return { ok: false, error: 'channel_not_found' };
        channel = dmChannel(channel);
      }
      if (conversations.isPrivate(channel)) return { ok: false, error: 'not_in_channel' };
      const bad = checkMessage(args);
      if (bad) return bad;
      const ts = nextTs();
      const message = { type: 'message', user: botUserId, bot_id: botId, team: teamId, ts, ...messageFields(args) };
      messages.set(`${channel}/${ts}`, message);
      return { ok: true, channel, ts, message };
    },
    'chat.postEphemeral': (args) => {
      if (!str(args.channel)) return { ok: false, error: 'channel_not_found' };
      if (!str(args.user)) return { ok: false, error: 'user_not_found' };
      return checkMessage(args) ?? { ok: true, message_ts: nextTs() };
    },
    'chat.update': (args) => {
      const channel = str(args.channel) ?? '';
      const ts = str(args.ts) ?? '';
      const existing = messages.get(`${channel}/${ts}`);
      if (!existing) return { ok: false, error: 'message_not_found' };
      const bad = checkMessage(args);
      if (bad) return bad;
      const message: Obj = { ...existing, ...messageFields(args), edited: { user: botUserId, ts: nextTs() } };
      messages.set(`${channel}/${ts}`, message);
      return { ok: true, channel, ts, text: message.text ?? '', message };
    },
    'apps.connections.open': (_args, token) => {
      if (!token.startsWith('xapp-')) return { ok: false, error: 'not_allowed_token_type' };
      // Not a Slack error: the test forgot setSocketUrl().
      return socketUrl ? { ok: true, url: socketUrl } : { ok: false, error: 'emulator_socket_url_not_set' };
    },
  };

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    const type = typeof body === 'string' ? 'text/html' : 'application/json; charset=utf-8';
    res.writeHead(status, { 'content-type': type, ...headers }).end(text);
  };

  const webApi = (method: string, req: IncomingMessage, raw: string, res: ServerResponse) => {
    const args = parseArgs(req.headers['content-type'] ?? '', raw);
    const call: EmulatorCall = { method, args: args ?? {}, at: Date.now(), ratelimited: false };
    calls.push(call);
    const limit = rateLimits.get(method);
    if (limit && limit.remaining > 0) {
      limit.remaining -= 1;
      call.ratelimited = true;
      notify(callWaiters, call);
      return send(res, 429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(limit.retryAfter) });
    }
    notify(callWaiters, call);
    if (!args) return send(res, 200, { ok: false, error: 'invalid_json' });
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? str(args.token);
    if (!token) return send(res, 200, { ok: false, error: 'not_authed' });
    if (!/^(xox[bpa]|xapp)-/.test(token)) return send(res, 200, { ok: false, error: 'invalid_auth' });
    const handler = methods[method];
    if (!handler) return send(res, 200, { ok: false, error: 'unknown_method' });
    if (token.startsWith('xapp-') && method !== 'apps.connections.open') return send(res, 200, { ok: false, error: 'not_allowed_token_type' });
    send(res, 200, handler(args, token));
  };

  /** response_url answers in plain text: `ok`, or the error code with HTTP 400. */
  const responseUrlPost = (id: string, raw: string, res: ServerResponse) => {
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      body = raw;
    }
    const response: EmulatorResponse = { id, body, at: Date.now() };
    responses.push(response);
    notify(responseWaiters, response);
    if (!isObj(body)) return send(res, 400, 'invalid_payload');
    const bad = checkMessage(body, body.delete_original !== true);
    send(res, bad ? 400 : 200, bad ? String(bad.error) : 'ok');
  };

  const server = createServer((req, res) => {
    readBody(req).then(
      (raw) => {
        const path = new URL(req.url ?? '/', 'http://localhost').pathname;
        const api = /^\/api\/([\w.]+)$/.exec(path);
        const response = /^\/response\/([^/]+)$/.exec(path);
        if (req.method === 'POST' && api) return webApi(api[1]!, req, raw, res);
        if (req.method === 'POST' && response) return responseUrlPost(decodeURIComponent(response[1]!), raw, res);
        send(res, 404, 'not_found');
      },
      () => send(res, 400, 'bad_request'),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: `${base}/api/`,
    responseUrl: (id = randomUUID()) => `${base}/response/${encodeURIComponent(id)}`,
    calls,
    responses,
    callsTo: (method) => calls.filter((c) => c.method === method),
    waitFor: (method, predicate = () => true, timeoutMs = 5000) =>
      waitIn(calls, callWaiters, (c) => c.method === method && predicate(c), timeoutMs, `Slack emulator: no matching ${method} call within ${timeoutMs} ms`),
    waitForResponse: (predicate = () => true, timeoutMs = 5000) =>
      waitIn(responses, responseWaiters, predicate, timeoutMs, `Slack emulator: no matching response_url post within ${timeoutMs} ms`),
    rateLimitNext: (method, count = 1, retryAfterSeconds = 1) => {
      rateLimits.set(method, { remaining: count, retryAfter: retryAfterSeconds });
    },
    setSocketUrl: (url) => {
      socketUrl = url;
    },
    trigger: modals.trigger,
    views: modals.views,
    usergroups: usergroups.groups,
    channelByName: conversations.channelByName,
    dmChannel,
    reset: () => {
      // In place, so arrays a test already holds stay live.
      calls.length = 0;
      responses.length = 0;
    },
    close: async () => {
      for (const w of [...callWaiters, ...responseWaiters]) w.reject(new Error('Slack emulator closed'));
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections(); // keep-alive sockets from fetch would otherwise hold close() open
      });
    },
  };
}
