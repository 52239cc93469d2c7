/**
 * A real Temporal dev server for tests: the official CLI found (or built once) by scripts/ensure-temporal,
 * started through @temporalio/testing as an existing executable. Where no CLI can be had (no Go
 * toolchain), `temporalCli()` is null and the Temporal suites say why they are skipped.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { workflowBundle } from '../temporal/index.js';

const ENSURE = fileURLToPath(new URL('../../scripts/ensure-temporal', import.meta.url));
let cached: string | null | undefined;

export function temporalCli(): string | null {
  if (cached !== undefined) return cached;
  try {
    cached = execFileSync(ENSURE, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 20 * 60_000 }).trim() || null;
  } catch {
    cached = null;
  }
  return cached;
}

export async function startTemporal(): Promise<TestWorkflowEnvironment> {
  const path = temporalCli();
  if (!path) throw new Error('No Temporal CLI: run scripts/ensure-temporal (needs Go) or set TEMPORAL_CLI_PATH');
  return TestWorkflowEnvironment.createLocal({ server: { executable: { type: 'existing-path', path } } });
}

/** workflows/ bundled as the worker runs it, once per process (bundling takes a second or two). */
export const bundleWorkflows = () => workflowBundle();
