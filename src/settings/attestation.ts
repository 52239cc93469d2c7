/**
 * The `attestation` setting: how often each owning team is asked "Still yours?", where, and when the
 * one reminder goes. Present (even as `attestation: {}`) it switches the rounds on for every team that
 * owns something; absent, no team is asked (posting into every team's channel is the operator's call).
 * A team's `channel` (Slack) and `teamsChannel` (a Teams channel's conversation id) override its Group's
 * annotations; the weekly digest goes to the same channels.
 *
 *   attestation:
 *     every: quarterly          # quarterly (default) | monthly | <N>d, e.g. 30d
 *     remindAfter: 7d           # default 7d
 *     teams:
 *       group:default/team-payments:
 *         every: monthly
 *         channel: "#payments-catalog"
 *         teamsChannel: "19:0a1b2c3d4e5f@thread.tacv2"
 */
import { z } from 'zod';
import { canonicalRef } from '../catalog/ref.js';

const EVERY = /^(quarterly|monthly|[1-9]\d{0,2}d)$/;
const DAYS = /^[1-9]\d{0,2}d$/;
const GROUP_REF = /^(group:)?([a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$/i;
/** A Slack channel id (`C0123ABCD`) or name (`#team-payments`, which chat.postMessage accepts). */
export const SLACK_CHANNEL = /^(#[a-z0-9][a-z0-9_-]{0,79}|[CG][A-Z0-9]{8,})$/;
/**
 * A Teams channel's conversation id as the Bot Framework gives it (`19:…@thread.tacv2`, older teams'
 * `19:…@thread.skype`); a meeting chat (`@thread.v2`), a 1:1 (`a:…`) or a message (`;messageid=`) is not one.
 */
export const TEAMS_CHANNEL = /^19:[A-Za-z0-9_-]{1,200}@thread\.(tacv2|skype)$/;
export const TEAMS_CHANNEL_PROBLEM = 'must be a Teams channel id such as 19:0a1b2c3d4e5f@thread.tacv2 (the conversation id of a standard channel)';

const every = z
  .string({ error: 'must be quarterly, monthly or a number of days such as 30d' })
  .regex(EVERY, 'must be quarterly, monthly or a number of days such as 30d');

export const attestationSchema = z.strictObject({
  every: every.optional(),
  remindAfter: z.string({ error: 'must be a number of days such as 7d' }).regex(DAYS, 'must be a number of days such as 7d').optional(),
  teams: z
    .record(
      z.string(),
      z.strictObject({
        every: every.optional(),
        channel: z.string().regex(SLACK_CHANNEL, 'must be a Slack channel id (C0123ABCD) or name (#team-payments)').optional(),
        teamsChannel: z.string({ error: TEAMS_CHANNEL_PROBLEM }).regex(TEAMS_CHANNEL, TEAMS_CHANNEL_PROBLEM).optional(),
      }),
    )
    .superRefine((teams, ctx) => {
      for (const team of Object.keys(teams)) {
        if (!GROUP_REF.test(team)) ctx.addIssue({ code: 'custom', path: [team], message: 'must be a Group ref such as group:default/team-payments' });
      }
    })
    .optional(),
});

export type Every = 'quarterly' | 'monthly' | `${number}d`;

export interface AttestationSettings {
  every: Every;
  remindAfterDays: number;
  /** Per team, by canonical Group ref. */
  teams: Map<string, TeamSetting>;
}

export interface TeamSetting {
  every?: Every;
  /** The team's Slack channel (id or `#name`). */
  channel?: string;
  /** The team's Teams channel (conversation id). */
  teamsChannel?: string;
}

export const DEFAULT_EVERY: Every = 'quarterly';
export const DEFAULT_REMIND_AFTER_DAYS = 7;

export function attestationSettings(parsed: z.infer<typeof attestationSchema> | undefined): AttestationSettings | null {
  if (!parsed) return null;
  return {
    every: (parsed.every as Every | undefined) ?? DEFAULT_EVERY,
    remindAfterDays: parsed.remindAfter ? Number(parsed.remindAfter.slice(0, -1)) : DEFAULT_REMIND_AFTER_DAYS,
    teams: new Map(
      Object.entries(parsed.teams ?? {}).map(([team, t]) => [
        canonicalRef(team, { defaultKind: 'group' }),
        { ...(t.every && { every: t.every as Every }), ...(t.channel && { channel: t.channel }), ...(t.teamsChannel && { teamsChannel: t.teamsChannel }) },
      ]),
    ),
  };
}
