/**
 * The parts of an action file's schema (docs/actions-format.md): durations, inputs, approval rules and
 * steps, with the types the workflow and the chat surfaces read. The executors a step may run, and how
 * each one's `with` is checked, come from the one executor table (workflows/executors.ts).
 */
import { z } from 'zod';
import { EXECUTORS, RUN_KINDS, type RunKind, type RunKindWith } from '../../workflows/executors.js';
import { describeIssue, fieldProblems, type PathSegment } from './issues.js';

export { RUN_KINDS, type RunKind } from '../../workflows/executors.js';
export const INPUT_TYPES = ['string', 'enum', 'boolean', 'number', 'group', 'system', 'service', 'version'] as const;
export type InputType = (typeof INPUT_TYPES)[number];
/** Inputs whose value is an entity picked from the catalog. */
export const PICKER_TYPES = ['group', 'system', 'service'] as const;
export type PickerType = (typeof PICKER_TYPES)[number];
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
export const kebab = (example: string) => z.string().regex(NAME, `must be lower-case words joined by hyphens, such as ${example}`);
const scalar = z.union([z.string(), z.number(), z.boolean()], { error: 'must be a string, a number or true/false' });

export const inputDefinitionSchema = z
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
  .transform((s): ApproverSource =>
    s.group !== undefined ? { group: s.group } : s.ownerOf !== undefined ? { ownerOf: s.ownerOf } : { onCallOf: s.onCallOf as string },
  );

const conditionSchema = z.strictObject({ input: z.string().min(1), in: z.array(scalar).min(1) });
export type Condition = z.output<typeof conditionSchema>;

/** True when the input named by the condition has one of its values. */
export function conditionHolds(condition: Condition, values: Readonly<Record<string, unknown>>): boolean {
  const value = values[condition.input];
  return value !== undefined && condition.in.some((v) => v === value || String(v) === String(value));
}

const DAY_MS = UNIT_MS.d;

export const approvalRuleSchema = z
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
type WithOf<R extends RunKind> =
  R extends RunKindWith<'webhook'> ? WebhookExecutor : R extends RunKindWith<'command'> ? CommandExecutor : Record<string, unknown>;
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
/** How `with` is checked, by the kind of settings an executor takes (workflows/executors.ts). */
const WITH_SCHEMAS: Record<(typeof EXECUTORS)[RunKind]['settings'], z.ZodType> = {
  any: z.record(z.string(), z.unknown()),
  webhook: webhookSchema,
  command: commandSchema,
};

/** Checks `with` against the executor the step runs; problems land under `at`. */
function executor(run: RunKind, raw: unknown, ctx: z.RefinementCtx, at: PathSegment[]): Executor | undefined {
  const parsed = WITH_SCHEMAS[EXECUTORS[run].settings].safeParse(raw ?? {}, { error: describeIssue });
  if (parsed.success) return { run, with: parsed.data } as Executor;
  for (const p of fieldProblems(parsed.error.issues, at)) ctx.addIssue({ code: 'custom', path: p.path, message: p.message });
  return undefined;
}

const executorShape = { run: z.enum(RUN_KINDS), with: z.unknown().optional() };
export const stepSchema = z
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
