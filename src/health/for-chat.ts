/**
 * The health report as the chat asks for it: a team named as people write it (`payments`,
 * `group:payments`), resolved to a Group in the catalog, or a message for the asker when there is none.
 */
import type { Catalog } from '../catalog/index.js';
import { healthReport, type HealthInputs, type HealthReport } from './report.js';

export function healthForChat(deps: Pick<HealthInputs, 'truth' | 'providers'> & { catalog: Pick<Catalog, 'health' | 'getEntity'> }) {
  return async (team: string | undefined): Promise<HealthReport> => {
    const teamRef = team ? (deps.catalog.getEntity(team.includes(':') ? team : `group:${team}`)?.ref ?? null) : null;
    if (team && !teamRef) throw new Error(`No Group named "${team}" in the catalog.`);
    return healthReport({ catalog: deps.catalog, truth: deps.truth, providers: deps.providers, team: teamRef });
  };
}
