/**
 * What every Teams listener needs, built once by the adapter: sending to a conversation at its own
 * service URL, answering the asker privately (their 1:1 chat with the bot) and never failing silently.
 */
import type { Logger } from 'pino';
import { type Conversation, describeError, failureReply, type Reply } from '../../conversation/index.js';
import type { BotState } from '../../state/index.js';
import { formatRef } from '../../threads.js';
import type { Connector } from './connector.js';
import type { Seal } from './seal.js';
import type { ActivityParty, TeamsPeople } from './people.js';
import { toAdaptiveCard, type TeamsMessage } from './render.js';

/** An inbound activity, as far as the listeners read it. */
export interface InboundActivity extends ActivityParty {
  type: string;
  id?: string;
  name?: string;
  text?: string;
  value?: unknown;
  replyToId?: string;
  entities?: { type?: string; mentioned?: { id?: string } }[];
  recipient?: { id?: string; name?: string };
  channelData?: ActivityParty['channelData'] & {
    eventType?: string;
    channel?: { id?: string; name?: string };
    team?: { id?: string; name?: string };
  };
}

export interface TeamsDeps {
  conversation: Conversation;
  state: BotState;
  connector: Connector;
  people: TeamsPeople;
  logger: Logger;
  count: (what: string) => void;
  /** The bot's own id in conversations (`28:<app id>`). */
  botId: string;
  /** Seals card data a click brings back (seal.ts). */
  seal: Seal;
}

/** A conversation id without the `;messageid=` a channel thread adds. */
export const baseConversation = (id: string) => id.replace(/;messageid=.*$/, '');

/** The conversation ref of an activity (`teams:<conversation>`), and its thread ref in a channel. */
export function where(a: InboundActivity): { conversation: string; thread: string } {
  const conversation = baseConversation(a.conversation.id);
  const ref = formatRef({ platform: 'teams', conversation });
  // In a channel the thread is its first message: the `;messageid=` of the conversation, else this one.
  const root = /;messageid=(.+)$/.exec(a.conversation.id)?.[1] ?? a.replyToId ?? a.id;
  return {
    conversation: ref,
    thread: a.conversation.conversationType === 'channel' && root ? formatRef({ platform: 'teams', conversation, message: root }) : ref,
  };
}

export const render = async (deps: TeamsDeps, reply: Reply) => toAdaptiveCard(reply, await deps.people.mentions(reply));

/** What was written last per conversation, per state: an activity that changes nothing is not written again. */
const rememberedIn = new WeakMap<object, Map<string, string>>();
const REMEMBERED_MAX = 50_000;

/** Records where the conversation is posted to (its service URL), so later posts and edits can go there. */
export async function remember(deps: TeamsDeps, a: InboundActivity, name?: string | null): Promise<void> {
  const conversation = {
    ref: where(a).conversation,
    serviceUrl: a.serviceUrl,
    tenantId: a.conversation.tenantId ?? a.channelData?.tenant?.id ?? null,
    kind: a.conversation.conversationType ?? 'personal',
    ...(name !== undefined && { name }),
  };
  const key = JSON.stringify(conversation);
  let remembered = rememberedIn.get(deps.state);
  if (!remembered) rememberedIn.set(deps.state, (remembered = new Map()));
  if (remembered.get(conversation.ref) === key) return;
  if (remembered.size >= REMEMBERED_MAX) remembered.clear();
  remembered.set(conversation.ref, key);
  try {
    await deps.state.rememberConversation(conversation);
  } catch (err) {
    // Not remembered (the state store is down): the next activity from there tries again; the answer
    // to this one does not wait for it.
    remembered.delete(conversation.ref);
    deps.logger.warn({ err, conversation: conversation.ref }, 'could not remember the Teams conversation');
  }
}

/** Posts in the activity's conversation: in its thread in a channel, else as a new message. */
export async function sendIn(deps: TeamsDeps, a: InboundActivity, message: TeamsMessage): Promise<string> {
  const id = baseConversation(a.conversation.id);
  const root = a.conversation.conversationType === 'channel' ? (/;messageid=(.+)$/.exec(a.conversation.id)?.[1] ?? a.id) : undefined;
  const sent = root ? await deps.connector.reply(a.serviceUrl, id, root, message) : await deps.connector.send(a.serviceUrl, id, message);
  return sent.id;
}

/**
 * Answers only the asker. In their 1:1 chat that is the chat itself; in a channel or group chat it is
 * their 1:1 chat with the bot (Teams has no ephemeral messages), opened through the Connector if needed.
 * When no 1:1 can be had, the answer goes in the thread rather than nowhere.
 */
export async function answerPrivately(deps: TeamsDeps, a: InboundActivity, reply: Reply, decorate?: (m: TeamsMessage) => void): Promise<void> {
  const message = await render(deps, reply);
  decorate?.(message);
  if (reply.visibility === 'channel' && a.conversation.conversationType !== 'personal') {
    await sendIn(deps, a, message);
    return;
  }
  await sendPrivately(deps, a, message);
}

/** Sends a rendered message to the asker alone (see answerPrivately). */
export async function sendPrivately(deps: TeamsDeps, a: InboundActivity, message: TeamsMessage): Promise<void> {
  if (a.conversation.conversationType === 'personal' || !a.conversation.conversationType) {
    await deps.connector.send(a.serviceUrl, a.conversation.id, message);
    return;
  }
  const account = await deps.people.accountOf(a);
  const chat = account
    ? await deps.people.personalChat({ ref: account.account, displayName: account.name ?? '', email: account.email, chatIds: { teams: account.account } })
    : null;
  if (!chat) {
    deps.logger.warn({ conversation: a.conversation.id }, 'no 1:1 chat with the asker; answering in the thread');
    await sendIn(deps, a, message);
    return;
  }
  await deps.connector.send(chat.serviceUrl, chat.conversationId, message);
}

/**
 * Runs a listener's work after the HTTP answer (Teams waits for none: the SDK answers when the handler
 * returns), and never in silence: a failure is told to the asker privately and logged.
 */
export function inBackground(deps: TeamsDeps, a: InboundActivity, what: string, work: () => Promise<void>): void {
  later(() => void run(deps, a, what, work));
}

// Work waits for the acks: started in the microtasks of its own request, its first steps (a catalog
// query, rendering) would run before that request's HTTP 200 is written; started all at once after the
// I/O phase, a burst's answers would hold back the acks of requests arriving meanwhile. So one piece of
// work starts per turn of the event loop, and the requests read in between are acked first. Past BACKLOG
// waiting pieces the rest start in the same turn: under a load beyond what the bot can answer, acks slow to
// the pace of answers instead of racing ahead of them (bench:teams, the sustained phase).
const BACKLOG = 64;
const queue: (() => void)[] = [];
let draining = false;
function later(start: () => void): void {
  queue.push(start);
  if (!draining) {
    draining = true;
    setImmediate(drain);
  }
}
function drain(): void {
  do queue.shift()?.();
  while (queue.length > BACKLOG);
  if (queue.length) setImmediate(drain);
  else draining = false;
}

function run(deps: TeamsDeps, a: InboundActivity, what: string, work: () => Promise<void>): Promise<void> {
  return work().catch(async (err: unknown) => {
    const { code, message } = describeError(err);
    deps.logger.error({ err, listener: what, code }, 'Teams listener failed; telling the person');
    try {
      await answerPrivately(deps, a, failureReply(what, message, code));
    } catch (answerErr) {
      deps.logger.error({ err: answerErr, listener: what }, 'could not tell the person about a failure either');
    }
  });
}
