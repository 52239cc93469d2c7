/**
 * The one-line change a "Not ours" answer proposes: `spec.owner` of one entity in its descriptor file,
 * with every other byte kept (comments, quoting, the other documents of a multi-document file). The
 * file is untrusted text: only a document whose kind and name match the entity is touched, and the new
 * owner is written as a plain or quoted YAML scalar, never as markup the file could smuggle in.
 */
import { isMap, isScalar, parseAllDocuments, type Scalar } from 'yaml';

export class DescriptorEditError extends Error {
  override readonly name = 'DescriptorEditError';
}

export interface EntityKey {
  kind: string;
  namespace: string;
  name: string;
}

/** A ref the catalog wrote (`group:default/team-ledger`), as Backstage writes an owner: plain when it can be. */
function ownerScalar(owner: string, quote: Scalar['type']): string {
  if (!/^[a-z0-9:/._-]+$/i.test(owner)) throw new DescriptorEditError(`"${owner}" is not an entity ref`);
  if (quote === 'QUOTE_DOUBLE') return `"${owner}"`;
  if (quote === 'QUOTE_SINGLE') return `'${owner}'`;
  return owner;
}

const lower = (v: unknown) => (typeof v === 'string' ? v.toLowerCase() : undefined);

/** The file's text with the entity's `spec.owner` set to `owner`; throws naming the file when it cannot. */
export function setOwner(text: string, entity: EntityKey, owner: string, file = 'the descriptor'): string {
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) throw new DescriptorEditError(`${file} holds no YAML document`);
  for (const doc of docs) {
    if (doc.errors.length) continue;
    const root = doc.contents;
    if (!isMap(root)) continue;
    const kind = lower(root.get('kind'));
    const metadata = root.get('metadata', true);
    if (!isMap(metadata)) continue;
    const name = lower(metadata.get('name'));
    const namespace = lower(metadata.get('namespace')) ?? 'default';
    if (kind !== entity.kind.toLowerCase() || name !== entity.name.toLowerCase() || namespace !== entity.namespace.toLowerCase()) continue;
    const spec = root.get('spec', true);
    if (!isMap(spec)) throw new DescriptorEditError(`${file}: ${entity.kind} ${entity.name} has no spec mapping to set the owner in`);
    const node = spec.get('owner', true);
    if (!isScalar(node) || !node.range) throw new DescriptorEditError(`${file}: ${entity.kind} ${entity.name} has no spec.owner to change`);
    const [start, end] = node.range;
    return text.slice(0, start) + ownerScalar(owner, node.type) + text.slice(end);
  }
  throw new DescriptorEditError(`${file}: no ${entity.kind} ${entity.namespace}/${entity.name} in it`);
}
