/**
 * The bot's vote key: every vote the bot sends as a Temporal Update carries its Ed25519 signature,
 * which the workflow's Update validator checks against the public key in the workflow input
 * (workflows/vote-proof.ts). The private key never enters Temporal: it comes from
 * SWITCHBOARD_VOTE_KEY, or from `vote.key` next to the database, created on first start (mode 0600).
 * Every process that sends votes for the same requests (bot replicas, restarts) must use the same key.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex, hexToBytes } from '@noble/curves/utils.js';
import type { Vote } from '../../workflows/approval-rules.js';
import { type SignedVote, voteMessage } from '../../workflows/vote-proof.js';

export interface VoteSigner {
  /** Hex; goes into every request's approval policy. */
  publicKey: string;
  /** Where the key came from, for the start-up log (never the key). */
  source: string;
  sign(workflowId: string, vote: Vote, now?: number): SignedVote;
}

export class VoteKeyError extends Error {
  readonly code = 'VOTE_KEY_INVALID';
  constructor(message: string) {
    super(message);
    this.name = 'VoteKeyError';
  }
}

const SEED = /^[0-9a-f]{64}$/i;

export function createVoteSigner(secretKeyHex: string, source = 'given'): VoteSigner {
  if (!SEED.test(secretKeyHex)) throw new VoteKeyError(`the vote key from ${source} must be 64 hex characters (an Ed25519 private key)`);
  const secretKey = hexToBytes(secretKeyHex);
  const publicKey = bytesToHex(ed25519.getPublicKey(secretKey));
  return {
    publicKey,
    source,
    sign(workflowId, vote, now = Date.now()) {
      const unsigned = { workflowId, signedAt: now, nonce: randomBytes(12).toString('hex') };
      const signature = bytesToHex(ed25519.sign(voteMessage(vote, unsigned), secretKey));
      return { ...vote, proof: { ...unsigned, signature } };
    },
  };
}

/** A key for this process only: tests and scripts whose requests end before the process does. */
export function ephemeralVoteSigner(): VoteSigner {
  return createVoteSigner(randomBytes(32).toString('hex'), 'an ephemeral key');
}

/**
 * SWITCHBOARD_VOTE_KEY when set; else `vote.key` beside the database file, created with mode 0600
 * when absent. A key file others can read is refused: whoever reads it can approve anything.
 */
export function loadVoteSigner(opts: { envKey: string | undefined; dbFile: string }): VoteSigner {
  if (opts.envKey) {
    if (!SEED.test(opts.envKey.trim()))
      throw new VoteKeyError('SWITCHBOARD_VOTE_KEY: must be 64 hex characters (an Ed25519 private key); generate one with `openssl rand -hex 32`');
    return createVoteSigner(opts.envKey.trim(), 'SWITCHBOARD_VOTE_KEY');
  }
  if (opts.dbFile === ':memory:') return ephemeralVoteSigner();
  const file = join(dirname(resolve(opts.dbFile)), 'vote.key');
  try {
    // 'wx': never overwrite a key another process created a moment ago.
    writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new VoteKeyError(`cannot create the vote key ${file}: ${(err as Error).message}`);
  }
  const mode = statSync(file).mode & 0o777;
  if (mode & 0o077) throw new VoteKeyError(`the vote key ${file} is readable by others (mode ${mode.toString(8)}): chmod 600 it`);
  const text = readFileSync(file, 'utf8').trim();
  if (!SEED.test(text)) throw new VoteKeyError(`the vote key ${file} must hold 64 hex characters (an Ed25519 private key)`);
  return createVoteSigner(text, file);
}
