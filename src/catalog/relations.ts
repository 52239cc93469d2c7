/**
 * Relations are derived from spec fields and stored in both directions. One table says which field
 * gives which pair, so adding a relation is a row here, not a branch in code.
 */
import { type Entity, specField } from './entity.js';
import { canonicalRef } from './ref.js';

export const RELATION_PAIRS = {
  ownedBy: 'ownerOf',
  ownerOf: 'ownedBy',
  dependsOn: 'dependencyOf',
  dependencyOf: 'dependsOn',
  providesApi: 'apiProvidedBy',
  apiProvidedBy: 'providesApi',
  consumesApi: 'apiConsumedBy',
  apiConsumedBy: 'consumesApi',
  partOf: 'hasPart',
  hasPart: 'partOf',
  memberOf: 'hasMember',
  hasMember: 'memberOf',
  childOf: 'parentOf',
  parentOf: 'childOf',
  subcomponentOf: 'hasSubcomponent',
  hasSubcomponent: 'subcomponentOf',
} as const;

export type RelationType = keyof typeof RELATION_PAIRS;

interface RelationRule {
  field: string;
  /** Kinds (lower-case) this rule applies to; undefined means every kind that has the field. */
  kinds?: string[];
  defaultKind: string;
  relation: RelationType;
}

export const RELATION_RULES: RelationRule[] = [
  { field: 'owner', defaultKind: 'group', relation: 'ownedBy' },
  { field: 'system', kinds: ['component', 'api', 'resource'], defaultKind: 'system', relation: 'partOf' },
  { field: 'domain', kinds: ['system'], defaultKind: 'domain', relation: 'partOf' },
  { field: 'subdomainOf', kinds: ['domain'], defaultKind: 'domain', relation: 'partOf' },
  { field: 'subcomponentOf', kinds: ['component'], defaultKind: 'component', relation: 'subcomponentOf' },
  { field: 'providesApis', kinds: ['component'], defaultKind: 'api', relation: 'providesApi' },
  { field: 'consumesApis', kinds: ['component'], defaultKind: 'api', relation: 'consumesApi' },
  { field: 'dependsOn', kinds: ['component', 'resource'], defaultKind: 'component', relation: 'dependsOn' },
  { field: 'dependencyOf', kinds: ['component', 'resource'], defaultKind: 'component', relation: 'dependencyOf' },
  { field: 'memberOf', kinds: ['user'], defaultKind: 'group', relation: 'memberOf' },
  { field: 'members', kinds: ['group'], defaultKind: 'user', relation: 'hasMember' },
  { field: 'parent', kinds: ['group'], defaultKind: 'group', relation: 'childOf' },
  { field: 'children', kinds: ['group'], defaultKind: 'group', relation: 'parentOf' },
];

export interface Relation {
  source: string;
  type: RelationType;
  target: string;
}

export interface DerivedRelations {
  relations: Relation[];
  /** Refs that could not be parsed, with the field that held them; the entity is still stored. */
  problems: { path: string; message: string }[];
}

/** Every relation an entity declares, each with its reverse, keyed by canonical refs. */
export function deriveRelations(entity: Entity, selfRef: string): DerivedRelations {
  const kind = entity.kind.toLowerCase();
  const namespace = entity.metadata.namespace ?? 'default';
  const relations: Relation[] = [];
  const problems: DerivedRelations['problems'] = [];
  for (const rule of RELATION_RULES) {
    if (rule.kinds && !rule.kinds.includes(kind)) continue;
    const value = specField(entity, rule.field);
    if (value === undefined || value === null) continue;
    const targets = Array.isArray(value) ? value : [value];
    targets.forEach((target, i) => {
      const path = Array.isArray(value) ? `spec.${rule.field}[${i}]` : `spec.${rule.field}`;
      if (typeof target !== 'string') {
        problems.push({ path, message: 'must be an entity ref string' });
        return;
      }
      try {
        const ref = canonicalRef(target, { defaultKind: rule.defaultKind, defaultNamespace: namespace });
        relations.push({ source: selfRef, type: rule.relation, target: ref });
        relations.push({ source: ref, type: RELATION_PAIRS[rule.relation], target: selfRef });
      } catch (err) {
        problems.push({ path, message: (err as Error).message });
      }
    });
  }
  return { relations, problems };
}
