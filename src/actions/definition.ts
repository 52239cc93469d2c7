/**
 * Self-service actions as declared in manifests/actions/*.yaml (docs/actions-format.md): the whole
 * Action's schema and the loader. Loading never throws on a bad file: every problem names the file,
 * the line and the field, so an operator can fix them all at once. The parts of the schema are in
 * ./schema.ts, the checks across the file in ./references.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { z } from 'zod';
import { describeIssue, fieldProblems, formatPath } from './issues.js';
import { checkReferences } from './references.js';
import { approvalRuleSchema, inputDefinitionSchema, kebab, stepSchema } from './schema.js';
import { lineOf } from './yaml-lines.js';

export * from './schema.js';

export const ACTION_API_VERSION = 'switchboard.dev/v1alpha1';

const specSchema = z
  .strictObject({
    command: z.string().regex(/^\/[a-z][a-z0-9-]{0,30}$/, 'must be a slash command such as /create-service (lower case, at most 32 characters)'),
    usage: z.string().min(1).optional(),
    /**
     * The business key of a request: requests with the same key are the same request, so a repeated
     * command returns the running workflow. Placeholders as in steps; default: the required inputs.
     */
    key: z.string().min(1).optional(),
    inputs: z.array(inputDefinitionSchema).default([]),
    approval: z.union([z.array(approvalRuleSchema).min(1), approvalRuleSchema], { error: 'must be an approval rule or a list of them' }),
    steps: z.array(stepSchema).min(1),
  })
  .superRefine((spec, ctx) => checkReferences(spec, ctx))
  .transform(({ approval, ...spec }) => ({ ...spec, approval: Array.isArray(approval) ? approval : [approval] }));

export const actionSchema = z.strictObject({
  apiVersion: z.literal(ACTION_API_VERSION),
  kind: z.literal('Action'),
  metadata: z.strictObject({ name: kebab('create-service'), title: z.string().min(1), description: z.string().min(1) }),
  spec: specSchema,
});

export type ActionDefinition = z.output<typeof actionSchema>;

export interface ActionProblem {
  file: string;
  line?: number;
  /** The field, as written in the file: `spec.approval[0].required`; empty for the file as a whole. */
  path: string;
  message: string;
}

/** One action file's text, parsed and checked. `file` only labels the problems. */
export function parseAction(text: string, file: string): { action?: ActionDefinition; problems: ActionProblem[] } {
  let doc: unknown;
  try {
    doc = yaml.load(text, { schema: yaml.CORE_SCHEMA, filename: file });
  } catch (err) {
    if (!(err instanceof yaml.YAMLException)) throw err;
    const message = /single document/.test(err.reason)
      ? 'holds more than one YAML document; put each action in a file of its own'
      : `YAML syntax error: ${err.reason}`;
    return { problems: [{ file, line: err.mark ? err.mark.line + 1 : undefined, path: '', message }] };
  }
  if (doc === undefined || doc === null) return { problems: [{ file, path: '', message: 'is empty; an action file holds one Action' }] };
  const parsed = actionSchema.safeParse(doc, { error: describeIssue });
  if (parsed.success) return { action: parsed.data, problems: [] };
  const problems = fieldProblems(parsed.error.issues).map((p) => ({ file, line: lineOf(text, p.path), path: formatPath(p.path), message: p.message }));
  return { problems };
}

/**
 * Every `*.yaml` / `*.yml` file in `dir`, one action each. A bad file is left out and reported;
 * a later file repeating an action's name or command is left out too.
 */
export function loadActions(dir: string): { actions: ActionDefinition[]; problems: ActionProblem[] } {
  let names: string[];
  try {
    names = readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isFile() && /\.ya?ml$/i.test(e.name))
      .map((e) => e.name)
      .sort();
  } catch (err) {
    return { actions: [], problems: [{ file: dir, path: '', message: `cannot read the folder: ${(err as Error).message}` }] };
  }
  const actions: ActionDefinition[] = [];
  const problems: ActionProblem[] = [];
  const byName = new Map<string, string>();
  const byCommand = new Map<string, string>();
  for (const name of names) {
    const file = join(dir, name);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      problems.push({ file, path: '', message: `cannot read the file: ${(err as Error).message}` });
      continue;
    }
    const result = parseAction(text, file);
    problems.push(...result.problems);
    const action = result.action;
    if (!action) continue;
    const sameName = byName.get(action.metadata.name);
    const sameCommand = byCommand.get(action.spec.command);
    if (sameName)
      problems.push({
        file,
        line: lineOf(text, ['metadata', 'name']),
        path: 'metadata.name',
        message: `${action.metadata.name} is already defined in ${sameName}`,
      });
    if (sameCommand)
      problems.push({
        file,
        line: lineOf(text, ['spec', 'command']),
        path: 'spec.command',
        message: `${action.spec.command} is already used by ${sameCommand}`,
      });
    if (sameName || sameCommand) continue;
    byName.set(action.metadata.name, name);
    byCommand.set(action.spec.command, name);
    actions.push(action);
  }
  return { actions, problems };
}
