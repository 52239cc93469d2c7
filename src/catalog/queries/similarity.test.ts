import { describe, expect, it } from 'vitest';
import { editDistance, entitySimilarity, nameSimilarity, trigrams } from './similarity.js';

describe('similarity', () => {
  it('counts an adjacent transposition as one edit', () => {
    expect(editDistance('paymnets', 'payments')).toBe(1);
  });

  it('counts insertions, deletions and substitutions', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('scores an identical name 1', () => {
    expect(nameSimilarity('payments-api', 'payments-api')).toBe(1);
  });

  it('ignores word order', () => {
    expect(nameSimilarity('api payments', 'payments-api')).toBe(1);
  });

  it('ranks a one-letter typo above an unrelated name', () => {
    expect(nameSimilarity('paymnets-api', 'payments-api')).toBeGreaterThan(0.9);
    expect(nameSimilarity('paymnets-api', 'inventory-api')).toBeLessThan(0.6);
  });

  it('scores a word prefix high but below the whole word', () => {
    const prefix = nameSimilarity('pay', 'payments');
    expect(prefix).toBeGreaterThan(0.75);
    expect(prefix).toBeLessThan(nameSimilarity('payments', 'payments'));
  });

  it('prefers the name with fewer unmatched words', () => {
    expect(nameSimilarity('payments', 'payments')).toBeGreaterThan(nameSimilarity('payments', 'payments-api'));
  });

  it('counts a tag match for less than a name match', () => {
    expect(entitySimilarity('billing', { name: 'ledger', tags: ['billing'] })).toBeLessThan(0.7);
    expect(entitySimilarity('billing', { name: 'ledger', aliases: ['billing'] })).toBeGreaterThan(0.95);
  });

  it('splits text into case-folded trigrams', () => {
    expect(trigrams('ApIs')).toEqual(['api', 'pis']);
  });
});
