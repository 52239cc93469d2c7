/**
 * Entity references, Backstage's grammar: `[<kind>:][<namespace>/]<name>`, compared case-insensitively.
 * The canonical form is lower-cased `kind:namespace/name`; it is the key everything else uses.
 */
import { CatalogError } from './errors.js';

export const DEFAULT_NAMESPACE = 'default';

export interface EntityRef {
  kind: string;
  namespace: string;
  name: string;
}

export interface RefDefaults {
  /** Kind used when the ref names none (e.g. `group` for `spec.owner`). */
  defaultKind?: string;
  /** Namespace used when the ref names none: the referring entity's own namespace. */
  defaultNamespace?: string;
}

/** Parses a ref string; throws a CatalogError quoting the input when it is malformed or lacks a kind. */
export function parseRef(input: string, defaults: RefDefaults = {}): EntityRef {
  if (typeof input !== 'string') {
    throw new CatalogError('bad_ref', `Entity ref must be a string, got ${JSON.stringify(input)}`);
  }
  const text = input.trim();
  const colon = text.indexOf(':');
  const slash = text.indexOf('/', colon + 1);
  const kind = colon >= 0 ? text.slice(0, colon) : defaults.defaultKind;
  const namespace = slash >= 0 ? text.slice(colon + 1, slash) : (defaults.defaultNamespace ?? DEFAULT_NAMESPACE);
  const name = text.slice(Math.max(colon + 1, slash + 1));
  if (!kind) throw new CatalogError('bad_ref', `Entity ref "${input}" has no kind, and none is implied here`);
  for (const [part, value] of [
    ['kind', kind],
    ['namespace', namespace],
    ['name', name],
  ] as const) {
    if (!value) throw new CatalogError('bad_ref', `Entity ref "${input}" has an empty ${part}`);
    if (/[\s:/]/.test(value)) throw new CatalogError('bad_ref', `Entity ref "${input}" has an invalid ${part} "${value}"`);
  }
  return { kind: kind.toLowerCase(), namespace: namespace.toLowerCase(), name: name.toLowerCase() };
}

export function formatRef(ref: EntityRef): string {
  return `${ref.kind}:${ref.namespace}/${ref.name}`.toLowerCase();
}

/** Parses and formats in one step: the canonical string for a ref as written. */
export function canonicalRef(input: string, defaults: RefDefaults = {}): string {
  return formatRef(parseRef(input, defaults));
}

/** A ref as people read it: the name, with its namespace when that is not `default`. */
export function shortRef(ref: string): string {
  return ref.replace(/^[^:/\s]+:(default\/)?/, '');
}
