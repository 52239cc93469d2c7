/**
 * `/switchboard health [team]` end to end over Slack: signed slash commands into the adapter on a real
 * HTTP server, answers posted to the Web API emulator's response_url, a real SQLite catalog with known
 * gaps (fixtures/health) and a real state file keeping the questions asked before.
 */
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Catalog, openCatalog } from '../catalog/index.js';
import { createSlackAdapter } from '../chat/slack/adapter.js';
import { createConversation } from '../conversation/index.js';
import { Metrics } from '../http/metrics.js';
import { startHttpServer } from '../http/server.js';
import { openState, type BotState } from '../state/index.js';
import { openTruth } from '../state/truth.js';
import { tempTree } from '../testing/fixtures.js';
import { startSlackEmulator, type SlackEmulator } from '../testing/slack-emulator.js';
import { postSigned, slashCommandBody } from '../testing/slack-signing.js';
import { healthForChat } from './for-chat.js';
import { questionRecorder } from './questions.js';

const SECRET = 'health-signing-secret';
const FIXTURE = fileURLToPath(new URL('../../fixtures/health', import.meta.url));
const logger = pino({ level: 'silent' });
const tree = tempTree('switchboard-health-slack-');
let catalog: Catalog;
let truth: ReturnType<typeof openTruth>;
let state: BotState;
let emu: SlackEmulator;
let url: string;
let closeHttp: () => Promise<void>;

beforeAll(async () => {
  catalog = openCatalog(tree.path('catalog.db'));
  await catalog.ingest([FIXTURE]);
  truth = openTruth(tree.path('state.db'));
  state = openState(tree.path('state.db'));
  emu = await startSlackEmulator({ users: [{ id: 'U0ASKER', email: 'asker@example.com' }], channels: [{ id: 'CGEN', name: 'general' }] });
  const conversation = createConversation({ catalog, recordQuestion: questionRecorder(truth, logger), health: healthForChat({ catalog, truth }) });
  const adapter = createSlackAdapter({ botToken: 'xoxb-test', signingSecret: SECRET, apiUrl: emu.url, conversation, state, logger, retries: 1 });
  const http = await startHttpServer({ port: 0, host: '127.0.0.1', metrics: new Metrics(), logger, health: () => ({ status: 'ok' }), routes: adapter.routes });
  url = `http://127.0.0.1:${http.port}/slack/events`;
  closeHttp = () => http.close();
});
afterAll(async () => {
  await closeHttp();
  await emu.close();
  state.close();
  truth.close();
  catalog.close();
  tree.cleanup();
});

/** Sends a signed slash command and returns the blocks posted to its response_url, as text. */
async function command(name: string, text: string, id: string) {
  const res = await postSigned(url, SECRET, slashCommandBody({ command: name, text, response_url: emu.responseUrl(id) }));
  expect(res.status).toBe(200);
  const answer = await emu.waitForResponse((r) => r.id === id);
  return { type: answer.body.response_type, blocks: JSON.stringify(answer.body.blocks ?? []) };
}

describe('/switchboard health over Slack', () => {
  it('answers privately with coverage over the Components and what to fix', async () => {
    const answer = await command('/switchboard', 'health', 'all');
    expect(answer.type).toBe('ephemeral');
    expect(answer.blocks).toContain('4 Components');
    expect(answer.blocks).toContain('Owning team');
    expect(answer.blocks).toContain('component:default/orphan');
    expect(answer.blocks).toContain('group:default/nobody names no entity');
    expect(answer.blocks).toMatch(/broken\.yaml/);
  });

  it("narrows to one team's Components", async () => {
    const answer = await command('/switchboard', 'health payments', 'team');
    expect(answer.blocks).toContain('group:default/payments');
    expect(answer.blocks).toContain('2 Components');
    expect(answer.blocks).not.toContain('component:default/orphan');
  });

  it('says so when the team is not in the catalog', async () => {
    const answer = await command('/switchboard', 'health no-such-team', 'unknown');
    expect(answer.blocks).toContain('No Group named \\"no-such-team\\" in the catalog.');
  });

  it('counts what people asked and did not find among the gaps', async () => {
    await command('/whoowns', 'warehouse-robots', 'q1');
    await command('/whoowns', 'Warehouse-Robots', 'q2');
    await vi.waitFor(async () => expect((await truth.questionCounts({ since: 0, status: 'not_found' }))[0]?.count).toBe(2));
    const answer = await command('/switchboard', 'health', 'gaps');
    expect(answer.blocks).toContain('\\"warehouse-robots\\" ×2');
  });
});
