import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, LogLevel } from '@slack/bolt';
import { afterEach, expect, it } from 'vitest';
import { EXTERNAL } from './fixtures.js';
import { startSlackEmulator, type SlackEmulator } from './slack-emulator.js';
import { startSocketModeServer, type SocketModeServer } from './slack-socket.js';

// Every field of Slack's slash command payload, as the SDK's schema sample lists them.
const slashSample = JSON.parse(readFileSync(join(EXTERNAL, 'slack/sdk_schema_sample_SlashCommandPayload.json'), 'utf8')) as object;

let emu: SlackEmulator | undefined;
let server: SocketModeServer | undefined;
let app: App | undefined;

afterEach(async () => {
  // Stop the app first: a live SocketModeClient would reconnect (and call the emulator) when the server goes.
  await app?.stop();
  await server?.close();
  await emu?.close();
});

it('drives a socketMode Bolt app: slash command acked over the socket, answered via response_url and say()', async () => {
  emu = await startSlackEmulator();
  server = await startSocketModeServer();
  emu.setSocketUrl(server.url);
  app = new App({
    token: 'xoxb-test',
    appToken: 'xapp-test',
    socketMode: true,
    logLevel: LogLevel.ERROR,
    // App-level clientOptions do not reach the SocketModeClient; installerOptions.clientOptions does.
    installerOptions: { clientOptions: { slackApiUrl: emu.url } },
    clientOptions: { slackApiUrl: emu.url },
  });
  // The listener keeps running after ack(); the test waits for it so nothing is still in flight at teardown.
  let resolveDone!: () => void;
  const listenerDone = new Promise<void>((resolve) => (resolveDone = resolve));
  app.command('/ping', async ({ ack, respond, say, command }) => {
    await ack();
    await respond({ response_type: 'ephemeral', text: `pong ${command.text}` });
    await say('pong for everyone');
    resolveDone();
  });
  await app.start();
  await server.connected();
  expect(emu.callsTo('apps.connections.open')).toHaveLength(1);

  const responseUrl = emu.responseUrl('ping-1');
  const ack = await server.send({
    type: 'slash_commands',
    envelope_id: 'env-1',
    accepts_response_payload: true,
    payload: {
      ...slashSample,
      token: 'legacy-token',
      api_app_id: 'A1',
      team_id: 'T0001',
      team_domain: 'example',
      channel_id: 'C1',
      channel_name: 'payments',
      user_id: 'U123',
      user_name: 'ada',
      command: '/ping',
      text: 'hello',
      response_url: responseUrl,
      trigger_id: '1.2.abc',
    },
  });
  expect(ack).toEqual({ envelope_id: 'env-1', payload: {} }); // a bare ack() still carries an empty payload

  const response = await emu.waitForResponse((r) => r.id === 'ping-1');
  expect(response.body).toEqual({ response_type: 'ephemeral', text: 'pong hello' });
  await listenerDone;
  const posted = await emu.waitFor('chat.postMessage');
  expect(posted.args).toMatchObject({ channel: 'C1', text: 'pong for everyone' });
});
