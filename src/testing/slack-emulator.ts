/**
 * Test support: a loopback stand-in for Slack's Web API and response_url endpoints.
 *
 * Slack cannot be reached from CI, so the bot's real clients (Bolt, WebClient, respond()) talk to
 * this server over real HTTP. It records every call and enforces Slack's documented message
 * limits and rate-limit answers, so a test fails here the way production would fail at Slack.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface EmulatorCall {
  method: string;
  /** Arguments as sent; `blocks`, `attachments` and `metadata` are parsed when they arrive as form-field JSON. */
  args: Record<string, unknown>;
  at: number;
  /** True when the emulator answered this call with HTTP 429. */
  ratelimited: boolean;
}

export interface EmulatorResponse {
  id: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- whatever the app sent; tests read fields freely
  body: any;
  at: number;
}

export interface SlackEmulatorOptions {
  botUserId?: string;
  teamId?: string;
  users?: { id: string; email: string; name?: string }[];
  channels?: { id: string; name: string; topic?: string; purpose?: string }[];
}

export interface SlackEmulator {
  /** Web API base, for `slackApiUrl` (ends with `/api/`). */
  url: string;
  responseUrl(id?: string): string;
  calls: EmulatorCall[];
  responses: EmulatorResponse[];
  callsTo(method: string): EmulatorCall[];
  waitFor(method: string, predicate?: (call: EmulatorCall) => boolean, timeoutMs?: number): Promise<EmulatorCall>;
  waitForResponse(predicate?: (r: EmulatorResponse) => boolean, timeoutMs?: number): Promise<EmulatorResponse>;
  rateLimitNext(method: string, count?: number, retryAfterSeconds?: number): void;
  /** The WebSocket URL `apps.connections.open` hands out (see slack-socket.ts). */
  setSocketUrl(url: string): void;
  reset(): void;
  close(): Promise<void>;
}

