import { describe, expect, it } from 'vitest';
import { canonicalRef, parseRef } from './ref.js';

describe('entity refs', () => {
  it('parses a full ref', () => {
    expect(parseRef('component:default/payments-api')).toEqual({ kind: 'component', namespace: 'default', name: 'payments-api' });
  });

  it('lower-cases every part, so refs compare case-insensitively', () => {
    expect(canonicalRef('Component:Default/Payments-API')).toBe('component:default/payments-api');
  });

  it('applies the default kind when the ref names none', () => {
    expect(canonicalRef('team-a', { defaultKind: 'group' })).toBe('group:default/team-a');
  });

  it("defaults the namespace to the referring entity's own", () => {
    expect(canonicalRef('team-a', { defaultKind: 'group', defaultNamespace: 'billing' })).toBe('group:billing/team-a');
  });

  it('keeps an explicit namespace over the default', () => {
    expect(canonicalRef('ops/team-a', { defaultKind: 'group', defaultNamespace: 'billing' })).toBe('group:ops/team-a');
  });

  it('keeps an explicit kind over the default', () => {
    expect(canonicalRef('user:alice', { defaultKind: 'group' })).toBe('user:default/alice');
  });

  it('rejects a ref without a kind when none is implied, quoting the input', () => {
    expect(() => parseRef('team-a')).toThrow('Entity ref "team-a" has no kind');
  });

  it('rejects an empty name', () => {
    expect(() => parseRef('group:default/', {})).toThrow(/empty name/);
  });

  it('rejects whitespace inside a part', () => {
    expect(() => parseRef('group:team a')).toThrow(/invalid name "team a"/);
  });
});
