import { webApi } from '@slack/bolt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startSlackEmulator, type SlackEmulator } from '../../testing/slack-emulator.js';
import { createSlackNotifier } from './notifier.js';
import { createPeopleResolver } from './people.js';

let emu: SlackEmulator;
beforeAll(async () => {
  emu = await startSlackEmulator();
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
