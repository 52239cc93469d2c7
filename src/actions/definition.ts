/**
 * Self-service actions as declared in manifests/actions/*.yaml (docs/actions-format.md): the schema,
 * the types the workflow and the chat surfaces read, and the loader. Loading never throws on a bad
 * file: every problem names the file, the line and the field, so an operator can fix them all at once.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { z } from 'zod';
import { describeIssue, fieldProblems, formatPath, type PathSegment } from './issues.js';
import { placeholdersIn, REF_PARTS } from './template.js';
import { lineOf } from './yaml-lines.js';

export const ACTION_API_VERSION = 'switchboard.dev/v1alpha1';
export const INPUT_TYPES = ['string', 'enum', 'boolean', 'number', 'group', 'system', 'service', 'version'] as const;
export type InputType = (typeof INPUT_TYPES)[number];
/** Inputs whose value is an entity picked from the catalog. */
export const PICKER_TYPES = ['group', 'system', 'service'] as const;
export type PickerType = (typeof PICKER_TYPES)[number];
export const RUN_KINDS = [
  'render-template',
  'git-push',
  'register-catalog',
  'create-channel',
  'post-links',
  'webhook',
  'command',
  'record-resource',
  'deploy-version',
] as const;
export type RunKind = (typeof RUN_KINDS)[number];
/** Placeholders a step's `with` may use besides the inputs; the workflow supplies them. */
export const CONTEXT_PLACEHOLDERS = ['requester', 'requestId'] as const;

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `30s`, `15m`, `4h`, `2d` in milliseconds; null for anything else, zero included. */
export function parseDuration(text: string): number | null {
  const m = /^(\d+)([smhd])$/.exec(text.trim());
  if (!m) return null;
  const ms = Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
  return ms > 0 && Number.isSafeInteger(ms) ? ms : null;
}

/** The pattern must match the whole value: an author writing `[a-z-]+` means the whole name. */
export function matchesPattern(pattern: string, value: string): boolean {
  return new RegExp(`^(?:${pattern})$`, 'u').test(value);
}

const duration = z.unknown().transform((v, ctx) => {
  const ms = typeof v === 'string' ? parseDuration(v) : null;
  if (ms === null) ctx.addIssue({ code: 'custom', message: v === undefined ? 'is required' : 'must be a duration such as 30s, 15m, 4h or 2d' });
  return ms ?? z.NEVER;
});
const NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const kebab = (example: string) => z.string().regex(NAME, `must be lower-case words joined by hyphens, such as ${example}`);
const scalar = z.union([z.string(), z.number(), z.boolean()], { error: 'must be a string, a number or true/false' });

