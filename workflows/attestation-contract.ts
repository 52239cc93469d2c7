/**
 * The "Still yours?" round's contract: the workflow's input and the activities it calls (the activity
 * side is src/activities/attestation.ts). Types only, so workflow code can import it.
 */

export interface AttestationRoundInput {
  /** The owning team: `group:default/team-payments`. */
  team: string;
  /** How a round is named from its start: `quarterly` (2026-Q4), `monthly` (2026-12), `days` (2026-12-02). */
  period: 'quarterly' | 'monthly' | 'days';
  /** How long an unanswered ask waits before its one reminder. */
  remindAfterMs: number;
}

export interface AskResult {
  round: string;
  /** False: this team was already asked in this round (a retried or repeated run). */
  asked: boolean;
  entities: number;
  /** Where the ask went (message refs); empty when the team could be reached nowhere. */
  messages: string[];
}

export interface RemindResult {
  /** False: nothing was left unanswered, or the reminder already went. */
  reminded: boolean;
  unanswered: number;
}

export interface AttestationRoundResult {
  ask: AskResult;
  reminder: RemindResult | null;
}

export interface AttestationActivities {
  askTeam(input: { round: string; team: string }): Promise<AskResult>;
  remindTeam(input: { round: string; team: string }): Promise<RemindResult>;
}
