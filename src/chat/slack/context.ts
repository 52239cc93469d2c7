/** What every Slack listener needs, built once by the adapter, and the answer it gives when it fails. */
import type { App } from '@slack/bolt';
import type { Logger } from 'pino';
import { type Conversation, describeError, failureReply, type Reply } from '../../conversation/index.js';
import type { BotState } from '../../state/index.js';
import type { IdentityResolver, PeopleResolver } from './people.js';
import { toBlockKit, type SlackMessage } from './render.js';

type WebClient = App['client'];

export interface SlackDeps {
  conversation: Conversation;
  state: BotState;
  people: PeopleResolver;
  /** Who a Slack user is for self-service (their catalog User, by e-mail). */
  identify: IdentityResolver;
  logger: Logger;
  /** Counts answered requests by kind, for /metrics. */
  count: (what: string) => void;
}

/** Renders a reply with people's Slack mentions resolved. */
export async function render(deps: SlackDeps, reply: Reply): Promise<SlackMessage> {
  return toBlockKit(reply, await deps.people.resolve(reply));
}

/**
 * Called right after ack(): lets the event loop read and ack the requests that arrived with this one
 * before this one's answer is worked out, so a burst of commands is acked first and answered after.
 */
export const afterAcks = () => new Promise<void>((resolve) => setImmediate(resolve));

type Loose = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- Slack payloads of every kind
type Ack = (response?: never) => Promise<void>;
interface ListenerArgs {
  body: unknown;
  client: WebClient;
  ack?: Ack;
  respond?: unknown;
}

/**
 * Wraps a listener so that it never ends in silence: when it throws, the person is told what went wrong
 * (respond(), an ephemeral message, a thread reply for mentions, a DM for modals) and the error is
 * logged. Before ack() the failure is the ack itself: field errors for a modal, an option for a picker.
 */
export function answering<A extends ListenerArgs>(
  deps: SlackDeps,
  what: (args: A) => string,
  listener: (args: A) => Promise<void>,
): (args: A) => Promise<void> {
  return async (args) => {
    let acked = false;
    const ack = args.ack && (async (response?: never) => ((acked = true), args.ack!(response)));
    try {
      await listener(ack ? { ...args, ack } : args);
    } catch (err) {
      const asked = safely(() => what(args)) ?? 'that';
      const { code, message } = describeError(err);
      deps.logger.error({ err, listener: asked, code }, 'Slack listener failed; telling the person');
      try {
        if (!acked && args.ack && (await ackFailure(args.ack as (r?: unknown) => Promise<void>, args.body as Loose, message))) return;
        await tell(deps, args, failureReply(asked, message, code));
      } catch (answerErr) {
        deps.logger.error({ err: answerErr, listener: asked }, 'could not tell the person about a failure either');
      }
    }
  };
}

const safely = <T>(f: () => T): T | undefined => {
  try {
    return f();
  } catch {
    return undefined;
  }
};

/** Acks with the failure where Slack shows an ack's content; true when that was the answer. */
async function ackFailure(ack: (r?: unknown) => Promise<void>, body: Loose, message: string): Promise<boolean> {
  if (body.type === 'view_submission') {
    const input = (body.view?.blocks as Loose[] | undefined)?.find((b) => b.type === 'input')?.block_id;
    if (input) {
      await ack({ response_action: 'errors', errors: { [input]: cutText(`Could not submit: ${message}`, 150) } });
      return true;
    }
  }
  if (body.type === 'block_suggestion') {
    await ack({ options: [{ text: { type: 'plain_text', text: cutText(`⚠️ Search failed: ${message}`, 75) }, value: 'sb:error' }] });
    return true;
  }
  await ack();
  return false;
}

/** Tells the person who triggered a listener, in the most private place the payload allows. */
async function tell(deps: SlackDeps, args: ListenerArgs, reply: Reply): Promise<void> {
  const body = args.body as Loose;
  const message = toBlockKit(reply);
  if (typeof args.respond === 'function' && (body.response_url || body.response_urls?.length)) {
    await (args.respond as (m: unknown) => Promise<unknown>)({ ...message, response_type: 'ephemeral', replace_original: false });
    return;
  }
  const event = body.event as Loose | undefined;
  if (event?.type === 'app_mention') {
    await args.client.chat.postMessage({ channel: event.channel, thread_ts: event.thread_ts ?? event.ts, ...message, unfurl_links: false });
    return;
  }
  const channel: string | undefined = event
    ? typeof event.channel === 'string'
      ? event.channel
      : event.channel?.id
    : (body.channel_id ?? body.channel?.id ?? body.container?.channel_id);
  // Who to tell about an event: whoever wrote the message, made the channel or added the bot.
  const user: string | undefined = event
    ? event.user && event.type !== 'member_joined_channel'
      ? event.user
      : (event.inviter ?? event.channel?.creator)
    : (body.user_id ?? body.user?.id);
  if (channel && user) await args.client.chat.postEphemeral({ channel, user, ...message });
  else if (user) await args.client.chat.postMessage({ channel: user, ...message });
  else deps.logger.warn({ type: body.type ?? event?.type }, 'a failed listener had nobody to tell');
}

const cutText = (s: string, n: number) => (s.length <= n ? s : `${s.slice(0, n - 1)}…`);
