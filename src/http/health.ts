/**
 * What /healthz reports: one up/down boolean per component and an overall status, nothing else. The
 * same booleans are exported as the gauge switchboard_component_up, where the details sit beside them.
 */
import type { Metrics } from './metrics.js';
import type { Health } from './server.js';

/** Checks by component name; a check that throws counts as down. */
export function componentHealth(metrics: Metrics, checks: Record<string, () => boolean>): () => Health {
  const read = () =>
    Object.fromEntries(
      Object.entries(checks).map(([name, check]) => {
        try {
          return [name, check() === true];
        } catch {
          return [name, false];
        }
      }),
    );
  metrics.onCollect(() => {
    for (const [component, up] of Object.entries(read()))
      metrics.set('switchboard_component_up', 'Whether a component is up (1) or down (0), as /healthz reports it', up ? 1 : 0, { component });
  });
  return () => {
    const components = read();
    return { status: Object.values(components).every(Boolean) ? 'ok' : 'degraded', components };
  };
}
