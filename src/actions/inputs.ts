/**
 * An action's inputs as a zod schema, checked against the catalog: once when the request is submitted
 * (the modal shows each message next to its field) and again when the workflow starts, because the
 * catalog may have changed in between. Picker values come out as catalog references
 * (`component:default/payments-api`), so the workflow never has to guess what a name meant.
 */
import { z } from 'zod';
import type { Catalog } from '../catalog/index.js';
import { matchesPattern, type ActionDefinition, type InputDefinition, type PickerType } from './definition.js';

export type InputValue = string | number | boolean;
export type InputValues = Record<string, InputValue>;

export interface Lookups {
  /** The entity a picker value names: exactly, by name or reference. A picker must not guess. */
  entity(picker: PickerType, value: string): { ref: string } | null;
  /** Whether a new entity by this name would clash with one already in the catalog. */
  nameTaken(name: string): boolean;
}

export interface InputError {
  input: string;
  message: string;
}

export type InputValidation = { ok: true; values: InputValues } | { ok: false; errors: InputError[] };

const PICKER_KIND: Record<PickerType, string> = { group: 'group', system: 'system', service: 'component' };
const PICKER_NOUN: Record<PickerType, string> = { group: 'team', system: 'system', service: 'service' };
/** Versions without a pattern of their own: tags, semver and commit hashes, nothing a shell would read. */
const VERSION = '[A-Za-z0-9][A-Za-z0-9._+-]{0,127}';

export function inputSchema(action: ActionDefinition, lookups: Lookups): z.ZodType<InputValues> {
  const shape: Record<string, z.ZodType<InputValue | undefined>> = {};
  for (const input of action.spec.inputs) shape[input.name] = fieldSchema(input, lookups);
  return z.strictObject(shape).transform((values) => Object.fromEntries(Object.entries(values).filter((e): e is [string, InputValue] => e[1] !== undefined)));
}

export function validateInputs(action: ActionDefinition, raw: Record<string, unknown>, lookups: Lookups): InputValidation {
  const parsed = inputSchema(action, lookups).safeParse(raw);
  if (parsed.success) return { ok: true, values: parsed.data };
  const errors = parsed.error.issues.flatMap((issue): InputError[] => {
    if (issue.code === 'unrecognized_keys') return issue.keys.map((input) => ({ input, message: `is not an input of ${action.metadata.name}` }));
    return [{ input: String(issue.path[0] ?? ''), message: issue.message }];
  });
  return { ok: false, errors };
}

/** Lookups answered by the catalog. */
export function catalogLookups(catalog: Pick<Catalog, 'whoOwns'>): Lookups {
  return {
    entity(picker, value) {
      const kind = PICKER_KIND[picker];
      const m = /^(?:([^:/\s]+):)?(?:([^:/\s]+)\/)?([^:/\s]+)$/.exec(value.trim().toLowerCase());
      if (!m || (m[1] !== undefined && m[1] !== kind)) return null;
      const ref = `${kind}:${m[2] ?? 'default'}/${m[3]}`;
      // whoOwns falls back to fuzzy matching; only the exact reference counts here.
      const answer = catalog.whoOwns(ref);
      return answer.status === 'found' && answer.entity?.ref === ref ? { ref } : null;
    },
    nameTaken(name) {
      const answer = catalog.whoOwns(name);
      const same = (n: string) => n.toLowerCase() === name.toLowerCase();
      if (answer.status === 'found') return answer.entity !== null && same(answer.entity.name);
      return answer.status === 'ambiguous' && answer.candidates.some((c) => same(c.name));
    },
  };
}

const blank = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');

function fieldSchema(input: InputDefinition, lookups: Lookups): z.ZodType<InputValue | undefined> {
  // `.optional()` first so an absent key still reaches the transform, which knows the default.
  return z
    .unknown()
    .optional()
    .transform((raw, ctx) => {
      const given = blank(raw) ? input.default : raw;
      const result = given === undefined ? (input.required ? { error: 'is required' } : { value: undefined }) : check(input, given, lookups);
      if ('error' in result) {
        ctx.addIssue({ code: 'custom', message: result.error });
        return z.NEVER;
      }
      return result.value;
    });
}

type Checked = { value: InputValue | undefined } | { error: string };

function check(input: InputDefinition, raw: unknown, lookups: Lookups): Checked {
  switch (input.type) {
    case 'boolean':
      if (typeof raw === 'boolean') return { value: raw };
      if (typeof raw === 'string' && /^(true|false)$/i.test(raw.trim())) return { value: raw.trim().toLowerCase() === 'true' };
      return { error: 'must be true or false' };
    case 'number': {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw.trim()) : NaN;
      if (!Number.isFinite(n)) return { error: `${String(raw)} is not a number` };
      if (input.min !== undefined && n < input.min) return { error: `must be at least ${input.min}` };
      if (input.max !== undefined && n > input.max) return { error: `must be at most ${input.max}` };
      return { value: n };
    }
    case 'enum': {
      const v = typeof raw === 'string' ? raw.trim() : String(raw);
      return input.values?.includes(v) ? { value: v } : { error: `${v} is not one of: ${input.values?.join(', ')}` };
    }
    default:
      if (typeof raw !== 'string') return { error: 'must be text' };
      return input.type === 'string' || input.type === 'version' ? checkText(input, raw.trim(), lookups) : checkPicker(input.type, raw.trim(), lookups);
  }
}

function checkText(input: InputDefinition, v: string, lookups: Lookups): Checked {
  const { min, max } = input;
  if ((min !== undefined && v.length < min) || (max !== undefined && v.length > max)) {
    const range = min !== undefined && max !== undefined ? `between ${min} and ${max}` : min !== undefined ? `at least ${min}` : `at most ${max}`;
    return { error: `must be ${range} characters long (${v.length} given)` };
  }
  const pattern = input.pattern ?? (input.type === 'version' ? VERSION : undefined);
  if (pattern !== undefined && !matchesPattern(pattern, v)) {
    const hint =
      input.patternHint ?? (input.type === 'version' ? 'use letters, digits, dots, hyphens, underscores and plus signs' : `it must match ${pattern}`);
    return { error: `${v} is not valid: ${hint}` };
  }
  if (input.notInCatalog && lookups.nameTaken(v)) return { error: `${v} is already in the catalog` };
  return { value: v };
}

function checkPicker(picker: PickerType, v: string, lookups: Lookups): Checked {
  const found = lookups.entity(picker, v);
  return found ? { value: found.ref } : { error: `there is no ${PICKER_NOUN[picker]} named ${v} in the catalog` };
}
