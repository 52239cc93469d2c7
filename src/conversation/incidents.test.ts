/** The incident pipeline shared by every surface: one card per service per conversation, failures said once. */
import { describe, expect, it } from 'vitest';
import type { EntitySummary } from '../catalog/index.js';
import { IncidentCardError, postIncidentCards, type IncidentClaims } from './incidents.js';
import type { Reply } from './reply.js';

const service = (name: string): EntitySummary => ({
  ref: `component:default/${name}`,
  kind: 'Component',
  name,
  title: null,
  type: 'service',
  lifecycle: null,
  system: null,
});
const core = (names: string[]) => ({
  affectedServices: () => names.map(service),
  incidentCard: (ref: string): Reply => ({ summary: ref, blocks: [], visibility: 'channel' }),
});

function memoryClaims(): IncidentClaims & { rows: Map<string, string | null> } {
  const rows = new Map<string, string | null>();
  return {
    rows,
    claimIncidentPost: async (c, e) => (rows.has(`${c}|${e}`) ? false : (rows.set(`${c}|${e}`, null), true)),
    settleIncidentPost: async (c, e, id) => void (id === null ? rows.delete(`${c}|${e}`) : rows.set(`${c}|${e}`, id)),
  };
}

describe('postIncidentCards', () => {
  it('posts each affected service once per conversation, whatever the platform', async () => {
    const claims = memoryClaims();
    const posted: string[] = [];
    const post = async (card: Reply) => (posted.push(card.summary), `m${posted.length}`);
    expect(await postIncidentCards(core(['ledger', 'auth']), claims, 'teams:19:a@thread.tacv2', [], post)).toBe(2);
    expect(await postIncidentCards(core(['ledger']), claims, 'teams:19:a@thread.tacv2', [], post)).toBe(0);
    expect(await postIncidentCards(core(['ledger']), claims, 'slack:C1', [], post)).toBe(1);
    expect(posted).toEqual(['component:default/ledger', 'component:default/auth', 'component:default/ledger']);
  });

  it('tries every card, releases the failed claims and names each failure in one error', async () => {
    const claims = memoryClaims();
    const post = async (card: Reply) => {
      if (card.summary.endsWith('auth')) throw new Error('MessageWritesBlocked');
      return 'm1';
    };
    const run = postIncidentCards(core(['ledger', 'auth']), claims, 'slack:C1', [], post);
    await expect(run).rejects.toBeInstanceOf(IncidentCardError);
    await expect(postIncidentCards(core(['ledger', 'auth']), claims, 'slack:C1', [], post)).rejects.toThrow('auth (MessageWritesBlocked)');
    expect([...claims.rows.keys()]).toEqual(['slack:C1|component:default/ledger']);
  });
});
