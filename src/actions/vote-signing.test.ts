/** The bot's vote key: where it comes from, how it is kept, and that the workflow's check accepts its signatures. */
import { chmodSync, statSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { tempTree } from '../testing/fixtures.js';
import { proofProblem } from '../../workflows/vote-proof.js';
import { createVoteSigner, loadVoteSigner, VoteKeyError } from './vote-signing.js';

const tree = tempTree('switchboard-vote-key-');
afterAll(() => tree.cleanup());
const SEED = 'a'.repeat(64);

describe('the vote key', () => {
  it('is created beside the database on first start, readable by its owner only, and reused after', () => {
    const dbFile = tree.path('first/switchboard.db');
    tree.write('first/.keep', '');
    const first = loadVoteSigner({ envKey: undefined, dbFile });
    expect(statSync(tree.path('first/vote.key')).mode & 0o777).toBe(0o600);
    expect(first.source).toBe(tree.path('first/vote.key'));
    expect(loadVoteSigner({ envKey: undefined, dbFile }).publicKey).toBe(first.publicKey);
  });

  it('comes from SWITCHBOARD_VOTE_KEY when set, and no file is written', () => {
    tree.write('env/.keep', '');
    const signer = loadVoteSigner({ envKey: SEED, dbFile: tree.path('env/switchboard.db') });
    expect(signer.source).toBe('SWITCHBOARD_VOTE_KEY');
    expect(signer.publicKey).toBe(createVoteSigner(SEED).publicKey);
    expect(() => statSync(tree.path('env/vote.key'))).toThrow();
  });

  it('refuses a SWITCHBOARD_VOTE_KEY that is not 32 bytes of hex, naming the variable', () => {
    expect(() => loadVoteSigner({ envKey: 'secret', dbFile: tree.path('x.db') })).toThrow(VoteKeyError);
    expect(() => loadVoteSigner({ envKey: 'secret', dbFile: tree.path('x.db') })).toThrow(/^SWITCHBOARD_VOTE_KEY: must be 64 hex characters/);
  });

  it('refuses a key file others can read: whoever reads it can approve anything', () => {
    tree.write('open/vote.key', `${SEED}\n`);
    chmodSync(tree.path('open/vote.key'), 0o644);
    expect(() => loadVoteSigner({ envKey: undefined, dbFile: tree.path('open/switchboard.db') })).toThrow(/readable by others \(mode 644\): chmod 600/);
  });

  it('refuses a key file that holds no key', () => {
    tree.write('bad/.keep', '');
    writeFileSync(tree.path('bad/vote.key'), 'not a key\n', { mode: 0o600 });
    expect(() => loadVoteSigner({ envKey: undefined, dbFile: tree.path('bad/switchboard.db') })).toThrow(/must hold 64 hex characters/);
  });
});

describe('a signed vote', () => {
  const signer = createVoteSigner(SEED);
  const vote = { approver: 'user:default/ann', decision: 'reject' as const, reason: 'not now' };

  it('passes the workflow’s check for its own workflow', () => {
    expect(proofProblem(signer.sign('create-service/beans', vote), signer.publicKey, 'create-service/beans', Date.now())).toBeNull();
  });

  it('fails it once its reason is changed', () => {
    const signed = signer.sign('create-service/beans', vote);
    expect(proofProblem({ ...signed, reason: 'fine by me' }, signer.publicKey, 'create-service/beans', Date.now())).toMatch(/not Switchboard’s/);
  });

  it('carries a fresh nonce each time, so two signatures of one vote differ', () => {
    expect(signer.sign('w', vote).proof?.nonce).not.toBe(signer.sign('w', vote).proof?.nonce);
  });
});
