/**
 * The on-call line end to end: descriptors with only the PagerDuty or Opsgenie annotation, the vendor's
 * emulator on loopback, a signed `/whoowns` into the Slack adapter, and the answer at its response_url
 * naming who the provider has on call (as a Slack mention, matched by e-mail to a catalog User).
 */
import { PassThrough, Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runShell } from '../chat/shell/shell.js';
import { createSlackAdapter } from '../chat/slack/adapter.js';
import { openCatalog, type Catalog } from '../catalog/index.js';
import { type Conversation, createConversation } from '../conversation/index.js';
import { Metrics } from '../http/metrics.js';
import { startHttpServer } from '../http/server.js';
import { openState } from '../state/index.js';
import { tempTree, type TempTree } from '../testing/fixtures.js';
import { startOpsgenieEmulator, type OpsgenieEmulator } from '../testing/opsgenie-emulator.js';
import { startPagerDutyEmulator, type PagerDutyEmulator } from '../testing/pagerduty-emulator.js';
import { startSlackEmulator, type SlackEmulator } from '../testing/slack-emulator.js';
import { postSigned, slashCommandBody } from '../testing/slack-signing.js';
import { createOnCallProviders } from './table.js';

const SECRET = 'test-signing-secret';
const NOW = new Date('2026-11-24T08:00:00Z');
const now = () => NOW;

const CATALOG = `
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: { name: team-payments }
spec: { type: team, children: [] }
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata:
  name: alice
  annotations: { switchboard.dev/slack-user-id: U0ALICE }
spec: { profile: { displayName: Alice Okafor, email: alice@example.com }, memberOf: [team-payments] }
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: payments-api
  annotations: { pagerduty.com/service-id: PSVC }
spec: { type: service, lifecycle: production, owner: team-payments }
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: ledger
  annotations: { opsgenie.com/team: ledger-team }
spec: { type: service, lifecycle: production, owner: team-payments }
`;

let tree: TempTree;
let catalog: Catalog;
let slack: SlackEmulator;
let pd: PagerDutyEmulator;
let og: OpsgenieEmulator;
let url: string;
let conversation: Conversation;
let closeBot: () => Promise<void>;

beforeAll(async () => {
  tree = tempTree();
  tree.write('catalog/catalog-info.yaml', CATALOG);
  catalog = openCatalog(tree.path('catalog.db'));
  await catalog.ingest([tree.path('catalog')]);
  slack = await startSlackEmulator({ users: [] });
  pd = await startPagerDutyEmulator({
    now,
    account: {
      users: [{ id: 'PALICE', name: 'Alice (PagerDuty)', email: 'alice@example.com' }],
      schedules: [{ id: 'PDAY', name: 'Payments primary', time_zone: 'UTC', rotation: { userIds: ['PALICE'], start: '2026-11-24T00:00:00Z', shiftHours: 12 } }],
      escalationPolicies: [{ id: 'PPAY', name: 'Payments', rules: [{ targets: [{ type: 'schedule_reference', id: 'PDAY' }] }] }],
      services: [{ id: 'PSVC', name: 'payments-api', escalationPolicyId: 'PPAY' }],
    },
  });
  og = await startOpsgenieEmulator({
    now,
    account: {
      users: [{ id: 'u-zoe', username: 'zoe@example.com', fullName: 'Zoe' }],
      teams: [{ id: 't-ledger', name: 'ledger-team' }],
      schedules: [
        {
          id: 's-ledger',
          name: 'ledger_schedule',
          timezone: 'UTC',
          enabled: true,
          ownerTeamId: 't-ledger',
          rotations: [{ id: 'r1', name: 'primary', participants: ['zoe@example.com'], startDate: '2026-11-20T09:00:00Z', type: 'weekly', length: 1 }],
        },
      ],
    },
  });
  const onCall = createOnCallProviders(
    { PAGERDUTY_API_TOKEN: pd.token, PAGERDUTY_API_URL: pd.url, OPSGENIE_API_KEY: og.apiKey, OPSGENIE_API_URL: og.url },
    { personByEmail: (email) => catalog.person(email), scheduleOnCall: (ref, at) => catalog.scheduleOnCall(ref, at), now, timeoutMs: 500 },
  );
  const state = openState(tree.path('state.db'));
  conversation = createConversation({ catalog, now, onCall });
  const logger = pino({ level: 'silent' });
  const adapter = createSlackAdapter({ botToken: 'xoxb-test', signingSecret: SECRET, apiUrl: slack.url, conversation, state, logger, retries: 1 });
  const http = await startHttpServer({ port: 0, host: '127.0.0.1', metrics: new Metrics(), logger, health: () => ({ status: 'ok' }), routes: adapter.routes });
  url = `http://127.0.0.1:${http.port}/slack/events`;
  closeBot = async () => {
    await http.close();
    state.close();
  };
});

afterAll(async () => {
  await closeBot();
  await Promise.all([slack.close(), pd.close(), og.close()]);
  catalog.close();
  tree.cleanup();
});
afterEach(() => slack.reset());

async function whoowns(text: string, id: string): Promise<string> {
  const res = await postSigned(url, SECRET, slashCommandBody({ command: '/whoowns', text, response_url: slack.responseUrl(id) }));
  expect(res.status).toBe(200);
  const answer = await slack.waitForResponse((r) => r.id === id);
  return JSON.stringify(answer.body.blocks ?? []);
}

describe('/whoowns with on-call providers', () => {
  it('shows Opsgenie’s on-call in the terminal chat too, with where it came from', async () => {
    const input = new PassThrough();
    let out = '';
    const output = new Writable({ write: (c, _e, done) => ((out += String(c)), done()) });
    const done = runShell({ conversation, input, output, interactive: false, color: false });
    input.end('/whoowns ledger\n');
    await done;
    expect(out).toMatch(/zoe@example\.com \(ledger_schedule\) until .* · Opsgenie/);
  });

  it('shows PagerDuty’s on-call for a service named only by its annotation, as the catalog User’s Slack mention', async () => {
    const blocks = await whoowns('payments-api', 'pd');
    expect(blocks).toContain('<@U0ALICE>');
    expect(blocks).toContain('PagerDuty');
    expect(blocks).toContain('Payments primary');
    expect(blocks).toContain(String(Date.parse('2026-11-24T12:00:00Z') / 1000)); // the shift's end, as a Slack date
    expect(pd.requests.map((r) => r.path)).toEqual(['/services/PSVC', '/oncalls']);
  });

  it('shows Opsgenie’s on-call for a team with no catalog User, by e-mail', async () => {
    const blocks = await whoowns('ledger', 'og');
    expect(blocks).toContain('zoe@example.com');
    expect(blocks).toContain('Opsgenie');
  });

  it('says the on-call is unknown when PagerDuty does not answer, naming nobody', async () => {
    await pd.die('hang');
    // Past the 60 s cache of the first test's answer, with the provider silent.
    const later = new Date(NOW.getTime() + 61_000);
    NOW.setTime(later.getTime());
    const blocks = await whoowns('payments-api', 'dead');
    const onCallField = /\*On call now\*\\n([^"]*)"/.exec(blocks)?.[1];
    expect(onCallField).toBe('unknown — PagerDuty did not answer');
  });
});
