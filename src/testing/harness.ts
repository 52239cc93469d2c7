/**
 * Test support for self-service end to end: the real application (startApp) on a temporary SQLite
 * file, a real Temporal dev server, the Slack Web API emulator with the sample catalog's people, a
 * webhook receiver on loopback that checks signatures and calls back (hook-receiver.ts), and helpers
 * that send signed Slack commands, clicks and modal submissions the way Slack does.
 */
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';
import pino, { type Logger } from 'pino';
import { type App, type Mode, startApp } from '../app.js';
import { loadConfig } from '../config.js';
import type { Settings } from '../settings/index.js';
import { SAMPLE_CATALOG, tempTree, type TempTree } from './fixtures.js';
import { HOOK_SECRET, startHookReceiver, type HookReceiver } from './hook-receiver.js';
import { startSlackEmulator, type SlackEmulator } from './slack-emulator.js';
import type { TeamsEmulator } from './teams-emulator.js';
import { blockActionsBody, postSigned, slashCommandBody } from './slack-signing.js';

export { HOOK_SECRET, startHookReceiver, type HookCall, type HookReceiver } from './hook-receiver.js';

export const SIGNING_SECRET = 'self-service-signing-secret';
const ACTIONS = fileURLToPath(new URL('../../manifests/actions/', import.meta.url));
const TEMPLATES = fileURLToPath(new URL('../../manifests/templates/', import.meta.url));

interface UserDoc {
  metadata: { name: string; annotations?: Record<string, string> };
  spec?: { profile?: { email?: string } };
}

/**
 * The sample catalog's people as Slack users: their `switchboard.dev/slack-user-id` annotation where
 * they have one, else `U` + their name in capitals (UDIEGOALVAREZ), matched by e-mail.
 */
export function slackUsers(): { id: string; email: string; name: string }[] {
  const docs = yaml.loadAll(readFileSync(`${SAMPLE_CATALOG}/org/users.yaml`, 'utf8')) as UserDoc[];
  return docs
    .filter((d) => d?.spec?.profile?.email)
    .map((d) => ({
      id: d.metadata.annotations?.['switchboard.dev/slack-user-id'] ?? `U${d.metadata.name.replace(/-/g, '').toUpperCase()}`,
      email: d.spec?.profile?.email as string,
      name: d.metadata.name,
    }));
}
export const slackId = (name: string): string => {
  const user = slackUsers().find((u) => u.name === name);
  if (!user) throw new Error(`no user ${name} in the sample catalog`);
  return user.id;
};

/** The TEAMS_* variables that point the bot at a Teams emulator. */
export function teamsEnv(teams: TeamsEmulator): Record<string, string> {
  return {
    TEAMS_APP_ID: teams.appId,
    TEAMS_APP_PASSWORD: teams.appPassword,
    TEAMS_TENANT_ID: teams.tenantId,
    TEAMS_OPENID_METADATA_URL: teams.openIdMetadataUrl,
    TEAMS_TOKEN_ISSUER: teams.issuer,
    TEAMS_LOGIN_ENDPOINT: teams.loginEndpoint,
  };
}

export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** The shipped actions, their webhook URLs pointed at the receiver; `extra` adds files. */
export function writeActions(tree: TempTree, hookUrl: string, extra: Record<string, string> = {}): string {
  const dir = tree.path('actions');
  cpSync(ACTIONS, dir, { recursive: true });
  for (const [name, text] of Object.entries(extra)) writeFileSync(`${dir}/${name}`, text);
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
    const path = `${dir}/${file}`;
    writeFileSync(path, readFileSync(path, 'utf8').replace(/https:\/\/(infra|deploy)\.quillmere\.example/g, hookUrl));
  }
  return dir;
}

export interface Harness {
  tree: TempTree;
  app: App;
  emu: SlackEmulator;
  hooks: HookReceiver;
  slackUrl: string;
  baseUrl: string;
  env: Record<string, string>;
  command(user: string, command: string, text: string, channel?: { id: string; name: string }): Promise<Response>;
  click(user: string, value: string, message?: { channel: string; ts: string; text?: string }): Promise<Response>;
  submit(user: string, view: Record<string, unknown>, values: Record<string, unknown>): Promise<Response>;
  /** What Slack sends as someone types in an external_select of a form. */
  suggest(user: string, view: Record<string, unknown>, blockId: string, value: string): Promise<Response>;
  stop(): Promise<void>;
}

export interface HarnessOptions {
  temporalAddress: string;
  taskQueue: string;
  mode?: Mode;
  extraActions?: Record<string, string>;
  /** Templates folder (default: manifests/templates). */
  templates?: string;
  tree?: TempTree;
  /** Where the terminal chat's self-service messages go (`shell:` threads). */
  shellOutput?: NodeJS.WritableStream;
  hooks?: HookReceiver;
  emu?: SlackEmulator;
  /** Variables set over the defaults (a planted secret, another remote). */
  env?: Record<string, string>;
  /** The application's logger (default: silent). */
  logger?: Logger;
  /** Serve Teams too, against this emulator (TEAMS_* pointed at it). */
  teams?: TeamsEmulator;
  /** The config file's settings (default none). */
  settings?: Settings;
}

/** Values as Slack puts them in view.state.values, from plain values by block id. */
export function stateValues(view: { blocks?: { type: string; block_id?: string; element?: { type: string } }[] }, values: Record<string, unknown>) {
  const state: Record<string, Record<string, unknown>> = {};
  for (const b of view.blocks ?? []) {
    if (b.type !== 'input' || !b.block_id || !b.element) continue;
    const v = values[b.block_id];
    const type = b.element.type;
    if (type === 'checkboxes') state[b.block_id] = { value: { type, selected_options: v ? [{ value: 'true' }] : [] } };
    else if (type === 'static_select' || type === 'external_select')
      state[b.block_id] = { value: { type, selected_option: v === undefined ? null : { value: String(v) } } };
    else state[b.block_id] = { value: { type, value: v === undefined ? null : String(v) } };
  }
  return state;
}

