/** The sample catalog `npm start` and the README use must ingest cleanly and answer as documented. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalog, type Catalog } from './index.js';
import { SAMPLE_CATALOG, tempTree, type TempTree } from '../testing/fixtures.js';

let tree: TempTree;
let catalog: Catalog;

beforeAll(async () => {
  tree = tempTree();
  catalog = openCatalog(tree.path('catalog.db'));
  const report = await catalog.ingest([SAMPLE_CATALOG]);
  expect(report.problems).toEqual([]);
});

afterAll(() => {
  catalog.close();
  tree.cleanup();
});

describe('the sample catalog', () => {
  it('holds about fifteen services with payments among them', () => {
    expect(catalog.stats().entities).toBeGreaterThan(60);
    expect(catalog.whoOwns('payments-api').owner?.ref).toBe('group:default/team-payments');
  });

  it('has two rotations on call for payments, with the Christmas override', () => {
    expect(catalog.whoOwns('payments-api', new Date('2026-03-04T12:00:00Z')).onCall.map((o) => [o.rotation, o.user])).toEqual([
      ['primary', 'user:default/sofia-marchetti'],
      ['secondary', 'user:default/amara-okafor'],
    ]);
    expect(catalog.whoOwns('payments-api', new Date('2026-12-25T12:00:00Z')).onCall[0]).toMatchObject({ user: 'user:default/jonas-weber', override: true });
  });

  it('hands off at the local hour across the US clock change', () => {
    const shift = catalog.whoOwns('checkout-web', new Date('2026-03-04T12:00:00Z')).onCall[0];
    expect(shift?.until).toBe('2026-03-09T14:00:00.000Z');
  });

  it('counts auth as the service with the widest blast radius', () => {
    expect(catalog.whoOwns('auth').dependencies?.blastRadius).toBe(8);
  });

  it('answers aliases', () => {
    expect(catalog.whoOwns('billing').entity?.name).toBe('payments-api');
  });

  it('finds every runbook by one of the three rules', () => {
    expect(catalog.runbook('payment-gateway').runbook?.url).toMatch(/^https:/);
    expect(catalog.runbook('ledger').runbook?.url).toMatch(/^https:/);
  });
});

describe('findMentions', () => {
  it('finds the service an incident channel is named after', () => {
    expect(catalog.findMentions('inc-payments-latency').map((e) => e.ref)).toEqual(['system:default/payments']);
  });

  it('prefers the longer name over the words inside it', () => {
    expect(catalog.findMentions('inc-2026-11-23-payments-api-errors').map((e) => e.ref)).toEqual(['component:default/payments-api']);
  });

  it('finds several services in a sentence, in order, by name or alias', () => {
    expect(catalog.findMentions('cart is slow and billing times out').map((e) => e.name)).toEqual(['cart', 'payments-api']);
  });

  it('names nothing for generic words', () => {
    expect(catalog.findMentions('incident: latency is high, api down')).toEqual([]);
  });
});
