import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Actor } from '../../actions/launcher.js';
import { createAttestationAnswers } from '../../attestation/answer.js';
import { type AuditLog, openAudit } from '../../audit/index.js';
import { openCatalog, type Catalog } from '../../catalog/index.js';
import { createConversation, decodeAction, encodeAction } from '../../conversation/index.js';
import { openTruth } from '../../state/truth.js';
import { component, group, tempTree, type TempTree, yamlDoc } from '../../testing/fixtures.js';
import { attestAction, OWNER_INPUT } from './attestation.js';
import { toAdaptiveCard } from './render.js';

const ROUND = '2026-Q4';
const PAYMENTS = 'group:default/team-payments';
const LEDGER = 'component:default/ledger';

let tree: TempTree;
let catalog: Catalog;
let truth: ReturnType<typeof openTruth>;
let audit: AuditLog;
beforeEach(async () => {
  tree = tempTree();
  tree.write(
    'cat/all.yaml',
    [
      group('team-payments', { profile: { displayName: 'Payments' }, members: ['amara'] }),
      group('team-platform', { profile: { displayName: 'Platform' } }),
      yamlDoc({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'User',
        metadata: { name: 'amara' },
        spec: { profile: { displayName: 'Amara Okafor' }, memberOf: ['team-payments'] },
      }),
      component('ledger', { owner: 'team-payments' }),
    ].join('---\n'),
  );
  catalog = openCatalog(tree.path('c.catalog.db'));
  await catalog.ingest([tree.path('cat')]);
  truth = openTruth(tree.path('c.db'));
  audit = openAudit(tree.path('c.db'));
  await truth.recordAsk({ round: ROUND, teamRef: PAYMENTS, entities: [LEDGER], messages: ['teams:a:1:m1'], askedAt: Date.now() - 1000 });
});
afterEach(() => {
  truth.close();
  audit.close();
  catalog.close();
  tree.cleanup();
});

const actor = (ref: string | null): Actor => ({ id: 'teams:aad-1', ref, displayName: 'Amara Okafor', email: null, chatIds: {} });
const core = () => createConversation({ catalog, attestations: truth, attestationAnswers: createAttestationAnswers({ catalog, truth, audit }) });
const render = async (reply: Parameters<typeof toAdaptiveCard>[0]) => toAdaptiveCard(reply);
const click = (answer: 'confirm' | 'disown') =>
  decodeAction(encodeAction({ kind: 'attest', answer, round: ROUND, team: PAYMENTS, entity: LEDGER })) as Extract<
    ReturnType<typeof decodeAction>,
    { kind: 'attest' }
  >;

describe('"Still yours?" on Teams', () => {
  it('refreshes the ask in place with who confirmed', async () => {
    const res = await attestAction(core(), click('confirm'), {}, actor('user:default/amara'), render);
    expect(JSON.stringify(res)).toContain('confirmed by Amara Okafor');
    expect((await truth.attestations([LEDGER])).get(LEDGER)).toMatchObject({ verdict: 'confirmed', byRef: 'user:default/amara' });
  });

  it('answers a non-member with a message and records nothing', async () => {
    const res = await attestAction(core(), click('confirm'), {}, actor('user:default/someone-else'), render);
    expect(JSON.stringify(res)).toContain('Only members of Payments');
    expect((await truth.attestations([LEDGER])).size).toBe(0);
  });

  it('shows a team picker on Not ours, and records the claim once a team is picked', async () => {
    const picker = JSON.stringify(await attestAction(core(), click('disown'), {}, actor('user:default/amara'), render));
    expect(picker).toContain('Input.ChoiceSet');
    expect(picker).toContain('group:default/team-platform');
    const res = await attestAction(core(), click('disown'), { [OWNER_INPUT]: 'group:default/team-platform' }, actor('user:default/amara'), render);
    expect(JSON.stringify(res)).toContain('not ours, said Amara Okafor; proposed owner: Platform (pending claim)');
    expect((await truth.attestations([LEDGER])).get(LEDGER)).toMatchObject({ verdict: 'disowned', proposedOwner: 'group:default/team-platform', change: null });
  });
});
