/**
 * Test support: a loopback stand-in for Slack's Web API and response_url endpoints.
 *
 * Slack cannot be reached from CI, so the bot's real clients (Bolt, WebClient, respond()) talk to
 * this server over real HTTP. It records every call and enforces Slack's documented message and
 * modal limits, trigger_id lifetimes, channel rules and rate-limit answers, so a test fails here the
 * way production would fail at Slack.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface EmulatorCall {
  method: string;
  /** Arguments as sent; `blocks`, `attachments`, `metadata` and `view` are parsed when they arrive as form-field JSON. */
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
  /** When given, user ids outside this list are unknown to Slack (user_not_found and the like). */
  users?: { id: string; email: string; name?: string }[];
  channels?: { id: string; name: string; topic?: string; purpose?: string }[];
  /** Clock for trigger expiry, in ms; defaults to Date.now. */
  now?: () => number;
  /** Private channels the bot is not in: posting answers not_in_channel, joining is refused. */
  privateChannels?: string[];
}

/** A modal as Slack last returned it to the app (views.open / push / update). */
export type EmulatorView = Record<string, unknown> & {
  id: string;
  hash: string;
  external_id: string;
  root_view_id: string;
  previous_view_id: string | null;
};

export interface EmulatorChannel {
  id: string;
  name: string;
  topic?: string;
  purpose?: string;
  isPrivate: boolean;
  /** Unix seconds; 0 for channels given in the options. */
  created: number;
  creator: string;
  /** User ids, the bot's included once it joined, created or was invited. */
  members: Set<string>;
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
  /**
   * Mints a trigger_id (like `12345.98765.abcd2358fdea`) for a signed slash-command or interaction
   * payload. As at Slack, views.open / views.push accept it once, within 3 s of minting.
   */
  trigger(userId?: string): string;
  /** Modals opened, pushed or updated, by view id; live. */
  views: ReadonlyMap<string, EmulatorView>;
  /** A channel given in the options or made by conversations.create; live. */
  channelByName(name: string): Readonly<EmulatorChannel> | undefined;
  /** The app's DM with a user: the id conversations.open answers and chat.postMessage to the user lands in. */
  dmChannel(userId: string): string;
  reset(): void;
  close(): Promise<void>;
}

