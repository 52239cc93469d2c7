import { describe, expect, it } from 'vitest';
import { DescriptorEditError, setOwner } from './descriptor-edit.js';

const LEDGER = { kind: 'Component', namespace: 'default', name: 'ledger' };

const FILE = `# Payments services
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: payments-api # the public API
spec:
  type: service
  owner: team-payments
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: ledger
  annotations:
    note: "owner: team-payments"   # not the owner
spec:
  type: service   # booked money
  owner: team-payments  # since 2024
  lifecycle: production
`;

describe('setOwner', () => {
  it('changes only the owner of the named entity in a multi-document file, keeping comments', () => {
    const out = setOwner(FILE, LEDGER, 'group:default/team-ledger');
    expect(out).toBe(FILE.replace('  owner: team-payments  # since 2024', '  owner: group:default/team-ledger  # since 2024'));
  });

  it('keeps double quotes where the owner was double-quoted', () => {
    const text = 'kind: Component\nmetadata: { name: ledger }\nspec:\n  owner: "team-payments"\n';
    expect(setOwner(text, LEDGER, 'group:default/team-ledger')).toBe(
      'kind: Component\nmetadata: { name: ledger }\nspec:\n  owner: "group:default/team-ledger"\n',
    );
  });

  it('keeps single quotes where the owner was single-quoted', () => {
    const text = "kind: Component\nmetadata: { name: ledger }\nspec:\n  owner: 'team-payments'\n";
    expect(setOwner(text, LEDGER, 'group:default/team-ledger')).toContain("owner: 'group:default/team-ledger'");
  });

  it('matches the entity by kind, namespace and name, not by a look-alike in another namespace', () => {
    const text = 'kind: Component\nmetadata: { name: ledger, namespace: other }\nspec: { owner: team-payments }\n';
    expect(() => setOwner(text, LEDGER, 'group:default/team-ledger', 'catalog-info.yaml')).toThrow(/catalog-info.yaml: no Component default\/ledger/);
  });

  it('refuses an owner that is not an entity ref, so nothing but a ref is written', () => {
    expect(() => setOwner(FILE, LEDGER, 'team\nowner: evil')).toThrow(DescriptorEditError);
  });

  it('says so when the entity has no spec.owner to change', () => {
    expect(() => setOwner('kind: Component\nmetadata: { name: ledger }\nspec: { type: service }\n', LEDGER, 'group:default/x', 'f.yaml')).toThrow(
      /f.yaml: Component ledger has no spec.owner/,
    );
  });
});
