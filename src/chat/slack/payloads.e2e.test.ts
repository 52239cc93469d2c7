/**
 * Payloads from Slack's own SDK (fixtures/external/slack), signed and sent as Slack would: each is
 * acknowledged with 200 well inside Slack's 3 seconds, and none breaks the bot.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalog, type Catalog } from '../../catalog/index.js';
import { createConversation } from '../../conversation/index.js';
import { Metrics } from '../../http/metrics.js';
import { startHttpServer } from '../../http/server.js';
import { openState, type BotState } from '../../state/index.js';
import { EXTERNAL, SAMPLE_CATALOG, tempTree, type TempTree } from '../../testing/fixtures.js';
import { startSlackEmulator, type SlackEmulator } from '../../testing/slack-emulator.js';
import { blockActionsBody, eventBody, postSigned, slashCommandBody } from '../../testing/slack-signing.js';
import { createSlackAdapter } from './adapter.js';

const SECRET = 'payload-secret';
const DIR = join(EXTERNAL, 'slack');
const errors: unknown[] = [];
const logger = pino({ level: 'error' }, { write: (line: string) => errors.push(JSON.parse(line)) });

let tree: TempTree;
let catalog: Catalog;
let state: BotState;
let emu: SlackEmulator;
let url: string;
let close: () => Promise<void>;

beforeAll(async () => {
  tree = tempTree();
  catalog = openCatalog(tree.path('c.db'));
  await catalog.ingest([SAMPLE_CATALOG]);
  state = openState(tree.path('c.db'));
  emu = await startSlackEmulator({ channels: [{ id: 'C123', name: 'general' }] });
  const adapter = createSlackAdapter({
    botToken: 'xoxb-t',
    signingSecret: SECRET,
    apiUrl: emu.url,
    conversation: createConversation({ catalog }),
    state,
    logger,
    retries: 0,
  });
  const http = await startHttpServer({ port: 0, host: '127.0.0.1', metrics: new Metrics(), logger, health: () => ({ status: 'ok' }), routes: adapter.routes });
  url = `http://127.0.0.1:${http.port}/slack/events`;
  close = http.close;
});

afterAll(async () => {
  await close();
  await emu.close();
  state.close();
  catalog.close();
  tree.cleanup();
});

/** The request body Slack would send for a fixture file, or null when Slack sends it otherwise than over HTTP. */
function requestBody(file: string, responseUrl = (id: string) => emu.responseUrl(id)): string | null {
  const text = readFileSync(join(DIR, file), 'utf8');
  // Slack's response_url cannot be reached from here: answers go to the emulator instead.
  const local = (fields: URLSearchParams) => (fields.has('response_url') && fields.set('response_url', responseUrl(file)), fields.toString());
  if (file.endsWith('.txt')) return local(new URLSearchParams(text.trim()));
  const json = JSON.parse(text) as Record<string, unknown>;
  if (json.type === 'event_callback' || json.type === 'url_verification') return JSON.stringify(json);
  if (json.type === 'block_actions') return blockActionsBody({ ...json, ...(json.response_url ? { response_url: responseUrl(file) } : {}) });
  // An inner event: wrap it in the envelope Slack sends.
  if (['channel_created', 'member_joined_channel', 'app_mention'].includes(String(json.type))) return eventBody(json);
  if ('command' in json) return local(new URLSearchParams(Object.entries(json).map(([k, v]): [string, string] => [k, String(v)])));
  return null; // the Socket Mode envelope is covered by the Socket Mode test
}

describe('payloads from Slack', () => {
  const files = readdirSync(DIR).filter((f) => /\.(json|txt)$/.test(f));

  it('the fixture folder has payloads to send', () => {
    expect(files.length).toBeGreaterThan(10);
  });

  for (const file of files) {
    // Known when collecting (the emulator is not up yet, so a placeholder response_url): skipped visibly.
    if (requestBody(file, () => 'http://127.0.0.1/unused') === null) {
      const why = file.startsWith('socket_mode')
        ? 'a Socket Mode envelope, covered by the Socket Mode test'
        : 'a schema sample with no request type, not a request Slack sends';
      it.skip(`acks ${file} (skipped: ${why})`, () => {});
      continue;
    }
    it(`acks ${file} with 200 within the 3-second window`, async () => {
      const body = requestBody(file);
      if (body === null) throw new Error(`${file} has no HTTP request body`);
      const started = performance.now();
      const res = await postSigned(url, SECRET, body);
      expect(res.status).toBe(200);
      expect(performance.now() - started).toBeLessThan(1000);
    });
  }

  it('logged no listener error for any of them', async () => {
    // A sentinel: a command sent after all of them, waited for until answered, instead of a sleep.
    await postSigned(url, SECRET, slashCommandBody({ command: '/whoowns', text: 'petstore', response_url: emu.responseUrl('sentinel') }));
    await emu.waitForResponse((r) => r.id === 'sentinel');
    expect(errors).toEqual([]);
  });
});
