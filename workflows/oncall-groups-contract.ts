/**
 * The @oncall user-group sync's contract: the workflow's input and the one activity it calls (the
 * activity side is src/activities/oncall-groups.ts). Types only, so workflow code can import it.
 */

export interface OnCallGroupInput {
  /** The team whose on-call fills the group: `group:default/team-payments`. */
  team: string;
  /** The Slack user group's handle, without `@`: `payments-oncall`. */
  handle: string;
  /** How long one run keeps following handoffs before the schedule's next run takes over. */
  horizonMinutes: number;
}

export interface OnCallGroupSync {
  handle: string;
  /** The Slack user group id (`S0614TZR7`), null when it could not be made. */
  usergroupId: string | null;
  /** The Slack user ids the group now has. */
  users: string[];
  /** Whether this sync changed the members. */
  changed: boolean;
  /** The earliest end of a current shift (ISO), null when no shift says when it ends. */
  nextHandoff: string | null;
  /** Why the group was left as it was, or who could not be matched to a Slack account. */
  notes: string[];
}

export interface OnCallGroupActivities {
  syncOnCallGroup(input: { team: string; handle: string }): Promise<OnCallGroupSync>;
}
