/**
 * The Bot Framework Connector as Teams runs it at the serviceUrl: conversations, activities, roster.
 *
 * Every call needs a bearer token the emulator's token endpoint issued (else 401 with the Connector's
 * ASP.NET answer). Errors use the documented `{ error: { code, message } }` envelope and codes
 * ("Status codes from bot conversational APIs"); the one exception is the documented 403 for a user who
 * blocked the bot, whose body is `{ errorCode: 209, message: "<JSON with subCode MessageWritesBlocked>" }`
 * ("Send proactive messages": understand who blocked, muted, or uninstalled a bot).
 */
import type { CallMatcher, ConnectorOp, FailureInjection, RateLimits, TeamsCall } from './teams-emulator-contract.js';
import { checkActivity, createRateLimiter, type Refusal } from './teams-emulator-limits.js';
import type { EmulatorConversation, Roster } from './teams-emulator-roster.js';

export interface ConnectorRequest {
  method: string;
  /** Path segments after the serviceUrl's own path, each URL-decoded. */
  segments: string[];
  decodedPath: string;
  query: URLSearchParams;
  authorization: string | undefined;
  raw: string;
}

export interface ConnectorAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  call: Pick<TeamsCall, 'op' | 'conversationId' | 'activityId' | 'userId' | 'body'>;
}

interface Deps {
  roster: Roster;
  validToken(token: string): boolean;
  appId: string;
  tenantId: string;
  botId: string;
  rate: RateLimits | false;
  maxMessageBytes: number;
}

type Call = ConnectorAnswer['call'];
type Target = NonNullable<ReturnType<Roster['resolve']>>;

const DENIED = { message: 'Authorization has been denied for this request.' };
const errorBody = (code: string, message: string) => ({ error: { code, message } });

/** The documented body, including its CRLF-indented JSON string. */
const WRITES_BLOCKED = {
  errorCode: 209,
  message: JSON.stringify(
    { subCode: 'MessageWritesBlocked', details: 'Thread is blocked from message writes.', errorCode: null, errorSubCode: null },
    null,
    2,
  ).replace(/\n/g, '\r\n'),
};

/** Which operation a method and path name; undefined when the Connector has no such route. */
function route(method: string, segments: string[]): { op: ConnectorOp; conversationId?: string; sub?: string } | undefined {
  const [v3, conversations, conversationId, kind, sub, ...extra] = segments;
  if (v3 !== 'v3' || conversations !== 'conversations' || extra.length > 0) return undefined;
  if (conversationId === undefined) return method === 'POST' ? { op: 'createConversation' } : undefined;
  const what = kind?.toLowerCase();
  if (what === 'activities') {
    if (sub === undefined) return method === 'POST' ? { op: 'send', conversationId } : undefined;
    const op = ({ POST: 'reply', PUT: 'update', DELETE: 'delete' } as const)[method as 'POST' | 'PUT' | 'DELETE'];
    return op ? { op, conversationId, sub } : undefined;
  }
  if (method !== 'GET') return undefined;
  if (what === 'members') return sub === undefined ? { op: 'members', conversationId } : { op: 'member', conversationId, sub };
  if (what === 'pagedmembers' && sub === undefined) return { op: 'pagedMembers', conversationId };
  return undefined;
}

