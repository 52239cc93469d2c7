/**
 * The deploy history: what CI reports through POST /api/deployments, validated at the edge, and the
 * questions a rollback asks of it ("the previous successful version").
 */
import { and, desc, eq } from 'drizzle-orm';
import { z } from 'zod';
import { openDb } from '../db/open.js';
import { deployments } from './schema.js';

export const deploymentInput = z.object({
  service: z.string({ error: 'is required: the component name or ref' }).min(1),
  version: z.string({ error: 'is required' }).min(1).max(200),
  environment: z.string().min(1).max(100).default('production'),
  commit: z
    .string()
    .regex(/^[0-9a-f]{7,64}$/i, 'must be a git commit hash')
    .optional(),
  url: z.url({ error: 'must be a URL' }).optional(),
  status: z.enum(['succeeded', 'failed']).default('succeeded'),
  /** ISO time of the deploy; defaults to when it is recorded. */
  at: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 time' }).optional(),
});

export type DeploymentInput = z.input<typeof deploymentInput>;

export interface Deployment {
  id: number;
  serviceRef: string;
  version: string;
  environment: string;
  commit: string | null;
  url: string | null;
  status: 'succeeded' | 'failed';
  at: string;
}

export interface DeploymentLog {
  record(serviceRef: string, input: z.output<typeof deploymentInput>): Promise<Deployment>;
  /** Newest first. */
  list(serviceRef: string, environment: string, limit?: number): Promise<Deployment[]>;
  /** The last successful deploy before the current one: what a rollback without a version goes to. */
  previousSuccessful(serviceRef: string, environment: string): Promise<Deployment | null>;
  close(): void;
}

type Row = Omit<Deployment, 'at'> & { at: number };

/** The row to insert for a report (both stores). */
export const deploymentRow = (serviceRef: string, input: z.output<typeof deploymentInput>, now: () => Date) => ({
  serviceRef,
  version: input.version,
  environment: input.environment,
  commit: input.commit ?? null,
  url: input.url ?? null,
  status: input.status,
  at: input.at ? Date.parse(input.at) : now().getTime(),
});

export const toDeployment = (row: Row): Deployment => ({ ...row, at: new Date(row.at).toISOString() });

/**
 * The newest deploy is what runs (or half runs, when it failed): the target is the newest successful
 * deploy before it of another version. `newestFirst` is the last 200 deploys.
 */
export function previousSuccessfulOf(newestFirst: Deployment[]): Deployment | null {
  const [current, ...earlier] = newestFirst;
  if (!current) return null;
  return earlier.find((d) => d.status === 'succeeded' && d.version !== current.version) ?? null;
}

export function openDeployments(file: string, now: () => Date = () => new Date()): DeploymentLog {
  const { sqlite, orm } = openDb(file);
  const list = (serviceRef: string, environment: string, limit = 20) =>
    orm
      .select()
      .from(deployments)
      .where(and(eq(deployments.serviceRef, serviceRef), eq(deployments.environment, environment)))
      .orderBy(desc(deployments.at), desc(deployments.id))
      .limit(limit)
      .all()
      .map(toDeployment);
  return {
    record: async (serviceRef, input) =>
      toDeployment(
        orm
          .insert(deployments)
          .values(deploymentRow(serviceRef, input, now))
          .returning()
          .get(),
      ),
    list: async (serviceRef, environment, limit) => list(serviceRef, environment, limit),
    previousSuccessful: async (serviceRef, environment) => previousSuccessfulOf(list(serviceRef, environment, 200)),
    close: () => sqlite.close(),
  };
}
