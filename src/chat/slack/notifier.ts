/**
 * Self-service messages on Slack: the status message posted and edited in place, replies in its
 * thread, approvers' DMs, new channels. Message refs are `slack:<channel>:<ts>`, with the thread's
 * root appended (`slack:<channel>:<ts>:<root>`) when the message itself is a reply in a thread.
 */
import type { App } from '@slack/bolt';
import type { ChatNotifier, Reply } from '../../conversation/index.js';
import type { PeopleResolver } from './people.js';
import { isSlackUserId } from '../../conversation/safe-text.js';
import { toBlockKit } from './render.js';
import { formatRef, parseRef } from '../../threads.js';

type WebClient = App['client'];

export function parseSlackRef(ref: string): { channel: string; ts?: string; root?: string } {
  const { platform, conversation: channel, message: ts, root } = parseRef(ref);
  if (platform !== 'slack') throw new Error(`${ref} is not a Slack conversation`);
  return { channel, ...(ts && { ts }), ...(root && { root }) };
}

const slackError = (err: unknown) => (err as { data?: { error?: string } }).data?.error;

export function createSlackNotifier(client: WebClient, people: PeopleResolver): ChatNotifier {
  const render = async (reply: Reply) => toBlockKit(reply, await people.resolve(reply));

  async function postTo(channel: string, reply: Reply, threadTs?: string): Promise<string> {
    const message = { channel, ...(await render(reply)), ...(threadTs && { thread_ts: threadTs }), unfurl_links: false };
    let res;
    try {
      res = await client.chat.postMessage(message);
    } catch (err) {
      // A public channel the bot was never added to: join it (channels:join) and post again.
      if (slackError(err) !== 'not_in_channel') throw err;
      await client.conversations.join({ channel });
      res = await client.chat.postMessage(message);
    }
    const ts = res.ts as string;
    return formatRef({ platform: 'slack', conversation: res.channel ?? channel, message: ts, ...(threadTs && { root: threadTs }) });
  }

  return {
    async post(where, reply) {
      const { channel, ts } = parseSlackRef(where);
      return postTo(channel, reply, ts);
    },
    async edit(ref, reply) {
      const { channel, ts } = parseSlackRef(ref);
      if (!ts) throw new Error(`${ref} names no message to edit`);
      await client.chat.update({ channel, ts, ...(await render(reply)) });
    },
    async reply(ref, reply) {
      const { channel, ts, root } = parseSlackRef(ref);
      return postTo(channel, reply, root ?? ts);
    },
    async dm(person, reply) {
      const id = await people.idFor(person);
      // A catalog annotation is no proof of a Slack account: `!channel` or `C…` must not become a post there.
      if (!isSlackUserId(id)) return null;
      // Posting to a user id delivers into the app's DM with them; the answer names the D… channel.
      return postTo(id, reply);
    },
    async createChannel(name, invite) {
      const created = await createOrFindOwn(client, name);
      const channel = created.channel?.id as string;
      const ids = (await Promise.all(invite.map((p) => people.idFor(p)))).filter(isSlackUserId);
      if (ids.length) {
        try {
          await client.conversations.invite({ channel, users: [...new Set(ids)].join(',') });
        } catch (err) {
          if (slackError(err) !== 'already_in_channel') throw err;
        }
      }
      return {
        ref: formatRef({ platform: 'slack', conversation: channel }),
        name: created.channel?.name ?? name,
        url: `https://slack.com/app_redirect?channel=${channel}`,
      };
    },
  };
}

/**
 * Creates the channel; when the name is taken by a channel this bot created (a retried step whose first
 * attempt made it before its worker died), that channel is the one. A channel someone else made under
 * the name is theirs: the step fails and says so.
 */
async function createOrFindOwn(client: WebClient, name: string): Promise<{ channel?: { id?: string; name?: string } }> {
  try {
    return await client.conversations.create({ name, is_private: false });
  } catch (err) {
    if (slackError(err) !== 'name_taken') throw err;
    const me = (await client.auth.test()).user_id;
    let cursor: string | undefined;
    do {
      const page = await client.conversations.list({ types: 'public_channel', exclude_archived: true, limit: 1000, ...(cursor && { cursor }) });
      const own = page.channels?.find((c) => c.name === name && c.creator === me);
      if (own) return { channel: own };
      cursor = page.response_metadata?.next_cursor || undefined;
    } while (cursor);
    throw new Error(`Slack channel #${name} already exists and Switchboard did not create it; choose another name or run without a channel`, { cause: err });
  }
}
