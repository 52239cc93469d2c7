/**
 * Events: mentions answered in a thread; incident channels get one card per affected service, found
 * from the channel's name, topic and purpose when it is created, when the bot joins, when the bot is
 * mentioned there, and from later messages that name catalog entities. A service is never posted
 * twice in one channel: the claim is a row in SQLite, so this holds across restarts. A card that could
 * not be posted, or any other failure, is told to the person whose event it was (context.ts).
 */
import type { AllMiddlewareArgs, App, SlackEventMiddlewareArgs } from '@slack/bolt';
import { parseMention } from '../../../conversation/index.js';
import { answering, render, type SlackDeps } from '../context.js';
import { formatRef } from '../../../threads.js';

type WebClient = App['client'];

interface ChannelInfo {
  id: string;
  name?: string;
  topic?: string;
  purpose?: string;
}

const CHANNEL_TTL_MS = 5 * 60 * 1000;

export function registerEvents(app: App, deps: SlackDeps): void {
  const channels = new Map<string, { info: ChannelInfo; at: number }>();

  async function channelInfo(client: WebClient, id: string): Promise<ChannelInfo> {
    const hit = channels.get(id);
    if (hit && Date.now() - hit.at < CHANNEL_TTL_MS) return hit.info;
    const res = await client.conversations.info({ channel: id });
    const c = res.channel ?? {};
    const info = { id, name: c.name, topic: c.topic?.value, purpose: c.purpose?.value };
    channels.set(id, { info, at: Date.now() });
    return info;
  }

  // The core claims, posts through us and settles (conversation/incidents.ts); a failure is thrown to `answering`.
  async function postIncidentCards(client: WebClient, channel: string, texts: (string | undefined)[]): Promise<void> {
    await deps.conversation.postIncidentCards(
      deps.state,
      formatRef({ platform: 'slack', conversation: channel }),
      texts,
      async (card) => {
        const res = await client.chat.postMessage({ channel, ...(await render(deps, card)), unfurl_links: false });
        deps.count('incident_card');
        return res.ts ?? '';
      },
      (err) => (err as { data?: { error?: string } }).data?.error ?? (err as Error).message,
    );
  }

  type Args<E extends string> = SlackEventMiddlewareArgs<E> & AllMiddlewareArgs;

  app.event(
    'channel_created',
    answering<Args<'channel_created'>>(
      deps,
      ({ event }) => `the new channel #${event.channel.name}`,
      async ({ event, client }) => {
        const { id, name } = event.channel;
        if (!deps.conversation.isIncidentChannel(name)) return;
        // The bot must be a member to post; channels:join lets it join public channels by itself.
        await client.conversations.join({ channel: id });
        const info = await channelInfo(client, id).catch(() => ({ id, name }) as ChannelInfo);
        await postIncidentCards(client, id, [name, info.topic, info.purpose]);
      },
    ),
  );

  app.event(
    'member_joined_channel',
    answering<Args<'member_joined_channel'>>(
      deps,
      () => 'adding me to this channel',
      async ({ event, client, context }) => {
        if (event.user !== context.botUserId) return;
        const info = await channelInfo(client, event.channel);
        if (deps.conversation.isIncidentChannel(info.name)) await postIncidentCards(client, event.channel, [info.name, info.topic, info.purpose]);
      },
    ),
  );

  app.event(
    'app_mention',
    answering<Args<'app_mention'>>(
      deps,
      () => 'your mention',
      async ({ event, client }) => {
        // Another bot mentioning us would start a conversation between bots: answer people only.
        if (event.bot_id || event.subtype === 'bot_message') return;
        const info = await channelInfo(client, event.channel).catch(() => ({ id: event.channel }) as ChannelInfo);
        const intent = parseMention(event.text);
        if (deps.conversation.isIncidentChannel(info.name)) {
          await postIncidentCards(client, event.channel, [info.name, info.topic, info.purpose, 'query' in intent ? intent.query : undefined]);
          if (intent.kind === 'help') return;
        }
        deps.count(`mention:${intent.kind}`);
        const message = await render(deps, await deps.conversation.answer(intent, 'slack'));
        await client.chat.postMessage({ channel: event.channel, thread_ts: event.thread_ts ?? event.ts, ...message, unfurl_links: false });
      },
    ),
  );

  app.message(
    answering<Args<'message'>>(
      deps,
      () => 'your message in this incident channel',
      async ({ message, client }) => {
        if (message.subtype !== undefined || !('text' in message) || !message.text) return;
        const info = await channelInfo(client, message.channel).catch(() => undefined);
        if (info && deps.conversation.isIncidentChannel(info.name)) await postIncidentCards(client, message.channel, [message.text]);
      },
    ),
  );
}
