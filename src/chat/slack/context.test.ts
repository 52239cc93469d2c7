/** A failing listener always answers: the ack where Slack shows it, else the person, through the Web API emulator. */
import { webApi } from '@slack/bolt';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSlackEmulator, type SlackEmulator } from '../../testing/slack-emulator.js';
import { answering, type SlackDeps } from './context.js';

let emu: SlackEmulator;
let client: webApi.WebClient;
const deps = { logger: pino({ level: 'silent' }) } as unknown as SlackDeps;

beforeAll(async () => {
  emu = await startSlackEmulator();
  client = new webApi.WebClient('xoxb-test', { slackApiUrl: emu.url, retryConfig: { retries: 0 } });
});
afterAll(() => emu.close());

/** The ack a listener sent, recorded as Slack's receiver would send it. */
function acks() {
  const sent: unknown[] = [];
  return { sent, ack: async (response?: never) => void sent.push(response ?? null) };
}

const fails = async (): Promise<void> => {
  throw Object.assign(new Error('catalog is gone\nstack line'), { code: 'read_failed' });
};

describe('answering', () => {
  it('a picker search that fails before ack answers with one option saying so', async () => {
    const { sent, ack } = acks();
    await answering(deps, () => 'the search', fails)({ ack, client, body: { type: 'block_suggestion', user: { id: 'U0A' } } });
    expect(sent).toEqual([{ options: [{ text: { type: 'plain_text', text: '⚠️ Search failed: catalog is gone' }, value: 'sb:error' }] }]);
  });

  it('a modal submission that fails before ack keeps the modal open with the error on its first input', async () => {
    const { sent, ack } = acks();
    const body = { type: 'view_submission', user: { id: 'U0A' }, view: { blocks: [{ type: 'section' }, { type: 'input', block_id: 'name' }] } };
    await answering(deps, () => 'the form', fails)({ ack, client, body });
    expect(sent).toEqual([{ response_action: 'errors', errors: { name: 'Could not submit: catalog is gone' } }]);
  });

  it('a modal submission that fails after ack tells the person by DM', async () => {
    const { sent, ack } = acks();
    const body = { type: 'view_submission', user: { id: 'U0A' }, view: { blocks: [] } };
    await answering(
      deps,
      () => 'the form',
      async ({ ack: a }) => (await a!(), fails()),
    )({ ack, client, body });
    expect(sent).toEqual([null]);
    const dm = await emu.waitFor('chat.postMessage', (c) => c.args.channel === 'U0A');
    expect(JSON.stringify(dm.args.blocks)).toContain('could not answer the form: catalog is gone');
    expect(JSON.stringify(dm.args.blocks)).toContain('read_failed');
  });

  it('a listener that succeeds is left alone', async () => {
    const { sent, ack } = acks();
    await answering(
      deps,
      () => 'x',
      async ({ ack: a }) => a!(),
    )({ ack, client, body: { type: 'block_actions' } });
    expect(sent).toEqual([null]);
  });
});
