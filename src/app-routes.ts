/**
 * The API routes the bot serves beside the chat platforms' own: deploy records from CI
 * (POST /api/deployments) and the callbacks that finish webhook steps (POST /api/callbacks/*).
 */
import type { ActionDefinition } from './actions/definition.js';
import type { Catalog } from './catalog/index.js';
import type { Config } from './config.js';
import type { DeploymentLog } from './deployments/index.js';
import { callbacksRoute, type CallbacksRouteOptions } from './http/callbacks-route.js';
import { deploymentsRoute } from './http/deployments-route.js';
import type { Metrics } from './http/metrics.js';
import type { Route } from './http/server.js';
import type { BotState } from './state/index.js';

export function apiRoutes(deps: {
  config: Config;
  catalog: Catalog;
  deployments: DeploymentLog;
  metrics: Metrics;
  state: BotState;
  actions: ActionDefinition[];
  secret(name: string): string | undefined;
  temporal: CallbacksRouteOptions['temporal'];
}): Record<string, Route> {
  const { config, catalog, state } = deps;
  return {
    'POST /api/deployments': deploymentsRoute({
      token: config.SWITCHBOARD_DEPLOY_TOKEN,
      deployments: deps.deployments,
      metrics: deps.metrics,
      serviceRef: (service) => {
        const entity = catalog.getEntity(service);
        return entity?.kind.toLowerCase() === 'component' ? entity.ref : null;
      },
    }),
    'POST /api/callbacks/*': callbacksRoute({
      actions: deps.actions,
      secret: deps.secret,
      temporal: deps.temporal,
      claim: (key) => state.claimDelivery(key),
      release: (key) => state.releaseDelivery(key),
      basePath: config.SWITCHBOARD_PUBLIC_URL ? new URL(config.SWITCHBOARD_PUBLIC_URL).pathname.replace(/\/$/, '') : '',
    }),
  };
}
