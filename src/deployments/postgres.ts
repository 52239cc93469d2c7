/** The deploy history on PostgreSQL (shared state): the same questions as the SQLite log. */
import { and, desc, eq } from 'drizzle-orm';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import { deployments } from '../db/pg-schema.js';
import { type DeploymentLog, deploymentRow, previousSuccessfulOf, toDeployment } from './index.js';

export function openPgDeployments(db: NodePgDatabase, now: () => Date = () => new Date()): DeploymentLog {
  const list = async (serviceRef: string, environment: string, limit = 20) =>
    (
      await db
        .select()
        .from(deployments)
        .where(and(eq(deployments.serviceRef, serviceRef), eq(deployments.environment, environment)))
        .orderBy(desc(deployments.at), desc(deployments.id))
        .limit(limit)
    ).map(toDeployment);
  return {
    async record(serviceRef, input) {
      const [row] = await db
        .insert(deployments)
        .values(deploymentRow(serviceRef, input, now))
        .returning();
      return toDeployment(row!);
    },
    list,
    previousSuccessful: async (serviceRef, environment) => previousSuccessfulOf(await list(serviceRef, environment, 200)),
    close() {},
  };
}
