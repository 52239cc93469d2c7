/**
 * The bot's signature on a vote, as the workflow checks it. Anyone who can reach the Temporal frontend
 * can send the `vote` Update; only the bot holds the private key, so a vote that does not carry the
 * bot's Ed25519 signature over this workflow's id is refused by the Update validator and leaves no
 * trace in history. The public key travels in the workflow input; the private key never enters
 * Temporal. Pure JS (@noble/curves, audited): the workflow sandbox has no node:crypto.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { hexToBytes } from '@noble/curves/utils.js';
import type { Vote } from './approval-rules.js';

export interface VoteProof {
  /** The workflow the vote is for: a vote signed for one request is refused by every other. */
  workflowId: string;
  /** When the bot signed it (ms since the epoch). */
  signedAt: number;
  /** Random, so two signatures of the same vote differ (hex). */
  nonce: string;
  /** Ed25519 over `voteMessage(...)`, hex. */
  signature: string;
}

/** What the `vote` Update carries: the vote and, since signed votes, the bot's proof. */
export interface SignedVote extends Vote {
  proof?: VoteProof;
}

/** How old (or how far ahead of workflow time) a signature may be: the bot signs right before sending. */
export const VOTE_PROOF_MAX_AGE_MS = 5 * 60_000;

/** The exact bytes signed: every field of the vote and of the proof but the signature, in a fixed order. */
export function voteMessage(vote: Vote, proof: Omit<VoteProof, 'signature'>): Uint8Array {
  const fields = ['switchboard-vote/v1', proof.workflowId, vote.approver, vote.decision, vote.reason ?? '', String(proof.signedAt), proof.nonce];
  return new TextEncoder().encode(JSON.stringify(fields));
}

/** Why the proof does not make the vote the bot's, or null when it does. */
export function proofProblem(vote: SignedVote, publicKey: string, workflowId: string, now: number): string | null {
  const proof = vote.proof;
  if (!proof || typeof proof.signature !== 'string') return 'This vote is not signed by Switchboard: votes are accepted only through the bot.';
  if (proof.workflowId !== workflowId) return `This vote was signed for another request (${String(proof.workflowId)}).`;
  if (typeof proof.signedAt !== 'number' || Math.abs(now - proof.signedAt) > VOTE_PROOF_MAX_AGE_MS)
    return 'This vote’s signature is stale: vote again through the bot.';
  return verifies(proof.signature, voteMessage(vote, proof), publicKey)
    ? null
    : 'This vote’s signature is not Switchboard’s: votes are accepted only through the bot.';
}

/** Malformed hex or a point off the curve is a bad signature, not a crash of the validator. */
function verifies(signature: string, message: Uint8Array, publicKey: string): boolean {
  try {
    return ed25519.verify(hexToBytes(signature), message, hexToBytes(publicKey));
  } catch {
    return false;
  }
}
