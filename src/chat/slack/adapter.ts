/**
 * The Slack adapter: a Bolt app whose receiver does transport only (signature check, ack, Socket Mode)
 * and whose listeners hand everything to the conversation core. HTTP mode mounts Bolt's request
 * listener on Switchboard's own server at POST /slack/events; Socket Mode needs no public URL.
 */
import { App, HTTPReceiver, LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from 'pino';
import type { Conversation } from '../../conversation/index.js';
import type { BotState } from '../../state/index.js';
import { registerActions } from './listeners/actions.js';
import { registerCommands } from './listeners/commands.js';
import { registerEvents } from './listeners/events.js';
import { registerSelfService } from './listeners/requests.js';
import { registerPage } from './listeners/page.js';
import { registerAttestation } from './listeners/attestation.js';
import { createSlackNotifier } from './notifier.js';
import type { CatalogPersonLookup } from '../../conversation/identity.js';
import { createIdentityResolver, createPeopleResolver } from './people.js';
import type { ChatSurface } from '../surface.js';

export interface SlackAdapterConfig {
  botToken: string;
  /** HTTP mode: requests are verified with it. */
  signingSecret?: string;
  /** Socket Mode when set. */
  appToken?: string;
  /** Web API base URL override (an emulator in tests). */
  apiUrl?: string;
  conversation: Conversation;
  state: BotState;
  logger: Logger;
  count?: (what: string) => void;
  /** Retries of failed Web API calls; rate-limited calls are retried after Retry-After regardless. */
  retries?: number;
  /** The catalog User with an e-mail address: who a Slack user is for self-service. */
  person?: CatalogPersonLookup;
}

export interface SlackAdapter extends ChatSurface {
  mode: 'http' | 'socket';
}

function boltLogger(logger: Logger): BoltLogger {
  const log = logger.child({ component: 'slack' });
  let level = LogLevel.INFO;
  return {
    debug: (...m) => log.debug(m.join(' ')),
    info: (...m) => log.info(m.join(' ')),
    warn: (...m) => log.warn(m.join(' ')),
    error: (...m) => log.error(m.join(' ')),
    setLevel: (l) => (level = l),
    getLevel: () => level,
    setName: () => {},
  };
}

export function createSlackAdapter(config: SlackAdapterConfig): SlackAdapter {
  const { logger } = config;
  const socket = Boolean(config.appToken);
  if (!socket && !config.signingSecret) throw new Error('Slack over HTTP needs SLACK_SIGNING_SECRET');
  const clientOptions = {
    ...(config.apiUrl ? { slackApiUrl: config.apiUrl } : {}),
    retryConfig: { retries: config.retries ?? 3, factor: 2, minTimeout: 500, maxTimeout: 5000 },
  };
  const receiver = socket
    ? undefined
    : new HTTPReceiver({
        signingSecret: config.signingSecret as string,
        endpoints: '/slack/events',
        processBeforeResponse: false,
        logger: boltLogger(logger),
      });
  const app = new App({
    token: config.botToken,
    logger: boltLogger(logger),
    clientOptions,
    ...(socket ? { socketMode: true, appToken: config.appToken, installerOptions: { clientOptions } } : { receiver }),
  });

  // Slack retries an event it thinks we missed, and may deliver one twice: answer each event id once,
  // across restarts. Commands and clicks are not retried by Slack, so they need no claim.
  app.use(async ({ body, next, context }) => {
    const eventId = (body as { event_id?: string }).event_id;
    if (eventId && !(await config.state.claimDelivery(`slack:event:${eventId}`))) {
      logger.info({ eventId, retryNum: context.retryNum, retryReason: context.retryReason }, 'duplicate Slack event dropped');
      return;
    }
    await next();
  });
  app.error(async (error) => {
    logger.error({ err: error }, 'Slack listener failed');
  });

  const people = createPeopleResolver(app.client);
  const deps = {
    conversation: config.conversation,
    state: config.state,
    people,
    identify: createIdentityResolver(app.client, config.person ?? (() => null)),
    logger,
    count: config.count ?? (() => {}),
  };
  registerCommands(app, deps);
  registerActions(app, deps);
  registerEvents(app, deps);
  registerSelfService(app, deps);
  registerPage(app, deps);
  registerAttestation(app, deps);

  return {
    platform: 'slack',
    mode: socket ? 'socket' : 'http',
    describe: () => (socket ? 'Slack connected over Socket Mode' : 'Slack requests served at POST /slack/events'),
    routes: receiver ? { 'POST /slack/events': (req, res) => receiver.requestListener(req, res) } : {},
    notifier: createSlackNotifier(app.client, people),
    async start() {
      if (socket) await app.start();
    },
    async stop() {
      if (socket) await app.stop();
    },
  };
}
