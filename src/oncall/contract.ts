/**
 * The contract between the on-call providers and what reads them (the conversation core, the health
 * report, the @oncall user-group sync, paging). Three providers meet it: the catalog's own Schedules,
 * PagerDuty and Opsgenie; one more (Jira Service Management's operations API, Opsgenie's successor)
 * slots in as a fourth row of the providers table without its readers changing.
 */
import type { OnCall } from '../catalog/queries/types.js';

/** `schedule`, `pagerduty`, `opsgenie`. */
export type ProviderName = string;

/** What a provider needs to know of an entity: its ref and its annotations, as ingested. */
export interface OnCallSubject {
  ref: string;
  annotations: Record<string, string>;
  /** The entity's owner ref, when it has one. */
  ownerRef: string | null;
}

/** A provider that could not say who is on call: the card says so instead of naming anybody. */
export interface OnCallUnknown {
  provider: ProviderName;
  /** For the card: `PagerDuty did not answer`, `PagerDuty refused the token (401)`. */
  reason: string;
}

export interface OnCallLookup {
  /**
   * Who is on call now, in the `whoowns --json` onCall shape: `source` starts with `pagerduty:`,
   * `opsgenie:` or `schedule:`; `user` is the catalog User matched by e-mail, else `email:<address>`.
   */
  onCall: OnCall[];
  unknown: OnCallUnknown[];
}

/** How a provider has fared, for `/healthz` and the health report. */
export interface ProviderStatus {
  provider: ProviderName;
  /** Human name: `PagerDuty`. */
  title: string;
  configured: boolean;
  /** The last call's outcome: ok, or what went wrong. */
  ok: boolean;
  lastError: string | null;
  /** ISO time of the last successful call, null when none yet. */
  lastOkAt: string | null;
}

/** One on-call source. `applies` is cheap and synchronous; `lookup` may call the network. */
export interface OnCallProvider {
  readonly name: ProviderName;
  readonly title: string;
  /** Whether this entity names this provider (an annotation) or the provider covers it anyway. */
  applies(subject: OnCallSubject): boolean;
  lookup(subject: OnCallSubject, at: Date): Promise<OnCallLookup>;
  status(): ProviderStatus;
}

/** Every configured provider, asked together. */
export interface OnCallProviders {
  /** The union of every applying provider's answer; a provider that fails lands in `unknown`. */
  lookup(subject: OnCallSubject, at: Date): Promise<OnCallLookup>;
  statuses(): ProviderStatus[];
}
