/** The answer shapes of the stable interface (DESIGN.md, `whoowns --json`); adapters render these. */

export type Status = 'found' | 'ambiguous' | 'not_found';

export interface EntitySummary {
  ref: string;
  kind: string;
  name: string;
  title: string | null;
  description?: string | null;
  type: string | null;
  lifecycle: string | null;
  system: string | null;
  stale?: boolean;
}

/** The chat platforms people are reached on, and the table of them. */
export const CHAT_PLATFORMS = ['slack', 'teams'] as const;
export type ChatPlatform = (typeof CHAT_PLATFORMS)[number];
/** How people call each platform, for messages. */
export const PLATFORM_NAMES: Record<ChatPlatform, string> = { slack: 'Slack', teams: 'Microsoft Teams' };

/**
 * A person's account on each chat platform, as the catalog names them (switchboard.dev/slack-user-id,
 * graph.microsoft.com/user-id). A platform missing here may still reach them by e-mail.
 */
export type ChatIds = Partial<Record<ChatPlatform, string>>;

export interface Person {
  ref: string;
  displayName: string;
  email: string | null;
  chatIds: ChatIds;
  /**
   * Other Users that claim one of this person's chat ids (or, without one, their e-mail): the chat account
   * is none of them, so the person cannot be reached or recognised there. Absent when there are none.
   */
  sharedWith?: string[];
}

/**
 * Which catalog User a chat account is. `chat-id`: a User's annotation for that platform
 * names the account; `email`: no User claims the id, and one User has the e-mail the platform reports
 * for it. Two Users claiming the same id (or, failing an id, the same e-mail) are `ambiguous`: the
 * account is neither of them.
 */
export type IdentityMatch =
  | { status: 'found'; person: Person; by: 'chat-id' | 'email' }
  | { status: 'ambiguous'; by: 'chat-id' | 'email'; claim: string; refs: string[] }
  | { status: 'not_found' };

/**
 * Who answers for one entity, for approvals: found by exact ref, never fuzzy. `members` is every
 * member of an owning group (no cap, unlike a card's Owner.members); `onCall` counts only schedules
 * the same owner owns.
 */
export interface Responsible {
  entity: EntitySummary;
  /** A person owner carries their chat ids and `sharedWith` as a Person does. */
  owner: { ref: string; kind: string; resolved: boolean; displayName: string; email: string | null; chatIds: ChatIds; sharedWith?: string[] } | null;
  members: Person[];
  onCall: OnCall[];
}

export interface Owner {
  ref: string;
  kind: string;
  resolved: boolean;
  inherited: boolean;
  /** Where the owner came from: the entity's spec.owner, its system or domain, or CODEOWNERS. */
  via: 'spec' | 'system' | 'domain' | 'codeowners' | 'self';
  displayName: string;
  email: string | null;
  slackChannel: string | null;
  /** The first 50 members; `memberCount` is the whole team. */
  members: Person[];
  memberCount: number;
}

export interface OnCall {
  user: string;
  displayName: string;
  email: string | null;
  chatIds: ChatIds;
  rotation: string;
  from: string;
  until: string | null;
  override: boolean;
  source: string;
}

/** A provider that could not answer, in the `whoowns --json` onCallUnknown list (src/oncall/contract.ts OnCallUnknown). */
export interface OnCallUnknownEntry {
  provider: string;
  reason: string;
}

export interface Link {
  url: string;
  title: string;
  type: 'docs' | 'repo' | 'dashboard' | 'runbook' | 'other';
}

export interface CandidateSummary {
  ref: string;
  kind: string;
  name: string;
  title: string | null;
  score: number;
}

export interface Freshness {
  ingestedAt: string;
  source: string;
  line: number;
  stale: boolean;
}

/**
 * The owner's last answer to "Still yours?" (src/attestation): in `whoowns --json` as `verification`,
 * null when the current owner never confirmed it. An answer given for a different owner does not count.
 */
export interface Verification {
  verdict: 'confirmed' | 'disowned';
  /** Who answered: a catalog user ref where known, else a chat account (`slack:U123`). */
  by: string;
  byName: string | null;
  /** ISO 8601. */
  at: string;
  /** Not ours: the team named instead, and its display name. */
  proposedOwner: { ref: string; displayName: string } | null;
  /** Not ours: the change opened (a pull request or pushed branch URL); null while it is a pending claim. */
  change: string | null;
}

export interface WhoOwnsAnswer {
  query: string;
  status: Status;
  entity: EntitySummary | null;
  owner: Owner | null;
  onCall: OnCall[];
  /** Providers that could not say who is on call (`PagerDuty did not answer`); absent when every one answered. */
  onCallUnknown?: OnCallUnknownEntry[];
  /** Set once the answer path read attestations (absent from the catalog's own query). */
  verification?: Verification | null;
  runbook: { url: string; title: string } | null;
  links: Link[];
  dependencies: { dependsOn: number; dependents: number; blastRadius: number; blastRadiusCapped: boolean } | null;
  freshness: Freshness | null;
  candidates: CandidateSummary[];
}

export interface RunbookAnswer {
  query: string;
  status: Status;
  entity: EntitySummary | null;
  runbook: { url: string; title: string } | null;
  links: Link[];
  owner: Owner | null;
  onCall: OnCall[];
  /** Providers that could not say who is on call (`PagerDuty did not answer`); absent when every one answered. */
  onCallUnknown?: OnCallUnknownEntry[];
  /** As on WhoOwnsAnswer. */
  verification?: Verification | null;
  freshness: Freshness | null;
  candidates: CandidateSummary[];
}

export interface DepNode {
  ref: string;
  kind: string;
  name: string;
  title: string | null;
  depth: number;
  /** True when the edge runs through an API (provided by / consumed by) rather than spec.dependsOn. */
  viaApi: boolean;
  resolved: boolean;
}

export interface DepsAnswer {
  query: string;
  status: Status;
  entity: EntitySummary | null;
  depth: number;
  dependsOn: DepNode[];
  dependents: DepNode[];
  truncated: boolean;
  blastRadius: number;
  blastRadiusCapped: boolean;
  freshness: Freshness | null;
  candidates: CandidateSummary[];
}
