/** What every Slack listener needs, built once by the adapter. */
import type { Logger } from 'pino';
import type { Conversation, Reply } from '../../conversation/index.js';
import type { BotState } from '../../state/index.js';
import type { IdentityResolver, PeopleResolver } from './people.js';
import { toBlockKit, type SlackMessage } from './render.js';

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