export function createConnector(deps: Deps) {
  const { roster } = deps;
  const limit = createRateLimiter(deps.rate);
  const failures: { match: CallMatcher; status: number; failure: FailureInjection; remaining: number }[] = [];
  const blocked = new Set<string>();
  let lastActivityId = 0;

  // Teams' message ids are millisecond timestamps; strictly increasing keeps them unique.
  const nextActivityId = () => String((lastActivityId = Math.max(Date.now(), lastActivityId + 1)));

  const refuse = (r: Refusal, call: Call): ConnectorAnswer => ({
    status: r.status,
    body: errorBody(r.code, r.message),
    headers: r.retryAfter === undefined ? undefined : { 'retry-after': String(r.retryAfter) },
    call,
  });

  const injected = (request: ConnectorRequest, call: Call): ConnectorAnswer | undefined => {
    const seen = { method: request.method, op: call.op, conversationId: call.conversationId, activityId: call.activityId, userId: call.userId };
    const index = failures.findIndex(({ match }) =>
      typeof match === 'string'
        ? request.decodedPath.includes(match)
        : match instanceof RegExp
          ? match.test(request.decodedPath)
          : match({ ...seen, decodedPath: request.decodedPath }),
    );
    if (index < 0) return undefined;
    const entry = failures[index]!;
    entry.remaining -= 1;
    if (entry.remaining <= 0) failures.splice(index, 1);
    const { code, message = code, retryAfter } = entry.failure;
    return refuse({ status: entry.status, code, message, retryAfter }, call);
  };

  const isBlocked = (conversation: EmulatorConversation) =>
    conversation.type === 'personal' && conversation.members.some((id) => blocked.has(roster.user(id)?.aadObjectId ?? ''));

  const createConversation = (body: unknown, call: Call): ConnectorAnswer => {
    const params = (typeof body === 'object' && body !== null ? body : {}) as {
      bot?: { id?: unknown };
      members?: { id?: unknown }[];
      isGroup?: unknown;
      tenantId?: unknown;
      channelData?: { tenant?: { id?: unknown }; channel?: unknown };
    };
    const bad = (message: string) => refuse({ status: 400, code: 'BadArgument', message }, call);
    if (params.bot?.id !== deps.botId && params.bot?.id !== deps.appId) return bad('The bot id does not match the bot making the call.');
    if ((params.channelData?.tenant?.id ?? params.tenantId) !== deps.tenantId) return bad('A tenant id of this tenant is required (channelData.tenant.id).');
    if (params.channelData?.channel !== undefined) return bad('emulator: creating channel conversations is not emulated');
    if (params.isGroup === true) return bad('Creating group conversations is not supported.');
    if (!Array.isArray(params.members) || params.members.length !== 1) return bad('A 1:1 conversation needs exactly one member.');
    const memberId = params.members[0]?.id;
    const found = typeof memberId === 'string' ? roster.user(memberId) : undefined;
    call.userId = typeof memberId === 'string' ? memberId : undefined;
    if (!found) return refuse({ status: 400, code: 'MemberNotFoundInConversation', message: 'The member is not found in this tenant.' }, call);
    const throttled = limit('create', found.aadObjectId);
    if (throttled) return refuse(throttled, call);
    const conversation = roster.openPersonal(found);
    call.conversationId = conversation.id;
    return { status: 201, body: { id: conversation.id }, call };
  };

  /** POST activities, POST activities/{id}, PUT activities/{id}: store the message as it now stands. */
  const write = (op: 'send' | 'reply' | 'update', raw: string, body: unknown, addressed: string, target: Target, call: Call) => {
    const { conversation, threadId } = target;
    const activityId = call.activityId;
    const existing = activityId === undefined ? undefined : conversation.messages.get(activityId);
    if (op === 'update' && !existing && activityId !== undefined && conversation.inbound.has(activityId)) {
      return refuse({ status: 403, code: 'NotEnoughPermissions', message: "The bot cannot edit a person's message." }, call);
    }
    if (op !== 'send' && !existing && !(op === 'reply' && activityId !== undefined && conversation.inbound.has(activityId))) {
      return refuse({ status: 404, code: 'ActivityNotFoundInConversation', message: 'Activity not found in conversation.' }, call);
    }
    const refused = checkActivity(raw, body, deps.maxMessageBytes);
    if (refused) return refuse(refused, call);
    if (isBlocked(conversation)) return { status: 403, body: WRITES_BLOCKED, call };
    const fields = body as Record<string, unknown>;
    if (op === 'update') {
      const message = existing!;
      message.activity = {
        ...fields,
        id: message.id,
        conversation: { id: message.conversationId },
        from: { id: deps.botId },
        timestamp: new Date().toISOString(),
      };
      message.updates += 1;
      return { status: 200, body: { id: message.id }, call };
    }
    const id = nextActivityId();
    // A channel keeps one level of threads: a reply to a reply joins the root's thread.
    const rootOf = (replyTo: string) => (conversation.type === 'channel' ? (conversation.messages.get(replyTo)?.replyToId ?? replyTo) : replyTo);
    const replyToId = op === 'reply' ? rootOf(activityId!) : threadId;
    const activity = {
      ...fields,
      id,
      conversation: { id: addressed },
      from: { id: deps.botId },
      timestamp: new Date().toISOString(),
      ...(replyToId ? { replyToId } : {}),
    };
    conversation.messages.set(id, { id, conversationId: addressed, replyToId, activity, updates: 0 });
    return { status: 201, body: { id }, call };
  };

  const read = (op: 'members' | 'member' | 'pagedMembers', conversation: EmulatorConversation, query: URLSearchParams, call: Call): ConnectorAnswer => {
    const members = conversation.members.flatMap((id) => roster.user(id) ?? []);
    if (op === 'member') {
      const found = roster.user(call.userId ?? '');
      if (!found || !conversation.members.includes(found.id)) {
        return refuse({ status: 404, code: 'MemberNotFoundInConversation', message: 'The member is not found in the conversation.' }, call);
      }
      return { status: 200, body: roster.account(found), call };
    }
    if (op === 'members') {
      // The non-paged list names the AAD id `objectId` (the Teams SDK normalises both spellings).
      return { status: 200, body: members.map((u) => ({ ...roster.account(u), aadObjectId: undefined, objectId: u.aadObjectId })), call };
    }
    // pageSize: min 50, default 200, max 500 (as the Teams SDK documents getPagedMembers).
    const size = Math.min(500, Math.max(50, Number(query.get('pageSize') ?? 200) || 200));
    const token = query.get('continuationToken');
    const offset = token === null ? 0 : Number(Buffer.from(token, 'base64url').toString());
    if (!Number.isInteger(offset) || offset < 0) return refuse({ status: 400, code: 'BadArgument', message: 'Invalid continuation token.' }, call);
    const page = members.slice(offset, offset + size).map((u) => roster.account(u));
    const next = offset + size < members.length ? Buffer.from(String(offset + size)).toString('base64url') : undefined;
    return { status: 200, body: { members: page, ...(next ? { continuationToken: next } : {}) }, call };
  };

  return {
    handle(request: ConnectorRequest): ConnectorAnswer {
      const found = route(request.method, request.segments);
      let body: unknown;
      if (request.raw !== '') {
        try {
          body = JSON.parse(request.raw);
        } catch {
          body = request.raw;
        }
      }
      const call: Call = { op: found?.op, conversationId: found?.conversationId, body };
      if (found?.op === 'member') call.userId = found.sub;
      else if (found?.sub !== undefined) call.activityId = found.sub;

      const token = /^Bearer (\S+)$/.exec(request.authorization ?? '')?.[1];
      if (!token || !deps.validToken(token)) return { status: 401, body: DENIED, call };
      if (!found) return refuse({ status: 404, code: 'NotFound', message: `No route ${request.method} ${request.decodedPath}` }, call);
      const failure = injected(request, call);
      if (failure) return failure;
      if ((request.method === 'POST' || request.method === 'PUT') && typeof body === 'string') {
        return refuse({ status: 400, code: 'BadArgument', message: 'The request body is not valid JSON.' }, call);
      }
      if (found.op === 'createConversation') return createConversation(body, call);

      const target = roster.resolve(found.conversationId!);
      if (!target) return refuse({ status: 404, code: 'ConversationNotFound', message: 'Conversation not found.' }, call);
      const { conversation } = target;
      const op = found.op;
      if (op === 'members' || op === 'member' || op === 'pagedMembers') {
        const throttled = limit('read', conversation.id);
        return throttled ? refuse(throttled, call) : read(op, conversation, request.query, call);
      }
      const throttled = limit('send', conversation.id);
      if (throttled) return refuse(throttled, call);
      if (op === 'delete') {
        const id = call.activityId!;
        if (conversation.inbound.has(id))
          return refuse({ status: 403, code: 'NotEnoughPermissions', message: "The bot cannot delete a person's message." }, call);
        if (!conversation.messages.delete(id))
          return refuse({ status: 404, code: 'ActivityNotFoundInConversation', message: 'Activity not found in conversation.' }, call);
        return { status: 200, call };
      }
      return write(op, request.raw, body, found.conversationId!, target, call);
    },
    failNext(match: CallMatcher, status: number, failure: FailureInjection): void {
      failures.push({ match, status, failure, remaining: failure.times ?? 1 });
    },
    block(aadObjectId: string): void {
      blocked.add(aadObjectId);
    },
  };
}