export async function startHarness(opts: HarnessOptions): Promise<Harness> {
  const tree = opts.tree ?? tempTree('switchboard-selfservice-');
  const hooks = opts.hooks ?? (await startHookReceiver());
  const emu =
    opts.emu ??
    (await startSlackEmulator({
      users: slackUsers(),
      channels: [
        { id: 'CGENERAL', name: 'general' },
        { id: 'CINCPAY', name: 'inc-payments-api-errors', topic: 'payments-api 500s' },
      ],
      privateChannels: ['GPRIVATE'],
    }));
  const port = await freePort();
  const env: Record<string, string> = {
    SWITCHBOARD_DB: tree.path('data/switchboard.db'),
    SWITCHBOARD_CATALOG: SAMPLE_CATALOG,
    SWITCHBOARD_ACTIONS: writeActions(tree, hooks.url, opts.extraActions),
    SWITCHBOARD_TEMPLATES: opts.templates ?? TEMPLATES,
    SWITCHBOARD_GIT_REMOTE: tree.path('remotes'),
    SWITCHBOARD_PUBLIC_URL: `http://127.0.0.1:${port}`,
    SWITCHBOARD_DEPLOY_TOKEN: 'deploy-token-0123456789abcdef',
    PORT: String(port),
    LOG_LEVEL: 'silent',
    SLACK_BOT_TOKEN: 'xoxb-self-service',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: emu.url,
    TEMPORAL_ADDRESS: opts.temporalAddress,
    TEMPORAL_TASK_QUEUE: opts.taskQueue,
    TEMPORAL_UI_URL: 'http://temporal-ui.test:8080',
    PROVISION_HOOK_SECRET: HOOK_SECRET,
    DEPLOY_HOOK_SECRET: HOOK_SECRET,
    ...(opts.teams && teamsEnv(opts.teams)),
    ...opts.env,
  };
  const config = loadConfig(env);
  const app = await startApp({
    mode: opts.mode ?? 'start',
    config,
    dbFile: env.SWITCHBOARD_DB as string,
    env,
    logger: opts.logger ?? pino({ level: 'silent' }),
    host: '127.0.0.1',
    ...(opts.settings && { settings: opts.settings }),
    ...(opts.shellOutput && { shellOutput: { stream: opts.shellOutput, color: false } }),
  });
  await app.workerReady;
  const baseUrl = `http://127.0.0.1:${app.port}`;
  const slackUrl = `${baseUrl}/slack/events`;
  const user = (id: string) => ({ id, username: id.toLowerCase(), name: id.toLowerCase(), team_id: 'T0001' });

  return {
    tree,
    app,
    emu,
    hooks,
    slackUrl,
    baseUrl,
    env,
    command: (userId, command, text, channel = { id: 'CGENERAL', name: 'general' }) =>
      postSigned(
        slackUrl,
        SIGNING_SECRET,
        slashCommandBody({
          command,
          text,
          user_id: userId,
          channel_id: channel.id,
          channel_name: channel.name,
          trigger_id: emu.trigger(userId),
          response_url: emu.responseUrl(`${userId}-${Date.now()}-${Math.random()}`),
        }),
      ),
    click: (userId, value, message = { channel: 'DUNKNOWN', ts: '1.000001' }) =>
      postSigned(
        slackUrl,
        SIGNING_SECRET,
        blockActionsBody({
          type: 'block_actions',
          user: user(userId),
          api_app_id: 'A0001',
          token: 'legacy',
          team: { id: 'T0001', domain: 'example' },
          container: { type: 'message', message_ts: message.ts, channel_id: message.channel, is_ephemeral: false },
          trigger_id: emu.trigger(userId),
          channel: { id: message.channel, name: 'directmessage' },
          message: { type: 'message', ts: message.ts, text: message.text ?? 'request' },
          response_url: emu.responseUrl(`click-${userId}-${Date.now()}-${Math.random()}`),
          actions: [{ type: 'button', action_id: 'sb:0', block_id: 'b0', value, text: { type: 'plain_text', text: 'x' }, action_ts: `${Date.now() / 1000}` }],
        }),
      ),
    submit: (userId, view, values) =>
      postSigned(
        slackUrl,
        SIGNING_SECRET,
        blockActionsBody({
          type: 'view_submission',
          team: { id: 'T0001', domain: 'example' },
          user: user(userId),
          api_app_id: 'A0001',
          token: 'legacy',
          trigger_id: emu.trigger(userId),
          view: {
            ...view,
            id: (view.id as string | undefined) ?? 'V0001',
            team_id: 'T0001',
            state: { values: stateValues(view as never, values) },
            hash: 'h',
            app_id: 'A0001',
            bot_id: 'B0001',
          },
        }),
      ),
    suggest: (userId, view, blockId, value) =>
      postSigned(
        slackUrl,
        SIGNING_SECRET,
        blockActionsBody({
          type: 'block_suggestion',
          user: user(userId),
          team: { id: 'T0001', domain: 'example' },
          api_app_id: 'A0001',
          token: 'legacy',
          container: { type: 'view', view_id: 'V0001' },
          action_id: 'value',
          block_id: blockId,
          value,
          view: { ...view, id: 'V0001', team_id: 'T0001', state: { values: {} }, hash: 'h' },
        }),
      ),
    async stop() {
      await app.stop();
      if (!opts.emu) await emu.close();
      if (!opts.hooks) await hooks.close();
      if (!opts.tree) tree.cleanup();
    },
  };
}
