/**
 * The shape of `switchboard.yaml`, in Backstage's app-config terms so platform teams already know it.
 * Unknown keys are errors: a misspelt `rules` would otherwise silently trust everything.
 */
import { isIP } from 'node:net';
import { attestationSchema } from './attestation.js';
import { digestSchema } from './digest.js';
import { z } from 'zod';
import { gitBranchProblem, gitUrlProblem } from '../catalog/sources/git.js';

const KIND = /^[A-Za-z][A-Za-z0-9]*$/;

const rule = z.strictObject({
  allow: z.array(z.string().regex(KIND, 'must be a kind such as Component or API')).min(1, 'must list at least one kind'),
});

const location = z
  .strictObject({
    type: z.enum(['file', 'url', 'git'], { error: 'must be "file", "url" or "git"' }),
    target: z.string().min(1, 'must be a path (type: file), an http(s) URL (type: url) or a git URL (type: git)'),
    /** type: git only; default the repository's default branch. */
    branch: z.string().min(1).optional(),
    rules: z.array(rule).optional(),
  })
  .superRefine((loc, ctx) => {
    if (loc.type === 'git') {
      const problem = gitUrlProblem(loc.target);
      if (problem) ctx.addIssue({ code: 'custom', path: ['target'], message: problem });
      const branchProblem = loc.branch === undefined ? undefined : gitBranchProblem(loc.branch);
      if (branchProblem) ctx.addIssue({ code: 'custom', path: ['branch'], message: branchProblem });
      return;
    }
    if (loc.branch !== undefined) ctx.addIssue({ code: 'custom', path: ['branch'], message: 'is only for type: git' });
    const url = /^https?:\/\//i.test(loc.target);
    if (loc.type === 'url' && !url) ctx.addIssue({ code: 'custom', path: ['target'], message: 'must be an http or https URL for type: url' });
    if (loc.type === 'file' && /^[a-z][a-z0-9+.-]+:\/\//i.test(loc.target)) {
      ctx.addIssue({ code: 'custom', path: ['target'], message: 'is a URL; use type: url' });
    }
  });

/** A host name, an IP address or a CIDR (`10.1.0.0/16`, `fd00::/8`). */
const allowEntry = z.string().refine((entry) => {
  const [net = '', bits, extra] = entry.split('/');
  if (extra !== undefined) return false;
  const version = isIP(net);
  if (version === 0) return bits === undefined && /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.?$/i.test(net);
  if (bits === undefined) return true;
  const n = Number(bits);
  return /^\d+$/.test(bits) && n >= 0 && n <= (version === 4 ? 32 : 128);
}, 'must be a host name, an IP address or a CIDR such as 10.1.0.0/16');

const positive = z.number({ error: 'must be a number' }).int('must be a whole number').positive('must be above 0');

/** A Slack user-group handle without `@`, as Slack takes it: lower case, up to 21 characters. */
const HANDLE = /^[a-z0-9][a-z0-9._-]{0,20}$/;
const GROUP_REF = /^(group:)?([a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$/i;

/** `oncall`: the @oncall Slack user groups the operator opts teams into (src/activities/oncall-groups.ts). */
const oncall = z.strictObject({
  /** Team (a Group ref, `group:default/team-payments` or `team-payments`) → Slack user-group handle. */
  userGroups: z
    .record(z.string(), z.string().regex(HANDLE, 'must be a Slack user-group handle without @, such as payments-oncall (lower case, up to 21 characters)'))
    .superRefine((groups, ctx) => {
      // Checked here rather than as the record's key schema, so the message names the key and says why.
      for (const team of Object.keys(groups)) {
        if (!GROUP_REF.test(team)) ctx.addIssue({ code: 'custom', path: [team], message: 'must be a Group ref such as group:default/team-payments' });
      }
    })
    .optional(),
  /**
   * Whether an entity naming only a PagerDuty service id (not an integration key) may be paged; default
   * true. A service id is not a secret, so false confines every descriptor to the service whose key it holds.
   */
  pageByServiceId: z.boolean({ error: 'must be true or false' }).optional(),
  /** Minutes between the schedule's runs; each run follows handoffs in between. Default 60. */
  syncEveryMinutes: z
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(5, 'must be 5 or more')
    .max(1440, 'must be 1440 (a day) or less')
    .optional(),
});

export const settingsSchema = z.strictObject({
  oncall: oncall.optional(),
  /** "Still yours?" rounds (./attestation.ts). */
  attestation: attestationSchema.optional(),
  /** The weekly digest to each team's channel (./digest.ts). */
  digest: digestSchema.optional(),
  catalog: z
    .strictObject({
      rules: z.array(rule).optional(),
      locations: z.array(location).optional(),
      /** The Backstage catalog API source (BACKSTAGE_URL): which kinds it may define; default any. */
      backstage: z.strictObject({ rules: z.array(rule).optional() }).optional(),
      fetch: z.strictObject({ allow: z.array(allowEntry).optional() }).optional(),
      limits: z
        .strictObject({
          maxFileBytes: positive.optional(),
          maxAliases: z.number().int().min(0, 'must be 0 or more').optional(),
          maxExpandedNodes: positive.optional(),
          maxExpandedBytes: positive.optional(),
          maxDepth: positive.optional(),
          maxPlaceholders: z.number().int().min(0, 'must be 0 or more').optional(),
          maxPlaceholderBytes: positive.optional(),
        })
        .optional(),
    })
    .optional(),
});

export type SettingsFile = z.infer<typeof settingsSchema>;