type Obj = Record<string, unknown>;
type Answer = Obj & { ok: boolean };

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Form-encoded calls carry structured arguments as JSON strings (WebClient's serialisation). */
const JSON_FIELDS = ['blocks', 'attachments', 'metadata'];

// ---------------------------------------------------------------------------------------------
// Message validation. Wording follows the errors Slack returns ("no more than 50 items allowed
// [json-pointer:/blocks]", "must be less than 3001 characters [json-pointer:/blocks/0/text/text]");
// the wording for missing fields, wrong text types and duplicate action_ids is our approximation.
// ---------------------------------------------------------------------------------------------

const LIMITS = {
  blocks: 50, blockId: 255, sectionText: 3000, fields: 10, fieldText: 2000, headerText: 150,
  contextElements: 10, actionsElements: 25, buttonText: 75, buttonValue: 2000, actionId: 255, messageText: 40000,
};

function blockErrors(blocks: unknown[]): string[] {
  const errors: string[] = [];
  const fail = (path: string, message: string) => errors.push(`${message} [json-pointer:${path}]`);
  const maxLen = (value: unknown, max: number, path: string) => {
    if (typeof value === 'string' && value.length > max) fail(path, `must be less than ${max + 1} characters`);
  };
  const maxItems = (value: unknown, max: number, path: string) => {
    if (Array.isArray(value) && value.length > max) fail(path, `no more than ${max} items allowed`);
  };
  /** A composition object: `{ type: 'plain_text' | 'mrkdwn', text }`. */
  const textObject = (value: unknown, path: string, max: number, types = ['plain_text', 'mrkdwn']) => {
    const before = errors.length;
    if (!isObj(value)) fail(path, 'must be an object');
    else {
      if (typeof value.type !== 'string') fail(path, 'missing required field: type');
      else if (!types.includes(value.type)) fail(`${path}/type`, `must be one of [${types.join(', ')}]`);
      if (typeof value.text !== 'string') fail(path, 'missing required field: text');
      else maxLen(value.text, max, `${path}/text`);
    }
    // Slack prefixes problems in a plain_text-or-mrkdwn slot with this schema-level line.
    if (errors.length > before && types.length > 1) errors.splice(before, 0, `failed to match all allowed schemas [json-pointer:${path}]`);
  };
  const actionIds = new Set<string>();
  const element = (el: unknown, path: string) => {
    if (!isObj(el)) return;
    if (typeof el.action_id === 'string') {
      maxLen(el.action_id, LIMITS.actionId, `${path}/action_id`);
      if (actionIds.has(el.action_id)) fail(`${path}/action_id`, `duplicate action_id "${el.action_id}" in message`);
      actionIds.add(el.action_id);
    }
    if (el.type === 'button') {
      textObject(el.text, `${path}/text`, LIMITS.buttonText, ['plain_text']);
      maxLen(el.value, LIMITS.buttonValue, `${path}/value`);
    }
  };

  maxItems(blocks, LIMITS.blocks, '/blocks');
  blocks.forEach((block, i) => {
    const p = `/blocks/${i}`;
    if (!isObj(block)) return fail(p, 'must be an object');
    maxLen(block.block_id, LIMITS.blockId, `${p}/block_id`);
    switch (block.type) {
      case 'section':
        if (block.text !== undefined) textObject(block.text, `${p}/text`, LIMITS.sectionText);
        maxItems(block.fields, LIMITS.fields, `${p}/fields`);
        if (Array.isArray(block.fields)) block.fields.forEach((f, j) => textObject(f, `${p}/fields/${j}`, LIMITS.fieldText));
        if (block.accessory !== undefined) element(block.accessory, `${p}/accessory`);
        break;
      case 'header':
        textObject(block.text, `${p}/text`, LIMITS.headerText, ['plain_text']);
        break;
      case 'context':
        maxItems(block.elements, LIMITS.contextElements, `${p}/elements`);
        break;
      case 'actions':
        maxItems(block.elements, LIMITS.actionsElements, `${p}/elements`);
        if (Array.isArray(block.elements)) block.elements.forEach((el, j) => element(el, `${p}/elements/${j}`));
        break;
      case 'input':
        element(block.element, `${p}/element`);
        break;
    }
  });
  return errors;
}

/** Slack's answer for a message it refuses, or undefined when it is acceptable. */
export function checkMessage(msg: Record<string, unknown>, requireContent = true): (Record<string, unknown> & { ok: boolean }) | undefined {
  const text = str(msg.text);
  if (text !== undefined && text.length > LIMITS.messageText) return { ok: false, error: 'msg_too_long' };
  const { blocks, attachments } = msg;
  const hasContent = !!text || (Array.isArray(blocks) && blocks.length > 0) || (Array.isArray(attachments) && attachments.length > 0);
  if (requireContent && !hasContent) return { ok: false, error: 'no_text' };
  if (blocks === undefined) return undefined;
  if (!Array.isArray(blocks)) return { ok: false, error: 'invalid_blocks_format' };
  const errors = blockErrors(blocks);
  if (errors.length === 0) return undefined;
  return { ok: false, error: 'invalid_blocks', errors, response_metadata: { messages: errors.map((e) => `[ERROR] ${e}`) } };
}

// ---------------------------------------------------------------------------------------------

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseArgs(contentType: string, raw: string): Obj | undefined {
  if (contentType.startsWith('application/json')) {
    try {
      const parsed: unknown = raw ? JSON.parse(raw) : {};
      return isObj(parsed) ? parsed : undefined;
    } catch {
      return undefined;
    }
  }
  const args: Obj = Object.fromEntries(new URLSearchParams(raw));
  for (const field of JSON_FIELDS) {
    const value = args[field];
    if (typeof value !== 'string') continue;
    try {
      args[field] = JSON.parse(value);
    } catch {
      // Left as the string: validation then answers invalid_blocks_format like Slack.
    }
  }
  return args;
}

interface Waiter<T> { match(item: T): boolean; resolve(item: T): void; reject(err: Error): void }

/** Resolves with the first recorded item (already present or arriving later) that matches. */
function waitIn<T>(items: T[], waiters: Set<Waiter<T>>, match: (item: T) => boolean, timeoutMs: number, what: string): Promise<T> {
  const found = items.find(match);
  if (found) return Promise.resolve(found);
  return new Promise((resolve, reject) => {
    const settle = () => { clearTimeout(timer); waiters.delete(waiter); };
    const waiter: Waiter<T> = {
      match,
      resolve: (item) => { settle(); resolve(item); },
      reject: (err) => { settle(); reject(err); },
    };
    const timer = setTimeout(() => waiter.reject(new Error(`Slack emulator: no ${what} within ${timeoutMs} ms`)), timeoutMs);
    waiters.add(waiter);
  });
}

function notify<T>(waiters: Set<Waiter<T>>, item: T): void {
  for (const w of [...waiters]) if (w.match(item)) w.resolve(item);
}

export async function startSlackEmulator(opts: SlackEmulatorOptions = {}): Promise<SlackEmulator> {
  const botUserId = opts.botUserId ?? 'UBOT0001';
  const botId = 'B0001';
  const teamId = opts.teamId ?? 'T0001';
  const users = new Map((opts.users ?? []).map((u) => [u.id, u]));
  const channels = new Map((opts.channels ?? []).map((c) => [c.id, { ...c, members: new Set<string>() }]));
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

  const userObject = (u: { id: string; email: string; name?: string }) => ({
    id: u.id, team_id: teamId, name: u.name ?? u.email.split('@')[0], deleted: false, is_bot: false,
    profile: { email: u.email, real_name: u.name ?? '', display_name: u.name ?? '' },
  });
  const channelObject = (c: NonNullable<ReturnType<typeof channels.get>>) => ({
    id: c.id, name: c.name, is_channel: true, is_private: false, is_archived: false, is_member: c.members.has(botUserId),
    topic: { value: c.topic ?? '', creator: '', last_set: 0 },
    purpose: { value: c.purpose ?? '', creator: '', last_set: 0 },
  });
  const messageFields = (args: Obj) =>
    Object.fromEntries(['text', 'blocks', 'attachments', 'thread_ts', 'metadata'].filter((k) => args[k] !== undefined).map((k) => [k, args[k]]));

  const methods: Record<string, (args: Obj, token: string) => Answer> = {
    'auth.test': () => ({
      ok: true, url: 'https://example.slack.com/', team: 'Example', user: 'switchboard',
      team_id: teamId, user_id: botUserId, bot_id: botId, is_enterprise_install: false,
    }),
    'chat.postMessage': (args) => {
      const channel = str(args.channel);
      if (!channel) return { ok: false, error: 'channel_not_found' };
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
    'users.lookupByEmail': (args) => {
      const user = [...users.values()].find((u) => u.email.toLowerCase() === str(args.email)?.toLowerCase());
      return user ? { ok: true, user: userObject(user) } : { ok: false, error: 'users_not_found' };
    },
    'users.info': (args) => {
      const user = users.get(str(args.user) ?? '');
      return user ? { ok: true, user: userObject(user) } : { ok: false, error: 'user_not_found' };
    },
    'conversations.info': (args) => {
      const channel = channels.get(str(args.channel) ?? '');
      return channel ? { ok: true, channel: channelObject(channel) } : { ok: false, error: 'channel_not_found' };
    },
    'conversations.join': (args) => {
      const channel = channels.get(str(args.channel) ?? '');
      if (!channel) return { ok: false, error: 'channel_not_found' };
      // Slack answers ok with a warning when the bot is already a member.
      const already = channel.members.has(botUserId);
      channel.members.add(botUserId);
      const answer: Answer = { ok: true, channel: channelObject(channel) };
      return already ? { ...answer, warning: 'already_in_channel', response_metadata: { warnings: ['already_in_channel'] } } : answer;
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
      waitIn(calls, callWaiters, (c) => c.method === method && predicate(c), timeoutMs, `matching ${method} call`),
    waitForResponse: (predicate = () => true, timeoutMs = 5000) =>
      waitIn(responses, responseWaiters, predicate, timeoutMs, 'matching response_url post'),
    rateLimitNext: (method, count = 1, retryAfterSeconds = 1) => {
      rateLimits.set(method, { remaining: count, retryAfter: retryAfterSeconds });
    },
    setSocketUrl: (url) => {
      socketUrl = url;
    },
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