const inputDefinitionSchema = z
  .strictObject({
    name: z.string().regex(/^[a-z][a-zA-Z0-9]*$/, 'must be a camelCase word such as name or createChannel'),
    title: z.string().min(1),
    type: z.enum(INPUT_TYPES),
    description: z.string().optional(),
    required: z.boolean().default(false),
    default: scalar.optional(),
    pattern: z.string().min(1).optional(),
    patternHint: z.string().min(1).optional(),
    values: z.array(z.string().min(1)).min(1).optional(),
    min: z.number().optional(),
    max: z.number().optional(),
    notInCatalog: z.boolean().optional(),
  })
  .superRefine((input, ctx) => {
    const issue = (path: PathSegment[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    const text = input.type === 'string' || input.type === 'version';
    if (input.pattern !== undefined && !text) issue(['pattern'], 'applies only to string and version inputs');
    if (input.pattern !== undefined && text) {
      try {
        matchesPattern(input.pattern, '');
      } catch (err) {
        issue(['pattern'], `is not a valid regular expression: ${(err as Error).message}`);
      }
    }
    if (input.patternHint !== undefined && input.pattern === undefined) issue(['patternHint'], 'needs a pattern to explain');
    if (input.type === 'enum' && !input.values) issue(['values'], 'is required for an enum input');
    if (input.type !== 'enum' && input.values) issue(['values'], 'applies only to enum inputs');
    input.values?.forEach((v, i) => input.values?.indexOf(v) !== i && issue(['values', i], `repeats ${v}`));
    for (const bound of ['min', 'max'] as const) {
      if (input[bound] !== undefined && input.type !== 'number' && input.type !== 'string') issue([bound], 'applies only to number and string inputs');
    }
    if (input.min !== undefined && input.max !== undefined && input.min > input.max) issue(['max'], `must not be less than min (${input.min})`);
    if (input.notInCatalog && input.type !== 'string') issue(['notInCatalog'], 'applies only to string inputs');
    const problem = input.default === undefined ? undefined : defaultProblem(input);
    if (problem) issue(['default'], problem);
  });

export type InputDefinition = z.output<typeof inputDefinitionSchema>;

/** Why a default cannot be the value of its input, checked here so a bad default fails at load, not on submit. */
function defaultProblem(input: InputDefinition): string | undefined {
  const d = input.default;
  if (input.type === 'boolean') return typeof d === 'boolean' ? undefined : 'must be true or false';
  if (input.type === 'number') {
    if (typeof d !== 'number') return 'must be a number';
    if (input.min !== undefined && d < input.min) return `must be at least min (${input.min})`;
    if (input.max !== undefined && d > input.max) return `must be at most max (${input.max})`;
    return undefined;
  }
  if (typeof d !== 'string') return 'must be a string';
  if (input.type === 'enum') return input.values?.includes(d) ? undefined : `must be one of the values: ${input.values?.join(', ')}`;
  if (input.type === 'string' && input.min !== undefined && d.length < input.min) return `must be at least ${input.min} characters`;
  if (input.type === 'string' && input.max !== undefined && d.length > input.max) return `must be at most ${input.max} characters`;
  try {
    if (input.pattern !== undefined && !matchesPattern(input.pattern, d)) return `does not match the pattern ${input.pattern}`;
  } catch {
    // The bad pattern is reported on its own.
  }
  return undefined;
}

export type ApproverSource = { group: string } | { ownerOf: string } | { onCallOf: string };

const approverSourceSchema = z
  .strictObject({ group: z.string().min(1).optional(), ownerOf: z.string().min(1).optional(), onCallOf: z.string().min(1).optional() })
  .superRefine((s, ctx) => {
    const named = [s.group, s.ownerOf, s.onCallOf].filter((v) => v !== undefined).length;
    if (named !== 1) ctx.addIssue({ code: 'custom', message: 'must name exactly one of group, ownerOf or onCallOf' });
  })
  .transform((s): ApproverSource => (s.group !== undefined ? { group: s.group } : s.ownerOf !== undefined ? { ownerOf: s.ownerOf } : { onCallOf: s.onCallOf as string }));

const conditionSchema = z.strictObject({ input: z.string().min(1), in: z.array(scalar).min(1) });
export type Condition = z.output<typeof conditionSchema>;

/** True when the input named by the condition has one of its values. */
export function conditionHolds(condition: Condition, values: Readonly<Record<string, unknown>>): boolean {
  const value = values[condition.input];
  return value !== undefined && condition.in.some((v) => v === value || String(v) === String(value));
}

const DAY_MS = UNIT_MS.d;

const approvalRuleSchema = z
  .strictObject({
    description: z.string().min(1).optional(),
    approvers: z.array(approverSourceSchema).min(1),
    required: z.number().int().min(1, 'must be at least 1').default(1),
    selfApproval: z.boolean().default(false),
    remindAfter: duration.optional(),
    escalateAfter: duration.optional(),
    escalateTo: approverSourceSchema.optional(),
    expireAfter: duration.default(DAY_MS),
    when: conditionSchema.optional(),
    breakGlass: z.strictObject({ onCallOf: z.string().min(1), requiresIncident: z.boolean().default(true) }).optional(),
  })
  .superRefine((rule, ctx) => {
    const issue = (path: PathSegment[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    if ((rule.escalateAfter === undefined) !== (rule.escalateTo === undefined)) {
      issue([rule.escalateAfter === undefined ? 'escalateAfter' : 'escalateTo'], 'escalateAfter and escalateTo go together');
    }
    for (const timer of ['remindAfter', 'escalateAfter'] as const) {
      const ms = rule[timer];
      if (ms !== undefined && ms >= rule.expireAfter) issue([timer], 'must be shorter than expireAfter, or it never fires');
    }
  });

export type ApprovalRule = z.output<typeof approvalRuleSchema>;

export interface WebhookExecutor {
  url: string;
  /** The environment variable holding the HMAC secret: secrets stay out of the manifests. */
  secretEnv: string;
  callback: boolean;
  pollUrl?: string;
  pollEvery?: number;
  timeout: number;
}
export interface CommandExecutor {
  argv: string[];
  cwd?: string;
  timeout: number;
}
type WithOf<R extends RunKind> = R extends 'webhook' | 'deploy-version' ? WebhookExecutor : R extends 'command' ? CommandExecutor : Record<string, unknown>;
export type Executor = { [R in RunKind]: { run: R; with: WithOf<R> } }[RunKind];
export type StepDefinition = Executor & { id: string; title: string; when?: Condition; compensate?: Executor };

const httpUrl = z.string().regex(/^https?:\/\/\S+$/, 'must be an http:// or https:// URL');
const webhookSchema = z
  .strictObject({
    url: httpUrl,
    secretEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'must be an environment variable name such as PROVISION_HOOK_SECRET'),
    callback: z.boolean().default(true),
    pollUrl: httpUrl.optional(),
    pollEvery: duration.optional(),
    timeout: duration,
  })
  .superRefine((w, ctx) => {
    if (!w.callback && w.pollUrl === undefined) ctx.addIssue({ code: 'custom', path: ['pollUrl'], message: 'is required when callback is false' });
  });
const commandSchema = z.strictObject({ argv: z.array(z.string().min(1)).min(1), cwd: z.string().min(1).optional(), timeout: duration });
const WITH_SCHEMAS: Record<RunKind, z.ZodType> = {
  'render-template': z.record(z.string(), z.unknown()),
  'git-push': z.record(z.string(), z.unknown()),
  'register-catalog': z.record(z.string(), z.unknown()),
  'create-channel': z.record(z.string(), z.unknown()),
  'post-links': z.record(z.string(), z.unknown()),
  webhook: webhookSchema,
  command: commandSchema,
  'record-resource': z.record(z.string(), z.unknown()),
  'deploy-version': webhookSchema,
};

/** Checks `with` against the executor the step runs; problems land under `at`. */
function executor(run: RunKind, raw: unknown, ctx: z.RefinementCtx, at: PathSegment[]): Executor | undefined {
  const parsed = WITH_SCHEMAS[run].safeParse(raw ?? {}, { error: describeIssue });
  if (parsed.success) return { run, with: parsed.data } as Executor;
  for (const p of fieldProblems(parsed.error.issues, at)) ctx.addIssue({ code: 'custom', path: p.path, message: p.message });
  return undefined;
}

const executorShape = { run: z.enum(RUN_KINDS), with: z.unknown().optional() };
const stepSchema = z
  .strictObject({
    id: kebab('render'),
    title: z.string().min(1),
    ...executorShape,
    when: conditionSchema.optional(),
    // `compensate: register-catalog` is short for `compensate: { run: register-catalog }`.
    compensate: z.preprocess((v) => (typeof v === 'string' ? { run: v } : v), z.strictObject(executorShape)).optional(),
  })
  .transform((step, ctx): StepDefinition => {
    const main = executor(step.run, step.with, ctx, ['with']);
    const undo = step.compensate && executor(step.compensate.run, step.compensate.with, ctx, ['compensate', 'with']);
    if (!main || (step.compensate && !undo)) return z.NEVER;
    return { id: step.id, title: step.title, ...main, ...(step.when && { when: step.when }), ...(undo && { compensate: undo }) };
  });

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

/** The spec before a single approval rule is turned into a list of one. */
interface SpecDraft {
  usage?: string;
  key?: string;
  inputs: InputDefinition[];
  approval: ApprovalRule | ApprovalRule[];
  steps: StepDefinition[];
}

/** Names used across the file (inputs named by approvers, conditions, usage and step placeholders) must exist. */
function checkReferences(spec: SpecDraft, ctx: z.RefinementCtx) {
  const issue = (path: PathSegment[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  const inputs = new Map(spec.inputs.map((i) => [i.name, i]));
  const known = `inputs are: ${[...inputs.keys()].join(', ') || 'none'}`;
  spec.inputs.forEach((input, i) => spec.inputs.findIndex((o) => o.name === input.name) !== i && issue(['inputs', i, 'name'], `repeats the input ${input.name}`));

  const picker = (name: string, path: PathSegment[]) => {
    const input = inputs.get(name);
    if (!input) issue(path, `names no input (${known})`);
    else if (!(PICKER_TYPES as readonly string[]).includes(input.type)) issue(path, `${name} is of type ${input.type}; it must be a group, system or service picker`);
  };
  const condition = (c: Condition, path: PathSegment[]) => {
    const input = inputs.get(c.input);
    if (!input) return issue([...path, 'input'], `names no input (${known})`);
    c.in.forEach((v, k) => {
      if (input.type === 'enum' && !input.values?.includes(String(v))) issue([...path, 'in', k], `${String(v)} is not a value of ${input.name}`);
    });
  };
  const source = (s: ApproverSource, path: PathSegment[]) => {
    if ('ownerOf' in s) picker(s.ownerOf, [...path, 'ownerOf']);
    if ('onCallOf' in s) picker(s.onCallOf, [...path, 'onCallOf']);
  };

  const listed = Array.isArray(spec.approval);
  const rules = Array.isArray(spec.approval) ? spec.approval : [spec.approval];
  let breakGlassRules = 0;
  rules.forEach((rule, r) => {
    const at = listed ? ['approval', r] : ['approval'];
    rule.approvers.forEach((s, k) => source(s, [...at, 'approvers', k]));
    if (rule.escalateTo) source(rule.escalateTo, [...at, 'escalateTo']);
    if (rule.when) condition(rule.when, [...at, 'when']);
    if (rule.breakGlass) {
      picker(rule.breakGlass.onCallOf, [...at, 'breakGlass', 'onCallOf']);
      if (++breakGlassRules > 1) issue([...at, 'breakGlass'], 'only one approval rule may offer break-glass');
    }
  });

  for (const m of spec.usage?.matchAll(/<([^>]*)>/g) ?? []) {
    if (!inputs.has(m[1] as string)) issue(['usage'], `<${m[1]}> names no input (${known})`);
  }

  const context = new Set<string>([...inputs.keys(), ...CONTEXT_PLACEHOLDERS]);
  for (const key of spec.key ? placeholdersIn(spec.key) : []) {
    const [base, part] = key.split('.') as [string, string | undefined];
    if (!inputs.has(base)) issue(['key'], `{{${key}}} names no input (${known})`);
    else if (part !== undefined && !(REF_PARTS as readonly string[]).includes(part)) issue(['key'], `{{${key}}}: after the dot use ${REF_PARTS.join(', ')}`);
  }
  spec.steps.forEach((step, s) => {
    if (spec.steps.findIndex((o) => o.id === step.id) !== s) issue(['steps', s, 'id'], `repeats the step ${step.id}`);
    if (step.when) condition(step.when, ['steps', s, 'when']);
    const texts = [...stringsIn(step.with, ['with']), ...(step.compensate ? stringsIn(step.compensate.with, ['compensate', 'with']) : [])];
    for (const { path, text } of texts) {
      for (const key of placeholdersIn(text)) {
        const [base, part] = key.split('.') as [string, string | undefined];
        if (!context.has(base)) issue(['steps', s, ...path], `{{${key}}} names no input (${known}; also ${CONTEXT_PLACEHOLDERS.join(', ')})`);
        else if (part !== undefined && !(REF_PARTS as readonly string[]).includes(part)) issue(['steps', s, ...path], `{{${key}}}: after the dot use ${REF_PARTS.join(', ')}`);
      }
    }
  });
}

function stringsIn(value: unknown, path: PathSegment[]): { path: PathSegment[]; text: string }[] {
  if (typeof value === 'string') return [{ path, text: value }];
  if (Array.isArray(value)) return value.flatMap((v, i) => stringsIn(v, [...path, i]));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => stringsIn(v, [...path, k]));
  return [];
}

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
    const message = /single document/.test(err.reason) ? 'holds more than one YAML document; put each action in a file of its own' : `YAML syntax error: ${err.reason}`;
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
    if (sameName) problems.push({ file, line: lineOf(text, ['metadata', 'name']), path: 'metadata.name', message: `${action.metadata.name} is already defined in ${sameName}` });
    if (sameCommand) problems.push({ file, line: lineOf(text, ['spec', 'command']), path: 'spec.command', message: `${action.spec.command} is already used by ${sameCommand}` });
    if (sameName || sameCommand) continue;
    byName.set(action.metadata.name, name);
    byCommand.set(action.spec.command, name);
    actions.push(action);
  }
  return { actions, problems };
}
