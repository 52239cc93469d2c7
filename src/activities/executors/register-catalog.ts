/** `register-catalog`: adds the rendered catalog-info.yaml to the catalog at once. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StepActivity } from '../../../workflows/contract.js';
import type { SelfServiceDeps } from '../deps.js';
import { register } from '../registry.js';
import { fail, once, safeName, str } from '../support.js';
import { renderedDir } from './render-template.js';

export const registerCatalog =
  (deps: SelfServiceDeps): StepActivity =>
  (ctx) =>
    once(deps, ctx, async () => {
      const dir = renderedDir(deps, ctx);
      const file = dir && join(dir, str(ctx.step.with.file) ?? 'catalog-info.yaml');
      if (!file || !existsSync(file)) throw fail(`The template rendered no ${str(ctx.step.with.file) ?? 'catalog-info.yaml'}`, 'TemplateError');
      let content = readFileSync(file, 'utf8');
      const location = str(ctx.step.with.location);
      if (location) content = `# Registered by Switchboard (${ctx.workflowId}) from ${location}\n${content}`;
      const name = String(ctx.values.name);
      await register(deps, join('services', `${safeName(name)}.yaml`), content);
      return { output: { registered: `services/${safeName(name)}.yaml` }, detail: 'in the catalog now' };
    });
