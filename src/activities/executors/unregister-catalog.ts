/** `unregister-catalog`, the undo of register-catalog and record-resource: removes what the step registered. */
import type { StepActivity } from '../../../workflows/contract.js';
import type { SelfServiceDeps } from '../deps.js';
import { register } from '../registry.js';
import { once, str } from '../support.js';

export const unregisterCatalog =
  (deps: SelfServiceDeps): StepActivity =>
  (ctx) =>
    once(deps, ctx, async () => {
      const rel = str(ctx.outputs[ctx.step.id]?.registered);
      if (rel) await register(deps, rel, null);
      return {};
    });
