/**
 * The "Not ours" change's contract: the workflow's input (workflows/owner-change.ts), the activities
 * it calls (src/activities/owner-change.ts) and its id. Types and pure functions only, so workflow code
 * can import it.
 */

export interface OwnerChangeInput {
  /** The entity answered for: `component:default/beans-api`. */
  entityRef: string;
  /** The team named as its owner instead. */
  owner: string;
  /** Who answered, for the commit message. */
  by: string;
  /** The ask the answer was given on, to show the change there. */
  round: string;
  team: string;
}

export interface OwnerChangeOpened {
  /** The pull request's URL, or `<remote>@<branch>`; null when there was nothing to change (see `skipped`). */
  change: string | null;
  /** Why nothing was opened: no writable repository, or the answer was replaced meanwhile. */
  skipped?: 'not_writable' | 'superseded';
}

export interface OwnerChangeShown {
  /** Ask messages edited to show the change. */
  edited: number;
}

export interface OwnerChangeResult {
  opened: OwnerChangeOpened;
  shown: OwnerChangeShown | null;
}

export interface OwnerChangeActivities {
  /** Pushes the branch (once), opens its pull request where the host has an API (once) and settles the claim. */
  openOwnerChange(input: OwnerChangeInput): Promise<OwnerChangeOpened>;
  /** Edits the ask's messages in place, as they now read. */
  showOwnerChange(input: { round: string; team: string }): Promise<OwnerChangeShown>;
}

/**
 * One change per entity and proposed owner: a second submit of the same answer while it runs joins the
 * run (the id conflicts, and the start uses the existing one) instead of pushing twice.
 */
export function ownerChangeWorkflowId(entityRef: string, owner: string): string {
  return `owner-change/${entityRef}/${owner}`;
}
