/**
 * The checks across an action file: names one part uses (inputs named by approvers, conditions, the
 * usage line, the business key and step placeholders) must exist where it points.
 */
import type { z } from 'zod';
import type { PathSegment } from './issues.js';
import type { ApprovalRule, ApproverSource, Condition, InputDefinition, StepDefinition } from './schema.js';
import { CONTEXT_PLACEHOLDERS, PICKER_TYPES } from './schema.js';
import { placeholdersIn, REF_PARTS } from './template.js';

/** The spec before a single approval rule is turned into a list of one. */
export interface SpecDraft {
  usage?: string;
  key?: string;
  inputs: InputDefinition[];
  approval: ApprovalRule | ApprovalRule[];
  steps: StepDefinition[];
}

/** Names used across the file (inputs named by approvers, conditions, usage and step placeholders) must exist. */
export function checkReferences(spec: SpecDraft, ctx: z.RefinementCtx) {
  const issue = (path: PathSegment[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  const inputs = new Map(spec.inputs.map((i) => [i.name, i]));
  const known = `inputs are: ${[...inputs.keys()].join(', ') || 'none'}`;
  spec.inputs.forEach(
    (input, i) => spec.inputs.findIndex((o) => o.name === input.name) !== i && issue(['inputs', i, 'name'], `repeats the input ${input.name}`),
  );

  const picker = (name: string, path: PathSegment[]) => {
    const input = inputs.get(name);
    if (!input) issue(path, `names no input (${known})`);
    else if (!(PICKER_TYPES as readonly string[]).includes(input.type))
      issue(path, `${name} is of type ${input.type}; it must be a group, system or service picker`);
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
        else if (part !== undefined && !(REF_PARTS as readonly string[]).includes(part))
          issue(['steps', s, ...path], `{{${key}}}: after the dot use ${REF_PARTS.join(', ')}`);
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