type Obj = Record<string, unknown>;
type Answer = Obj & { ok: boolean };

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Form-encoded calls carry structured arguments as JSON strings (WebClient's serialisation). */
const JSON_FIELDS = ['blocks', 'attachments', 'metadata', 'view'];

// ---------------------------------------------------------------------------------------------
// Block Kit validation, for messages and modal views. Wording follows the errors Slack returns ("no
// more than 50 items allowed [json-pointer:/blocks]", "must be less than 3001 characters
// [json-pointer:/blocks/0/text/text]"); the wording for missing fields, wrong text types and
// duplicate ids is our approximation.
// ---------------------------------------------------------------------------------------------

const LIMITS = {
  blocks: 50, blockId: 255, sectionText: 3000, fields: 10, fieldText: 2000, headerText: 150,
  contextElements: 10, actionsElements: 25, buttonText: 75, buttonValue: 2000, actionId: 255, messageText: 40000,
  inputLabel: 2000, inputHint: 2000,
  // A modal's title, submit and close labels share the 24-character limit.
  viewBlocks: 100, viewLabel: 24, callbackId: 255, privateMetadata: 3000, externalId: 255, viewBytes: 250 * 1024,
};

/** Collects Slack-style problem lines ("<message> [json-pointer:<path>]"). */
function problems() {
  const errors: string[] = [];
  const fail = (path: string, message: string) => {
    errors.push(`${message} [json-pointer:${path}]`);
  };
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
  return { errors, fail, maxLen, maxItems, textObject };
}

/**
 * Messages and modals differ in the block limit (50 / 100) and in id scope: a view needs unique
 * block_ids and unique action_ids within each block; a message is checked, as before, for action_ids
 * unique across the whole message.
 */
function blockErrors(blocks: unknown[], surface: 'message' | 'view' = 'message'): string[] {
  const { errors, fail, maxLen, maxItems, textObject } = problems();
  const root = surface === 'view' ? '/view' : '';
  const blockIds = new Set<string>();
  let actionIds = new Set<string>();
  const element = (el: unknown, path: string) => {
    if (!isObj(el)) return;
    if (typeof el.action_id === 'string') {
      maxLen(el.action_id, LIMITS.actionId, `${path}/action_id`);
      if (actionIds.has(el.action_id)) fail(`${path}/action_id`, `duplicate action_id "${el.action_id}" in ${surface === 'view' ? 'block' : 'message'}`);
      actionIds.add(el.action_id);
    }
    if (el.type === 'button') {
      textObject(el.text, `${path}/text`, LIMITS.buttonText, ['plain_text']);
      maxLen(el.value, LIMITS.buttonValue, `${path}/value`);
    }
  };

  maxItems(blocks, surface === 'view' ? LIMITS.viewBlocks : LIMITS.blocks, `${root}/blocks`);
  blocks.forEach((block, i) => {
    const p = `${root}/blocks/${i}`;
    if (!isObj(block)) return fail(p, 'must be an object');
    if (surface === 'view') actionIds = new Set();
    maxLen(block.block_id, LIMITS.blockId, `${p}/block_id`);
    if (surface === 'view' && typeof block.block_id === 'string') {
      if (blockIds.has(block.block_id)) fail(`${p}/block_id`, `duplicate block_id "${block.block_id}" in view`);
      blockIds.add(block.block_id);
    }
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
        if (block.label === undefined) fail(p, 'missing required field: label');
        else textObject(block.label, `${p}/label`, LIMITS.inputLabel, ['plain_text']);
        if (block.hint !== undefined) textObject(block.hint, `${p}/hint`, LIMITS.inputHint, ['plain_text']);
        if (block.element === undefined) fail(p, 'missing required field: element');
        else element(block.element, `${p}/element`);
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

/**
 * Slack's answer for a modal view it refuses (views.open / push / update), or undefined when it is
 * acceptable. Schema problems come back as invalid_arguments with "[ERROR] ..." lines, as Slack does.
 */
export function checkView(view: unknown): (Record<string, unknown> & { ok: boolean }) | undefined {
  const { errors, fail, maxLen, textObject } = problems();
  if (view === undefined) fail('/', 'missing required field: view');
  else if (!isObj(view)) fail('/view', 'must be an object');
  else if (Buffer.byteLength(JSON.stringify(view)) > LIMITS.viewBytes) return { ok: false, error: 'view_too_large' };
  else {
    if (typeof view.type !== 'string') fail('/view', 'missing required field: type');
    else if (view.type !== 'modal') fail('/view/type', 'must be one of [modal]');
    if (view.title === undefined) fail('/view', 'missing required field: title');
    else textObject(view.title, '/view/title', LIMITS.viewLabel, ['plain_text']);
    for (const button of ['submit', 'close'] as const) {
      if (view[button] !== undefined && view[button] !== null) textObject(view[button], `/view/${button}`, LIMITS.viewLabel, ['plain_text']);
    }
    maxLen(view.callback_id, LIMITS.callbackId, '/view/callback_id');
    maxLen(view.private_metadata, LIMITS.privateMetadata, '/view/private_metadata');
    maxLen(view.external_id, LIMITS.externalId, '/view/external_id');
    if (!Array.isArray(view.blocks)) fail('/view', 'missing required field: blocks');
    else {
      errors.push(...blockErrors(view.blocks, 'view'));
      const hasInput = view.blocks.some((b) => isObj(b) && b.type === 'input');
      if (hasInput && (view.submit === undefined || view.submit === null)) fail('/view', 'missing required field: submit (a modal with input blocks needs one)');
    }
  }
  if (errors.length === 0) return undefined;
  return { ok: false, error: 'invalid_arguments', response_metadata: { messages: errors.map((e) => `[ERROR] ${e}`) } };
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
      // Left as the string: validation then refuses it (invalid_blocks_format, invalid_arguments) like Slack.
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

type Handler = (args: Obj, token: string) => Answer;

/** Slack's channel naming rules: lower-case letters, digits, hyphens and underscores, at most 80. */
function channelNameError(name: string): string | undefined {
  if (!name) return 'invalid_name_required';
  if (name.length > 80) return 'invalid_name_maxlength';
  if (!/^[a-z0-9_-]+$/.test(name)) return 'invalid_name_specials';
  if (!/[a-z0-9]/.test(name)) return 'invalid_name_punctuation';
  return undefined;
}

const TRIGGER_TTL_MS = 3000;
/** The root view plus the two views Slack lets an app push on top of it. */
const VIEW_STACK_MAX = 3;
const USER_ID = /^[UW][A-Z0-9]{2,}$/;

const jsonArg = (value: unknown): unknown => {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
};
const boolArg = (value: unknown) => value === true || value === 'true' || value === '1';
const listArg = (value: unknown) => (str(value) ?? '').split(',').map((s) => s.trim()).filter(Boolean);

/** views.open / views.push / views.update over minted trigger_ids and one view stack per user. */
function createModals(ids: { teamId: string; botId: string; appId: string }, now: () => number) {
  const triggers = new Map<string, { user: string; at: number; exchanged: boolean }>();
  const views = new Map<string, EmulatorView>();
  const stacks = new Map<string, string[]>(); // user → view ids, root first
  let triggerSeq = 0;
  let viewSeq = 0;

  const trigger = (userId = '') => {
    triggerSeq += 1;
    const id = `${now()}.${triggerSeq}.${randomBytes(6).toString('hex')}`;
    triggers.set(id, { user: userId, at: now(), exchanged: false });
    return id;
  };

  /** Runs `act` for the trigger's user; the trigger is spent only when `act` succeeds. */
  const withTrigger = (args: Obj, act: (user: string) => Answer): Answer => {
    const t = triggers.get(str(args.trigger_id) ?? str(args.interactivity_pointer) ?? '');
    if (!t) return { ok: false, error: 'invalid_trigger_id' };
    if (t.exchanged) return { ok: false, error: 'exchanged_trigger_id' };
    if (now() - t.at > TRIGGER_TTL_MS) return { ok: false, error: 'expired_trigger_id' };
    const answer = act(t.user);
    if (answer.ok) t.exchanged = true;
    return answer;
  };

  const byExternalId = (externalId: string) => [...views.values()].find((v) => v.external_id === externalId);
  /** Slack's refusal of a view payload; `self` is the id a views.update keeps. */
  const refuseView = (view: unknown, self?: string): Answer | undefined => {
    const bad = checkView(view);
    if (bad) return bad;
    const externalId = str((view as Obj).external_id);
    const holder = externalId ? byExternalId(externalId) : undefined;
    return holder && holder.id !== self ? { ok: false, error: 'duplicate_external_id' } : undefined;
  };
  const store = (view: Obj, id: string, root: string, previous: string | null, externalId = ''): EmulatorView => {
    const stored: EmulatorView = {
      team_id: ids.teamId, private_metadata: '', callback_id: '', clear_on_close: false, notify_on_close: false,
      ...view,
      id, external_id: str(view.external_id) ?? externalId, state: { values: {} },
      hash: `${Math.floor(now() / 1000)}.${randomBytes(4).toString('hex')}`,
      root_view_id: root, previous_view_id: previous, app_id: ids.appId, bot_id: ids.botId,
    };
    views.set(id, stored);
    return stored;
  };
  const nextViewId = () => `V${(++viewSeq).toString(36).toUpperCase().padStart(8, '0')}`;

  const methods: Record<string, Handler> = {
    'views.open': (args) => withTrigger(args, (user) => {
      const view = jsonArg(args.view);
      const refused = refuseView(view);
      if (refused) return refused;
      const id = nextViewId();
      stacks.set(user, [id]);
      return { ok: true, view: store(view as Obj, id, id, null) };
    }),
    // A push with no modal open for the trigger's user starts a stack (Slack's answer there is undocumented).
    'views.push': (args) => withTrigger(args, (user) => {
      const view = jsonArg(args.view);
      const refused = refuseView(view);
      if (refused) return refused;
      const stack = stacks.get(user) ?? [];
      if (stack.length >= VIEW_STACK_MAX) return { ok: false, error: 'push_limit_reached' };
      const id = nextViewId();
      stack.push(id);
      stacks.set(user, stack);
      return { ok: true, view: store(view as Obj, id, stack[0]!, stack.at(-2) ?? null) };
    }),
    'views.update': (args) => {
      const viewId = str(args.view_id);
      const externalId = str(args.external_id);
      if (!viewId && !externalId) {
        return { ok: false, error: 'invalid_arguments', response_metadata: { messages: ['[ERROR] either view_id or external_id is required'] } };
      }
      const current = viewId ? views.get(viewId) : byExternalId(externalId!);
      if (!current) return { ok: false, error: 'not_found' };
      const hash = str(args.hash);
      if (hash && hash !== current.hash) return { ok: false, error: 'hash_conflict' };
      const view = jsonArg(args.view);
      const refused = refuseView(view, current.id);
      if (refused) return refused;
      return { ok: true, view: store(view as Obj, current.id, current.root_view_id, current.previous_view_id, current.external_id) };
    },
  };
  return { trigger, views, methods };
}

export async function startSlackEmulator(opts: SlackEmulatorOptions = {}): Promise<SlackEmulator> {
  const botUserId = opts.botUserId ?? 'UBOT0001';
  const botId = 'B0001';
  const teamId = opts.teamId ?? 'T0001';
  const users = new Map((opts.users ?? []).map((u) => [u.id, u]));
  const now = opts.now ?? Date.now;
  const privateChannels = new Set(opts.privateChannels ?? []);
  const channels = new Map<string, EmulatorChannel>(
    (opts.channels ?? []).map((c) => [c.id, { ...c, isPrivate: false, created: 0, creator: '', members: new Set<string>() }]),
  );
  const dms = new Map<string, string>(); // user → D id
  const mpims = new Map<string, string>(); // sorted user list → G id
  let idSeq = 0;
  const mint = (prefix: string) => {
    let id: string;
    do id = `${prefix}${String(++idSeq).padStart(8, '0')}`;
    while (channels.has(id));
    return id;
  };
  /** Without a configured user list, any well-formed user id exists. */
  const isUser = (id: string) => (users.size > 0 ? users.has(id) : USER_ID.test(id));
  const dmChannel = (userId: string) => dms.get(userId) ?? dms.set(userId, mint('D')).get(userId)!;
  const modals = createModals({ teamId, botId, appId: 'A0001' }, now);
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
  const channelObject = (c: EmulatorChannel) => ({
    id: c.id, name: c.name, is_channel: true, is_private: c.isPrivate, is_archived: false, is_member: c.members.has(botUserId),
    created: c.created, creator: c.creator,
    topic: { value: c.topic ?? '', creator: '', last_set: 0 },
    purpose: { value: c.purpose ?? '', creator: '', last_set: 0 },
  });
  const messageFields = (args: Obj) =>
    Object.fromEntries(['text', 'blocks', 'attachments', 'thread_ts', 'metadata'].filter((k) => args[k] !== undefined).map((k) => [k, args[k]]));

  const methods: Record<string, Handler> = {
    ...modals.methods,
    'auth.test': () => ({
      ok: true, url: 'https://example.slack.com/', team: 'Example', user: 'switchboard',
      team_id: teamId, user_id: botUserId, bot_id: botId, is_enterprise_install: false,
    }),
    'chat.postMessage': (args) => {
      let channel = str(args.channel);
      if (!channel) return { ok: false, error: 'channel_not_found' };
      // A user id posts to the app's DM with that user; Slack answers with the DM's id.
      if (USER_ID.test(channel)) {
        if (!isUser(channel)) return { ok: false, error: 'channel_not_found' };
        channel = dmChannel(channel);
      }
      if (privateChannels.has(channel)) return { ok: false, error: 'not_in_channel' };
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
      const id = str(args.channel) ?? '';
      const channel = channels.get(id);
      if (channel) return { ok: true, channel: channelObject(channel) };
      const user = [...dms].find(([, dm]) => dm === id)?.[0];
      return user ? { ok: true, channel: { id, is_im: true, user, is_open: true } } : { ok: false, error: 'channel_not_found' };
    },
    'conversations.open': (args) => {
      const resume = str(args.channel);
      if (resume) {
        const known = [...dms.values(), ...mpims.values()].includes(resume);
        return known ? { ok: true, no_op: true, already_open: true, channel: { id: resume } } : { ok: false, error: 'channel_not_found' };
      }
      const ids = listArg(args.users);
      if (ids.length === 0) return { ok: false, error: 'users_list_not_supplied' };
      if (ids.some((u) => !isUser(u))) return { ok: false, error: 'user_not_found' };
      if (ids.length > 8) return { ok: false, error: 'too_many_users' };
      const key = [...ids].sort().join(',');
      const already = ids.length === 1 ? dms.has(key) : mpims.has(key);
      const id = ids.length === 1 ? dmChannel(key) : mpims.get(key) ?? mpims.set(key, mint('G')).get(key)!;
      const channel = boolArg(args.return_im) && ids.length === 1 ? { id, is_im: true, user: key, is_open: true } : { id };
      return already ? { ok: true, no_op: true, already_open: true, channel } : { ok: true, channel };
    },
    'conversations.create': (args) => {
      const name = str(args.name) ?? '';
      const invalid = channelNameError(name);
      if (invalid) return { ok: false, error: invalid };
      if ([...channels.values()].some((c) => c.name === name)) return { ok: false, error: 'name_taken' };
      const channel: EmulatorChannel = {
        id: mint('C'), name, isPrivate: boolArg(args.is_private), created: Math.floor(now() / 1000), creator: botUserId,
        members: new Set([botUserId]),
      };
      channels.set(channel.id, channel);
      return { ok: true, channel: channelObject(channel) };
    },
    'conversations.invite': (args) => {
      const id = str(args.channel) ?? '';
      const channel = channels.get(id);
      if (!channel) {
        const direct = [...dms.values(), ...mpims.values()].includes(id);
        return { ok: false, error: direct ? 'method_not_supported_for_channel_type' : 'channel_not_found' };
      }
      const ids = listArg(args.users);
      if (ids.length === 0) return { ok: false, error: 'no_user' };
      if (!channel.members.has(botUserId)) return { ok: false, error: 'not_in_channel' };
      const refusal = (u: string) =>
        u === botUserId ? 'cant_invite_self' : !isUser(u) ? 'user_not_found' : channel.members.has(u) ? 'already_in_channel' : undefined;
      // Members already in the channel are skipped quietly, unless they are all that was asked for.
      const errors = ids
        .map((user) => ({ user, ok: false, error: refusal(user) }))
        .filter((e) => e.error !== undefined && (ids.length === 1 || e.error !== 'already_in_channel'));
      if (errors.length > 0 && !boolArg(args.force)) return { ok: false, error: errors[0]!.error!, errors };
      for (const user of ids) if (!refusal(user)) channel.members.add(user);
      const answer: Answer = { ok: true, channel: channelObject(channel) };
      return errors.length > 0 ? { ...answer, errors } : answer;
    },
    'conversations.join': (args) => {
      if (privateChannels.has(str(args.channel) ?? '')) return { ok: false, error: 'method_not_supported_for_channel_type' };
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
    trigger: modals.trigger,
    views: modals.views,
    channelByName: (name) => [...channels.values()].find((c) => c.name === name),
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
