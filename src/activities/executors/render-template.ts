/** `render-template`: renders the golden-path template into the request's scratch folder. */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { renderTemplate as render, TemplateError } from '../../actions/template.js';
import type { StepActivity } from '../../../workflows/contract.js';
import type { SelfServiceDeps } from '../deps.js';
import { fail, once, renderDir, str } from '../support.js';

export const renderTemplate =
  (deps: SelfServiceDeps): StepActivity =>
  (ctx) =>
    once(deps, ctx, async () => {
      const template = str(ctx.step.with.template) ?? String(ctx.values.template);
      const values = { ...ctx.values, requester: ctx.requester.ref, requestId: ctx.workflowId };
      let files;
      try {
        files = render(join(deps.templatesDir, template), values);
      } catch (err) {
        if (err instanceof TemplateError) throw fail(err.message, 'TemplateError');
        throw err;
      }
      const dir = renderDir(deps, ctx);
      rmSync(dir, { recursive: true, force: true });
      for (const f of files) {
        mkdirSync(dirname(join(dir, f.path)), { recursive: true });
        writeFileSync(join(dir, f.path), f.content);
      }
      return { output: { dir, files: files.length }, detail: `${files.length} files` };
    });
