/**
 * Checking entities an API returned (Backstage), in the write phase like a deferred file: each is
 * untrusted input whoever processed it before, so it gets the same validation, normalisation and kind
 * rule as a descriptor from a file. Backstage has already resolved its placeholders and followed its
 * Locations, so neither happens here. Its entities have no line in a file: they are stored with line 0.
 */
import { validateEntity } from '../entity.js';
import { normalizeEntity } from '../ingest/normalize.js';
import type { IngestProblem, ReadSource } from '../ingest/types.js';
import { allows } from '../rules.js';
import type { NewEntity } from '../store/repo.js';

type EntitiesSource = Extract<ReadSource, { type: 'entities' }>;
type Checked = Extract<ReadSource, { type: 'descriptors' }>;

export function checkEntities(source: EntitiesSource, maxBytes: number): Checked {
  const { item } = source;
  const valid: NewEntity[] = [];
  const invalid: IngestProblem[] = [];
  const refused: Checked['refused'] = [];
  for (const json of source.documents) {
    const value: unknown = JSON.parse(json.toString('utf8'));
    const what = describe(value);
    const bad = (message: string) => invalid.push({ code: 'invalid', location: item.location, message: `${what}: ${message}` });
    if (json.byteLength > maxBytes) {
      bad(`is ${json.byteLength} bytes of JSON, over catalog.limits.maxFileBytes (${maxBytes})`);
      continue;
    }
    const checked = validateEntity(value);
    const normalized = checked.ok ? normalizeEntity(checked.entity, 0) : checked;
    if (!normalized.ok) {
      for (const issue of normalized.issues) bad(`${issue.path ? `${issue.path} ` : ''}${issue.message}`);
      continue;
    }
    const entity = normalized.entity;
    if (!allows(item.rule, entity.kind)) {
      refused.push({
        ref: entity.ref,
        problem: {
          code: 'rule',
          location: item.location,
          message: `${entity.ref} refused: this source may not define a ${entity.kind} (catalog rules of this location: ${item.rule.label})`,
        },
      });
      continue;
    }
    valid.push(entity);
  }
  return { type: 'descriptors', item, hash: source.hash, valid, invalid, refused, descriptors: source.documents.length };
}

function describe(value: unknown): string {
  const v = value as { kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } } | null;
  const kind = typeof v?.kind === 'string' ? v.kind : 'entity';
  const ns = typeof v?.metadata?.namespace === 'string' && v.metadata.namespace !== 'default' ? `${v.metadata.namespace}/` : '';
  const name = typeof v?.metadata?.name === 'string' ? ` "${ns}${v.metadata.name}"` : '';
  return `${kind}${name}`;
}
