/**
 * Self-service messages on Teams, through the Connector at each conversation's own service URL: the
 * status card posted in the requester's thread and updated in place, replies in that thread, approvers'
 * cards in their 1:1 chats. Refs (threads.ts): `teams:<conversation>` a conversation,
 * `teams:<conversation>:<activity>` a message, `teams:<conversation>:<activity>:<root>` a reply in a
 * channel thread whose first message is `root`.
 */
import type { ChatNotifier, Reply } from '../../conversation/index.js';
import type { BotState } from '../../state/index.js';
import { formatRef, parseRef } from '../../threads.js';
import { type Connector, ConnectorError } from './connector.js';
import type { TeamsPeople } from './people.js';
import { toAdaptiveCard } from './render.js';

export function createTeamsNotifier(deps: { connector: Connector; state: BotState; people: TeamsPeople }): ChatNotifier {
  const { connector, state, people } = deps;
  const render = async (reply: Reply) => toAdaptiveCard(reply, await people.mentions(reply));

  async function place(ref: string): Promise<{ conversation: string; message?: string; root?: string; serviceUrl: string; kind: string }> {
    const { platform, conversation, message, root } = parseRef(ref);
    if (platform !== 'teams') throw new Error(`${ref} is not a Teams conversation`);
    const known = await state.conversation(formatRef({ platform, conversation }));
    if (!known) throw new Error(`Switchboard has no service URL for the Teams conversation ${conversation}: the bot must be added there first`);
    return { conversation, ...(message && { message }), ...(root && { root }), serviceUrl: known.serviceUrl, kind: known.kind };
  }

  /** Posts into a conversation, or into the thread of `root` (channels only: a 1:1 has no threads). */
  async function postTo(where: Awaited<ReturnType<typeof place>>, reply: Reply, root: string | undefined): Promise<string> {
    const threaded = root !== undefined && where.kind === 'channel';
    const activity = await render(reply);
    const { id } = threaded
      ? await connector.reply(where.serviceUrl, where.conversation, root, activity)
      : await connector.send(where.serviceUrl, where.conversation, activity);
    return formatRef({ platform: 'teams', conversation: where.conversation, message: id, ...(threaded && { root }) });
  }

  return {
    async post(where, reply) {
      const at = await place(where);
      return postTo(at, reply, at.message);
    },
    async edit(ref, reply) {
      const at = await place(ref);
      if (!at.message) throw new Error(`${ref} names no message to edit`);
      await connector.update(at.serviceUrl, at.conversation, at.message, await render(reply));
    },
    async reply(ref, reply) {
      const at = await place(ref);
      return postTo(at, reply, at.root ?? at.message);
    },
    async dm(person, reply) {
      const chat = await people.personalChat(person);
      if (!chat) return null;
      let id: string;
      try {
        ({ id } = await connector.send(chat.serviceUrl, chat.conversationId, await render(reply)));
      } catch (err) {
        // Said plainly: the requester reads it as why this approver cannot be reached.
        if (err instanceof ConnectorError && err.code === 'MessageWritesBlocked')
          throw new Error('they have blocked Switchboard in Teams (MessageWritesBlocked)', { cause: err });
        throw err;
      }
      return formatRef({ platform: 'teams', conversation: chat.conversationId, message: id });
    },
    async createChannel(name) {
      // Channels are created through Microsoft Graph (Channel.Create), which Switchboard does not call.
      throw new Error(
        `Switchboard cannot create the Teams channel ${name}: Teams channels are made through Microsoft Graph, which it does not call. Create the channel in Teams, or run the action with createChannel=false.`,
      );
    },
  };
}
