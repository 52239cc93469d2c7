/** `delete-repository`, git-push's undo: deletes a repository on disk; a hosted one is left for a person to delete. */
import { rmSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import type { StepActivity } from '../../../workflows/contract.js';
import type { SelfServiceDeps } from '../deps.js';
import { once, str } from '../support.js';

export const deleteRepository =
  (deps: SelfServiceDeps): StepActivity =>
  (ctx) =>
    once(deps, ctx, async () => {
      const repository = str(ctx.outputs[ctx.step.id]?.repository);
      if (!repository || !isAbsolute(repository) || !repository.endsWith('.git'))
        return { detail: `${repository ?? 'the repository'} must be deleted by hand` };
      rmSync(repository, { recursive: true, force: true });
      return { detail: `deleted ${repository}` };
    });
