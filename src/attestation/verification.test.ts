import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../cli.js';
import { openCatalog, type Catalog } from '../catalog/index.js';
import { createConversation } from '../conversation/index.js';
import { plain, type Reply } from '../conversation/reply.js';
import { component, group, tempTree, type TempTree } from '../testing/fixtures.js';
import { type Attestation, openTruth } from '../state/truth.js';

const DAY = 86_400_000;
const NOW = new Date('2026-12-02T10:00:00Z');

let tree: TempTree;
beforeEach(() => {
  tree = tempTree();
  tree.write(
    'cat/org.yaml',
    [group('team-payments', { profile: { displayName: 'Payments' } }), group('team-ledger', { profile: { displayName: 'Ledger' } })].join('---\n'),
  );
  tree.write('cat/services.yaml', component('payments-api', { owner: 'team-payments' }));
});
afterEach(() => tree.cleanup());

const confirmed = (over: Partial<Attestation> = {}): Attestation => ({
  entityRef: 'component:default/payments-api',
  ownerRef: 'group:default/team-payments',
  verdict: 'confirmed',
  byRef: 'user:default/amara',
  byName: 'Amara Okafor',
  at: NOW.getTime() - 12 * DAY,
  proposedOwner: null,
  change: null,
  ...over,
});

async function record(a: Attestation) {
  const truth = openTruth(tree.path('c.db'));
  await truth.recordAttestation(a);
  truth.close();
}

async function whoownsJson() {
  const out: string[] = [];
  const code = await main(
    ['whoowns', 'payments-api', '--db', tree.path('c.db'), '--json'],
    { out: (s) => out.push(s), err: () => {} },
    { SWITCHBOARD_CATALOG: tree.path('cat') },
  );
  expect(code).toBe(0);
  return JSON.parse(out.join('\n')) as { verification: unknown };
}

describe('whoowns --json verification', () => {
  it('is null when the owner never confirmed the entity', async () => {
    expect((await whoownsJson()).verification).toBeNull();
  });

  it('gives who confirmed it and when', async () => {
    await record(confirmed());
    expect((await whoownsJson()).verification).toEqual({
      verdict: 'confirmed',
      by: 'user:default/amara',
      byName: 'Amara Okafor',
      at: new Date(NOW.getTime() - 12 * DAY).toISOString(),
      proposedOwner: null,
      change: null,
    });
  });

  it('does not count a confirmation given for an owner the entity no longer has', async () => {
    await record(confirmed({ ownerRef: 'group:default/team-ledger' }));
    expect((await whoownsJson()).verification).toBeNull();
  });
});

describe('whoowns in the terminal', () => {
  it('prints who verified it under the ingest line', async () => {
    await record(confirmed({ at: Date.now() - 12 * DAY }));
    const out: string[] = [];
    await main(['whoowns', 'payments-api', '--db', tree.path('c.db')], { out: (s) => out.push(s), err: () => {} }, { SWITCHBOARD_CATALOG: tree.path('cat') });
    expect(out.join('\n')).toMatch(/As of .*\n\s+✅ Verified 12 days ago by Amara Okafor$/);
  });
});

describe('the whoowns card', () => {
  let catalog: Catalog;
  let truth: ReturnType<typeof openTruth>;
  beforeEach(async () => {
    catalog = openCatalog(tree.path('c.catalog.db'));
    await catalog.ingest([tree.path('cat')]);
    truth = openTruth(tree.path('c.db'));
  });
  afterEach(() => {
    truth.close();
    catalog.close();
  });

  const footer = async () => {
    const conversation = createConversation({ catalog, attestations: truth, now: () => NOW });
    const card: Reply = await conversation.answer({ kind: 'whoowns', query: 'payments-api' });
    const contexts = card.blocks.filter((b) => b.type === 'context').map((b) => plain(b.text));
    return contexts.find((t) => t.startsWith('As of')) ?? '';
  };

  it('says "never verified by its owner" beside the ingest time', async () => {
    expect(await footer()).toMatch(/^As of .* from .* · Never verified by its owner$/);
  });

  it('says how long ago and by whom the owner confirmed it', async () => {
    await truth.recordAttestation(confirmed());
    expect(await footer()).toContain('✅ Verified 12 days ago by Amara Okafor');
  });

  it('shows a disowned entity’s proposed owner and the change opened for it', async () => {
    await truth.recordAttestation(
      confirmed({ verdict: 'disowned', proposedOwner: 'group:default/team-ledger', change: 'https://git.example/acme/payments/pull/7' }),
    );
    expect(await footer()).toContain('Payments says this is not theirs; proposed owner: Ledger (pending change https://git.example/acme/payments/pull/7)');
  });

  it('shows a pending claim where no change could be opened', async () => {
    await truth.recordAttestation(confirmed({ verdict: 'disowned', proposedOwner: 'group:default/team-ledger' }));
    expect(await footer()).toContain('proposed owner: Ledger (pending claim');
  });
});
