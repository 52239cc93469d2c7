import { webApi } from '@slack/bolt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startSlackEmulator, type SlackEmulator } from '../../testing/slack-emulator.js';
import { createSlackNotifier } from './notifier.js';
import { createPeopleResolver } from './people.js';

let emu: SlackEmulator;
beforeAll(async () => {
  emu = await startSlackEmulator({ channels: [{ id: 'CGENERAL', name: 'general' }] });
});
afterAll(() => emu.close());

it('sends no DM to a slack-user-id annotation that is not a Slack user id', async () => {
  const client = new webApi.WebClient('xoxb-test', { slackApiUrl: emu.url, retryConfig: { retries: 0 } });
  const notifier = createSlackNotifier(client, createPeopleResolver(client));
  const reply = { summary: 's', blocks: [], visibility: 'private' as const };
  for (const slackUserId of ['!channel', 'C0GENERAL', 'U1>|x <!channel']) {
    expect(await notifier.dm({ ref: 'user:default/m', displayName: 'M', email: null, chatIds: { slack: slackUserId } }, reply)).toBeNull();
  }
  expect(emu.callsTo('chat.postMessage')).toEqual([]);
});

it('takes the channel it made itself when a retried step finds the name taken, and refuses one someone else made', async () => {
  const client = new webApi.WebClient('xoxb-test', { slackApiUrl: emu.url, retryConfig: { retries: 0 } });
  const notifier = createSlackNotifier(client, createPeopleResolver(client));
  const first = await notifier.createChannel('svc-beans-api', []);
  const again = await notifier.createChannel('svc-beans-api', []);
  expect(again.ref).toBe(first.ref);
  expect(emu.callsTo('conversations.create')).toHaveLength(2);
  await expect(notifier.createChannel('general', [])).rejects.toThrow(/#general already exists and Switchboard did not create it/);
});
