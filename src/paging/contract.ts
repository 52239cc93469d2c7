/**
 * The contract between the paging core (pager.ts) and what calls it: the conversation core, which
 * decides what to say, and the chat adapters, which only carry the reason in and the answer out.
 */
import type { Actor } from '../actions/plan.js';

/** What paging needs of a catalog entity. */
export interface PageSubject {
  ref: string;
  /** The name people know it by: its title, else its name. */
  title: string;
  annotations: Record<string, string>;
}

export interface PageRequest {
  ref: string;
  reason: string;
  asker: Actor;
  /**
   * What makes this request one request: the Slack view id of the modal, the Teams activity id. A retry
   * carries the same key and pages nobody a second time.
   */
  requestKey: string;
  /** Where it was asked (`slack:C1`, `teams:19:…`), for the page's details and the audit row. */
  where: string | null;
}

export type PageOutcome =
  | {
      kind: 'paged';
      provider: string;
      title: string;
      reference: string;
      reason: string;
      url?: string;
      /** What the provider calls what was paged, when it said (the PagerDuty service's own name). */
      paged?: string;
    }
  /** The same request again: nothing new was sent. */
  | { kind: 'duplicate'; message: string; reference: string }
  /** The reason is missing or too long: the form says so next to the field. */
  | { kind: 'invalid'; message: string }
  /** This person paged this service a moment ago. */
  | { kind: 'limited'; message: string }
  /** The entity cannot be paged (no annotation, a bad one, the provider not configured). */
  | { kind: 'refused'; message: string }
  /** The provider did not take the page. */
  | { kind: 'failed'; provider: string; message: string; retryAfterSeconds?: number };

/** Whether a card offers Page: `problem` says why it cannot page although the entity names a provider. */
export interface Pageability {
  /** The entity's title, else its name. */
  title: string;
  provider: 'pagerduty' | 'opsgenie' | null;
  problem: string | null;
}

export interface Pager {
  /** Null when the entity names no paging provider at all (no Page button). */
  pageable(ref: string): Pageability | null;
  page(request: PageRequest): Promise<PageOutcome>;
}
