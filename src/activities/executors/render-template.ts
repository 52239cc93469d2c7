/** `render-template`: renders the golden-path template into the request's scratch folder. */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { renderTemplate as render, TemplateError } from '../../actions/template.js';
import type { StepActivity, StepContext } from '../../../workflows/contract.js';
import type { SelfServiceDeps } from '../deps.js';
import { fail, once, renderDir, str } from '../support.js';

export const renderTemplate =
  (deps: SelfServiceDeps): StepActivity =>
  (ctx) =>
    once(deps, ctx, async () => {
      const template = str(ctx.step.with.template) ?? String(ctx.values.template);
      const { dir, files } = renderInto(deps, ctx, template);
      return { output: { dir, files, template }, detail: `${files} files` };
    });

/** Renders `template` with the request's values into its scratch folder (emptied first). */
function renderInto(deps: SelfServiceDeps, ctx: StepContext, template: string): { dir: string; files: number } {
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
  return { dir, files: files.length };
}

/**
 * The request's rendered files for a later step. The scratch folder is this worker's: when the render
 * ran on another worker (a retry after a worker died, or any step on a second host), it is rendered
 * again here from the same template and values, which give the same files (a template reads nothing
 * but its values). Null when no earlier step rendered anything.
 */
export function renderedDir(deps: SelfServiceDeps, ctx: StepContext): string | null {
  const dir = renderDir(deps, ctx);
  if (existsSync(dir)) return dir;
  const rendered = Object.values(ctx.outputs).find((o) => typeof o.dir === 'string' && typeof o.files === 'number');
  if (!rendered) return null;
  // Requests started before the output named its template used the request's `template` input.
  const template = typeof rendered.template === 'string' ? rendered.template : String(ctx.values.template);
  return renderInto(deps, ctx, template).dir;
}
