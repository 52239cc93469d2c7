/**
 * The Teams adapter: the Teams SDK (`@microsoft/teams.apps`) mounted on Switchboard's own HTTP server at
 * POST /api/messages through the SDK's server-adapter interface, behind our own token check, with every
 * outbound call made by our Connector client at each conversation's own service URL.
 *
 * Two things the SDK (2.0.16) does not do for us: its secret-based token path goes through MSAL, which
 * refuses a non-Microsoft authority, so the bot's token is requested from TEAMS_LOGIN_ENDPOINT here
 * (token.ts) and handed to the SDK's `token` option; and its key-set URL is derived by rewriting
 * `/openidconfiguration` to `/keys`, so our verifier (auth.ts) reads `jwks_uri` and config.ts requires
 * the metadata URL to end in `/openidconfiguration`. Both checks must pass: ours is strict (RS256, exact
 * audience, a serviceurl claim equal to the activity's, endorsements), the SDK's runs after it.
 */
import { App, type IHttpServerAdapter } from '@microsoft/teams.apps';
import { PUBLIC, withOverrides } from '@microsoft/teams.api';
import type { Logger } from 'pino';
import { catalogIdentity } from '../../conversation/identity.js';
import { json, readBody } from '../../http/body.js';
import type { Route } from '../../http/server.js';
import type { ChatSurface, SurfaceDeps } from '../surface.js';
import { createTokenVerifier } from './auth.js';
import { createConnector } from './connector.js';
import type { TeamsDeps } from './context.js';
import { registerTeamsListeners } from './listeners.js';
import { createTeamsNotifier } from './notifier.js';
import { createTeamsPeople } from './people.js';
import { createBotTokenSource } from './token.js';
import { createSeal } from './seal.js';

/** Bot Framework activities are small; a card action with a form is the largest (well under this). */
const MAX_BODY = 512 * 1024;

type HttpHandler = Parameters<IHttpServerAdapter['registerRoute']>[2];

/** The SDK's logger interface over pino, at the SDK's level of detail minus its debug chatter. */
function sdkLogger(logger: Logger) {
  const make = (log: Logger): ConstructorParameters<typeof App>[0] extends infer O ? (O extends { logger?: infer L } ? L : never) : never => {
    const text = (m: unknown[]) => m.map((x) => (typeof x === 'string' ? x : x instanceof Error ? x.message : JSON.stringify(x))).join(' ');
    // The SDK logs every activity at debug: nothing is formatted unless its level is on.
    const at =
      (level: 'trace' | 'debug' | 'warn' | 'error') =>
      (...m: unknown[]) => {
        if (log.isLevelEnabled(level)) log[level](text(m));
      };
    return {
      debug: at('trace'),
      trace: at('trace'),
      info: at('debug'),
      warn: at('warn'),
      error: at('error'),
      log: (level: string, ...m: unknown[]) => at(level === 'error' ? 'error' : level === 'warn' ? 'warn' : 'debug')(...m),
      child: (name: string) => make(log.child({ sdk: name })),
    } as never;
  };
  return make(logger.child({ component: 'teams-sdk' }));
}

export function createTeamsAdapter(deps: SurfaceDeps): ChatSurface {
  const { config, logger, state } = deps;
  const appId = config.TEAMS_APP_ID as string;
  const tenantId = config.TEAMS_TENANT_ID as string;
  const log = logger.child({ component: 'teams' });
  const tokens = createBotTokenSource({ loginEndpoint: config.TEAMS_LOGIN_ENDPOINT, tenantId, appId, appPassword: config.TEAMS_APP_PASSWORD as string });
  const connector = createConnector({ token: () => tokens.token(), invalidateToken: () => tokens.invalidate(), logger: log });
  const verifier = createTokenVerifier({ appId, openIdMetadataUrl: config.TEAMS_OPENID_METADATA_URL, issuer: config.TEAMS_TOKEN_ISSUER });
  const botId = `28:${appId}`;
  const people = createTeamsPeople({ state, connector, person: catalogIdentity(deps.catalog, log), botId: () => botId, tenantId, logger: log });
  const notifier = createTeamsNotifier({ connector, state, people });

  // The SDK registers its messaging route through this adapter; we call it from our own route.
  let sdkRoute: HttpHandler | undefined;
  const mount: IHttpServerAdapter = {
    registerRoute(method, path, handler) {
      if (method === 'POST' && path === '/api/messages') sdkRoute = handler;
    },
  };
  const app = new App({
    clientId: appId,
    tenantId,
    token: () => tokens.token(),
    httpServerAdapter: mount,
    cloud: withOverrides(PUBLIC, {
      loginEndpoint: config.TEAMS_LOGIN_ENDPOINT,
      loginTenant: tenantId,
      openIdMetadataUrl: config.TEAMS_OPENID_METADATA_URL,
      tokenIssuer: config.TEAMS_TOKEN_ISSUER,
    }),
    logger: sdkLogger(logger),
    activity: { mentions: { stripText: true } },
  });
  app.event('error', ({ error }: { error: unknown }) => log.error({ err: error }, 'Teams SDK listener failed'));
  const teamsDeps: TeamsDeps = {
    conversation: deps.conversation,
    state,
    connector,
    people,
    logger: log,
    count: deps.count,
    botId,
    seal: createSeal(config.TEAMS_APP_PASSWORD as string),
  };
  registerTeamsListeners(app, teamsDeps);

  const route: Route = async (req, res) => {
    const raw = await readBody(req, MAX_BODY);
    if (raw === null) return json(res, 413, { error: 'activity too large' });
    let body: { serviceUrl?: unknown; channelId?: unknown; type?: unknown };
    try {
      body = JSON.parse(raw) as typeof body;
    } catch {
      return json(res, 400, { error: 'the body is not JSON' });
    }
    if (!body || typeof body !== 'object' || typeof body.type !== 'string') return json(res, 400, { error: 'not a Bot Framework activity' });
    const auth = await verifier.verify(req.headers.authorization, body);
    if (!auth.ok) {
      log.warn({ reason: auth.reason, type: String(body.type).slice(0, 40) }, 'Teams activity refused: bad token');
      return json(res, 401, { error: 'unauthorized' });
    }
    if (!sdkRoute) return json(res, 503, { error: 'Teams is starting' });
    const out = await sdkRoute({ body, headers: req.headers as Record<string, string | string[]> });
    if (out.body === undefined) {
      res.writeHead(out.status);
      res.end();
    } else json(res, out.status, out.body);
  };

  return {
    platform: 'teams',
    routes: { 'POST /api/messages': route },
    notifier,
    describe: () => 'Teams activities served at POST /api/messages',
    async start() {
      await app.initialize();
    },
    async stop() {},
  };
}
