/** `record-resource`: records the provisioned resource as a Resource entity the service depends on. */
import { join } from 'node:path';
import yaml from 'js-yaml';
import type { StepActivity } from '../../../workflows/contract.js';
import type { SelfServiceDeps } from '../deps.js';
import { register } from '../registry.js';
import { fail, once, safeName, str } from '../support.js';

export const recordResource =
  (deps: SelfServiceDeps): StepActivity =>
  (ctx) =>
    once(deps, ctx, async () => {
      const w = ctx.step.with;
      const name = str(w.name);
      if (!name || !/^[a-z0-9]+(?:[-_.][a-z0-9]+)*$/i.test(name))
        throw fail(`record-resource: "${String(w.name)}" is not a valid entity name`, 'InvalidResource');
      const dependencyOf = str(w.dependencyOf);
      const service = dependencyOf ? deps.catalog.whoOwns(dependencyOf) : undefined;
      const outputs = Object.assign({}, ...Object.values(ctx.outputs)) as Record<string, unknown>;
      const entity = {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Resource',
        metadata: {
          name,
          description: `Provisioned by Switchboard (${ctx.workflowId}) for ${ctx.requester.displayName}`,
          annotations: { 'switchboard.dev/workflow-id': ctx.workflowId },
          ...(str(outputs.url) && { links: [{ url: str(outputs.url), title: 'Console' }] }),
        },
        spec: {
          type: str(w.type) ?? 'resource',
          owner: service?.owner?.ref ?? ctx.requester.ref,
          ...(service?.entity?.system && { system: service.entity.system }),
          ...(dependencyOf && { dependencyOf: [dependencyOf] }),
        },
      };
      const rel = join('resources', `${safeName(name)}.yaml`);
      await register(deps, rel, yaml.dump(entity, { lineWidth: 120 }));
      return { output: { registered: rel, resource: `resource:default/${name.toLowerCase()}` }, detail: `resource:default/${name.toLowerCase()}` };
    });
