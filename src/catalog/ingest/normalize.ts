/** Turns a validated descriptor into the rows the store keeps: columns, search terms and relations. */
import { aliasesOf, type Entity, specField } from '../entity.js';
import { deriveRelations } from '../relations.js';
import { canonicalRef, DEFAULT_NAMESPACE, formatRef } from '../ref.js';
import { deletionKeys, normalizeName } from '../queries/similarity.js';
import { type NewEntity, type TermField, UNSEARCHED_KINDS } from '../store/repo.js';

const PARENT_FIELD: Record<string, { field: string; defaultKind: string }> = {
  component: { field: 'system', defaultKind: 'system' },
  api: { field: 'system', defaultKind: 'system' },
  resource: { field: 'system', defaultKind: 'system' },
  system: { field: 'domain', defaultKind: 'domain' },
  domain: { field: 'subdomainOf', defaultKind: 'domain' },
};

export type Normalized = { ok: true; entity: NewEntity } | { ok: false; issues: { path: string; message: string }[] };

function optionalRef(value: unknown, defaultKind: string, namespace: string): string | null {
  return typeof value === 'string' && value.trim() ? canonicalRef(value, { defaultKind, defaultNamespace: namespace }) : null;
}

export function normalizeEntity(entity: Entity, line: number): Normalized {
  const kind = entity.kind.toLowerCase();
  const namespace = entity.metadata.namespace ?? DEFAULT_NAMESPACE;
  const ref = formatRef({ kind, namespace, name: entity.metadata.name });
  const { relations, problems } = deriveRelations(entity, ref);
  if (problems.length > 0) return { ok: false, issues: problems };

  const profile = specField<{ displayName?: string; email?: string }>(entity, 'profile');
  const title = entity.metadata.title ?? profile?.displayName ?? null;
  const aliases = aliasesOf(entity);
  const tags = entity.metadata.tags ?? [];
  const searched = !UNSEARCHED_KINDS.has(kind);

  const terms: { term: string; field: TermField }[] = [];
  const addTerm = (value: string | undefined | null, field: TermField) => {
    const term = value?.trim().toLowerCase();
    if (term && !terms.some((t) => t.term === term && t.field === field)) terms.push({ term, field });
  };
  if (searched) {
    addTerm(entity.metadata.name, 'name');
    addTerm(entity.metadata.title, 'title');
    addTerm(profile?.displayName, 'title');
    aliases.forEach((a) => addTerm(a, 'alias'));
    tags.forEach((t) => addTerm(t, 'tag'));
  }
  if (kind === 'user') addTerm(profile?.email, 'email');

  const fuzzyKeys = new Set<number>();
  if (searched) {
    for (const text of [entity.metadata.name, title, ...aliases]) {
      const name = text ? normalizeName(text) : '';
      if (name.length >= 3) deletionKeys(name).forEach((k) => fuzzyKeys.add(k));
    }
  }

  const parent = PARENT_FIELD[kind];
  const specType = specField(entity, 'type');
  const lifecycle = specField(entity, 'lifecycle');
  return {
    ok: true,
    entity: {
      ref,
      kind: entity.kind,
      namespace,
      name: entity.metadata.name,
      title,
      specType: typeof specType === 'string' ? specType : null,
      lifecycle: typeof lifecycle === 'string' ? lifecycle : null,
      ownerRef: optionalRef(specField(entity, 'owner'), 'group', namespace),
      parentRef: parent ? optionalRef(specField(entity, parent.field), parent.defaultKind, namespace) : null,
      body: JSON.stringify(entity),
      line,
      terms,
      search: searched ? { name: entity.metadata.name, title: title ?? '', aliases: aliases.join(' | '), tags: tags.join(' | ') } : null,
      relations,
      fuzzyKeys: [...fuzzyKeys],
    },
  };
}
