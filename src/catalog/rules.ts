/**
 * Catalog rules: which kinds a source may define. Backstage's shape (`catalog.rules: [{allow: [...]}]`):
 * the operator's own locations add their rules to the global ones; anything reached through a Location
 * entity gets the global rules only. Without a config file every source may define every kind.
 */

/** Kinds are compared case-insensitively; `label` keeps them as the operator wrote them, for messages. */
export interface KindRule {
  readonly kinds: ReadonlySet<string> | 'any';
  readonly names: readonly string[];
  readonly label: string;
}

/** Everything, as without a config file: the operator's sources and whatever their Locations reach. */
export const ANY_KIND: KindRule = { kinds: 'any', names: [], label: 'any kind (no catalog rules configured)' };

/**
 * The global rule when a config file gives no `catalog.rules`: Backstage's Component, API and Location,
 * plus the kinds that describe software and carry no authority. Not User, Group or Schedule: people,
 * membership and on-call decide who may approve, so only sources the operator lists may define them.
 */
export const DEFAULT_GLOBAL_KINDS = ['Component', 'API', 'Resource', 'System', 'Domain', 'Location'] as const;

export function kindRule(kinds: readonly string[]): KindRule {
  const unique = [...new Set(kinds)];
  return { kinds: new Set(unique.map((k) => k.toLowerCase())), names: unique, label: `allow: [${unique.join(', ')}]` };
}

/** Backstage: a location's rules add to the global rules. */
export function unionRules(a: KindRule, b: KindRule): KindRule {
  if (a.kinds === 'any' || b.kinds === 'any') return ANY_KIND;
  return kindRule([...a.names, ...b.names]);
}

export function allows(rule: KindRule, kind: string): boolean {
  return rule.kinds === 'any' || rule.kinds.has(kind.toLowerCase());
}
