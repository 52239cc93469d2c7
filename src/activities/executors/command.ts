/** `command`: runs a program with the step's argv (../command.ts), its output's last line shown next to the step. */
import type { StepActivity } from '../../../workflows/contract.js';
import { CommandError, runCommand } from '../command.js';
import type { SelfServiceDeps } from '../deps.js';
import { abortSignal, fail, heartbeat, once, str } from '../support.js';

export const command =
  (deps: SelfServiceDeps): StepActivity =>
  (ctx) =>
    once(deps, ctx, async () => {
      const argv = (ctx.step.with.argv as string[] | undefined) ?? [];
      try {
        const result = await runCommand({
          argv,
          ...(str(ctx.step.with.cwd) && { cwd: str(ctx.step.with.cwd) }),
          inputs: ctx.values,
          env: deps.commandEnv ?? {},
          timeoutMs: ctx.step.timeoutMs,
          heartbeat,
          signal: abortSignal(),
        });
        const last = result.outputTail.trim().split('\n').at(-1) ?? '';
        return { output: { exitCode: result.exitCode }, detail: last.slice(0, 200) };
      } catch (err) {
        if (err instanceof CommandError && !err.retryable) throw fail(err.message, 'CommandFailed');
        throw err;
      }
    });
