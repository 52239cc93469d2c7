/**
 * Temporal servers for tests, started through @temporalio/testing as existing executables:
 * - a real dev server: the official CLI found (or built once) by scripts/ensure-temporal;
 * - the time-skipping test server (Temporal's Java one from Maven Central), found or fetched once by
 *   scripts/ensure-temporal-test-server, for timers (reminder, escalation, expiry) without real waits.
 * Where one cannot be had, the suites that need it are skipped and say why (`describeWithTemporal`,
 * `describeWithTimeSkipping`).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { describe } from 'vitest';
import { workflowBundle } from '../temporal/index.js';

const ENSURE = fileURLToPath(new URL('../../scripts/ensure-temporal', import.meta.url));
const ENSURE_TEST_SERVER = fileURLToPath(new URL('../../scripts/ensure-temporal-test-server', import.meta.url));

export const NO_TEMPORAL_CLI = 'skipped: no Temporal CLI (run npm run ensure-temporal or set TEMPORAL_CLI_PATH)';
export const NO_TEST_SERVER =
  'skipped: no time-skipping test server (run scripts/ensure-temporal-test-server, needs Java and Maven, or set TEMPORAL_TEST_SERVER_PATH)';

function ensured(script: string): string | null {
  try {
    return execFileSync(script, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 20 * 60_000 }).trim() || null;
  } catch {
    return null;
  }
}

let cached: string | null | undefined;
export function temporalCli(): string | null {
  if (cached === undefined) cached = ensured(ENSURE);
  return cached;
}

let cachedTestServer: string | null | undefined;
export function temporalTestServer(): string | null {
  if (cachedTestServer === undefined) cachedTestServer = ensured(ENSURE_TEST_SERVER);
  return cachedTestServer;
}

const said = new Set<string>();
/** A describe that runs when `available`, or is skipped with the reason in its title and once on stderr. */
function describeIf(available: boolean, reason: string, title: string, body: () => void): void {
  if (available) {
    describe(title, body);
    return;
  }
  if (!said.has(reason)) {
    said.add(reason);
    console.warn(`[switchboard tests] ${reason}`);
  }
  describe.skip(`${title} (${reason})`, body);
}

/** A suite that needs the Temporal dev server: skipped visibly, with how to get one, when there is no CLI. */
export const describeWithTemporal = (title: string, body: () => void) => describeIf(!!temporalCli(), NO_TEMPORAL_CLI, title, body);

/** A suite that needs the time-skipping test server: skipped visibly when there is none. */
export const describeWithTimeSkipping = (title: string, body: () => void) => describeIf(!!temporalTestServer(), NO_TEST_SERVER, title, body);

/**
 * The time-skipping test server: time jumps ahead whenever every workflow waits on a timer and the client
 * awaits a result, and `env.sleep(ms)` moves it on explicitly. Caveat: it does not skip while a client
 * awaits an Update, so a vote must not wait for a timer.
 */
export async function startTimeSkipping(): Promise<TestWorkflowEnvironment> {
  const path = temporalTestServer();
  if (!path) throw new Error(`No time-skipping test server: ${NO_TEST_SERVER}`);
  return TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path } } });
}

export async function startTemporal(): Promise<TestWorkflowEnvironment> {
  const path = temporalCli();
  if (!path) throw new Error('No Temporal CLI: run scripts/ensure-temporal (needs Go) or set TEMPORAL_CLI_PATH');
  return TestWorkflowEnvironment.createLocal({ server: { executable: { type: 'existing-path', path } } });
}

/** workflows/ bundled as the worker runs it, once per process (bundling takes a second or two). */
export const bundleWorkflows = () => workflowBundle();
