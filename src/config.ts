/**
 * The environment, parsed once at start-up with zod. A bad value stops start-up with a message that
 * names the variable; nothing reads process.env anywhere else.
 */
import { z } from 'zod';
import { temporalAuthProblems } from './temporal/tls.js';
import { parseAuditKey } from './audit/key.js';
import { parseInterval } from './catalog/refresh.js';
import { gitBranchProblem, gitUrlProblem } from './catalog/sources/git.js';
import { shipped } from './install-root.js';
import { changeHost } from './attestation/pull-request.js';

/** An unset or blank variable is absent; anything else must pass `schema`. */
const optional = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), schema.optional());

/**
 * What ships with Switchboard (the sample catalog, the actions, their templates) is found beside the
 * installation, so the tool runs from any folder; what an operator sets is taken as written (relative to the
 * working directory), and the data Switchboard writes (SWITCHBOARD_DB, the git remote) stays there too.
 */
const SHIPPED = (path: string) => shipped(`manifests/${path}`);

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const envSchema = z.object({
  SWITCHBOARD_DB: z.string().min(1).default('./data/switchboard.db'),
  // How often the catalog's sources are read again (30s, 5m, 1h; 0 or off: only at start).
  SWITCHBOARD_REFRESH: z
    .string()
    .default('5m')
    .transform((v, ctx) => {
      try {
        return parseInterval(v);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    }),
  // Shared state (deliveries, claims, step journal, audit, deploys) on PostgreSQL; unset: in SWITCHBOARD_DB.
  SWITCHBOARD_STATE_URL: optional(
    z
      .string()
      .refine((v) => /^postgres(ql)?:\/\/[^/]/.test(v) && URL.canParse(v), 'must be a PostgreSQL URL, e.g. postgres://switchboard:secret@db:5432/switchboard'),
  ),
  SWITCHBOARD_CATALOG: z
    .string()
    .default(SHIPPED('catalog'))
    .transform((v) =>
      v
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean),
    ),
  // Live catalog sources (src/catalog/sources), besides SWITCHBOARD_CATALOG: a Backstage backend's catalog
  // API, read with a static external access token, and git repositories (`url#branch`, comma-separated).
  BACKSTAGE_URL: optional(
    z
      .url({ protocol: /^https?$/, error: 'must be the Backstage backend base URL, e.g. https://backstage.example.com' })
      .transform((u) => u.replace(/\/+$/, '')),
  ),
  BACKSTAGE_TOKEN: optional(z.string()),
  SWITCHBOARD_CATALOG_GIT: optional(
    z.string().transform((v, ctx) =>
      v
        .split(',')
        .map((entry) => entry.trim())
        .filter(Boolean)
        .map((entry) => {
          const hash = entry.lastIndexOf('#');
          const url = hash > 0 ? entry.slice(0, hash) : entry;
          const branch = hash > 0 ? entry.slice(hash + 1) : undefined;
          const problem = gitUrlProblem(url) ?? (branch !== undefined ? gitBranchProblem(branch) : undefined);
          if (problem) ctx.addIssue({ code: 'custom', message: `"${entry}": ${problem} (expected git URLs, each optionally #branch)` });
          return branch ? { url, branch } : { url };
        }),
    ),
  ),
  /** The config file (src/settings); unset means ./switchboard.yaml if it exists, else none. */
  SWITCHBOARD_CONFIG: optional(z.string()),
  PORT: z.coerce.number({ error: 'must be a port number' }).int().min(0).max(65535).default(3000),
  SWITCHBOARD_ACTIONS: z.string().min(1).default(SHIPPED('actions')),
  SWITCHBOARD_TEMPLATES: z.string().min(1).default(SHIPPED('templates')),
  SWITCHBOARD_GIT_REMOTE: z.string().min(1).default('./data/repositories'),
  SWITCHBOARD_PUBLIC_URL: optional(z.url({ error: 'must be the URL webhook receivers reach Switchboard at, e.g. https://switchboard.example.com' })),
  SWITCHBOARD_DEPLOY_TOKEN: optional(z.string().min(16, 'must be at least 16 characters')),
  // GET /metrics on its own listener (e.g. 127.0.0.1:9464) instead of PORT, and/or behind a bearer token.
  SWITCHBOARD_METRICS_ADDRESS: optional(z.string().regex(/^(\[[0-9A-Fa-f:.]+\]|[^\s:[\]]+):\d{1,5}$/, 'must be host:port, e.g. 127.0.0.1:9464')),
  SWITCHBOARD_METRICS_TOKEN: optional(z.string().min(16, 'must be at least 16 characters')),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SLACK_BOT_TOKEN: optional(z.string().startsWith('xoxb-', 'must be a bot token starting with "xoxb-"')),
  SLACK_SIGNING_SECRET: optional(z.string().min(8, 'looks too short for a signing secret')),
  SLACK_APP_TOKEN: optional(z.string().startsWith('xapp-', 'must be an app-level token starting with "xapp-"')),
  SLACK_API_URL: optional(z.url({ error: 'must be a URL such as https://slack.com/api/' })),
  // On-call providers and paging. The addresses come only from here, never from a descriptor: an annotation
  // can name a PagerDuty service or Opsgenie team, not where the bot sends (docs/security.md "Paging").
  PAGERDUTY_API_TOKEN: optional(z.string().min(8, 'looks too short for a PagerDuty REST API token')),
  PAGERDUTY_API_URL: z
    .url({ protocol: /^https?$/, error: 'must be the PagerDuty REST API base URL, e.g. https://api.pagerduty.com (EU: https://api.eu.pagerduty.com)' })
    .default('https://api.pagerduty.com'),
  PAGERDUTY_EVENTS_URL: z
    .url({ protocol: /^https?$/, error: 'must be the PagerDuty Events API base URL, e.g. https://events.pagerduty.com (EU: https://events.eu.pagerduty.com)' })
    .default('https://events.pagerduty.com'),
  OPSGENIE_API_KEY: optional(z.string().min(8, 'looks too short for an Opsgenie API key')),
  OPSGENIE_API_URL: z
    .url({ protocol: /^https?$/, error: 'must be the Opsgenie API base URL, e.g. https://api.opsgenie.com (EU: https://api.eu.opsgenie.com)' })
    .default('https://api.opsgenie.com'),
  // "Not ours" pull requests (src/attestation/pull-request.ts): a token goes only to its own API URL,
  // and only for a remote on that API's host (docs/security.md "Owner changes").
  GITHUB_TOKEN: optional(z.string().min(8, 'looks too short for a GitHub token (a fine-grained or classic personal access token, or an app token)')),
  GITHUB_API_URL: z
    .url({
      protocol: /^https?$/,
      error: 'must be the GitHub REST API base URL, e.g. https://api.github.com (GitHub Enterprise Server: https://github.example.com/api/v3)',
    })
    .transform((u) => u.replace(/\/+$/, ''))
    .default('https://api.github.com'),
  GITLAB_TOKEN: optional(z.string().min(8, 'looks too short for a GitLab access token')),
  GITLAB_API_URL: z
    .url({
      protocol: /^https?$/,
      error: 'must be the GitLab REST API base URL, e.g. https://gitlab.com/api/v4 (self-managed: https://gitlab.example.com/api/v4)',
    })
    .transform((u) => u.replace(/\/+$/, ''))
    .refine(
      (u) => /\/api\/v4$/.test(new URL(u).pathname),
      'must end in /api/v4, e.g. https://gitlab.com/api/v4 (self-managed: https://gitlab.example.com/api/v4)',
    )
    .default('https://gitlab.com/api/v4'),
  // The bot's Entra app registration (Azure Bot, single tenant) and where Bot Framework lives.
  TEAMS_APP_ID: optional(z.string().regex(GUID, 'must be the Microsoft App ID (a GUID) of the Azure Bot')),
  TEAMS_APP_PASSWORD: optional(z.string().min(8, 'looks too short for a client secret')),
  TEAMS_TENANT_ID: optional(z.string().regex(GUID, 'must be the Directory (tenant) ID, a GUID')),
  // The SDK derives the key set by replacing /openidconfiguration with /keys, so the URL must end with it.
  TEAMS_OPENID_METADATA_URL: z
    .url({ error: 'must be the Bot Framework OpenID metadata URL' })
    .refine(
      (u) => /\/openidconfiguration$/.test(new URL(u).pathname),
      'must end in /openidconfiguration (its key set is read from jwks_uri and /keys beside it)',
    )
    .default('https://login.botframework.com/v1/.well-known/openidconfiguration'),
  TEAMS_TOKEN_ISSUER: z.string().min(1).default('https://api.botframework.com'),
  TEAMS_LOGIN_ENDPOINT: z
    .url({ error: 'must be the Entra ID login base URL, e.g. https://login.microsoftonline.com' })
    .transform((u) => u.replace(/\/+$/, ''))
    .default('https://login.microsoftonline.com'),
  TEMPORAL_ADDRESS: optional(z.string().regex(/^[^:\s]+:\d+$/, 'must be host:port, e.g. localhost:7233')),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('switchboard'),
  TEMPORAL_CLI_PATH: optional(z.string()),
  TEMPORAL_UI_URL: optional(z.url({ error: 'must be the Temporal UI base URL, e.g. http://localhost:8080' })),
  // mTLS / API key for Temporal (src/temporal/tls.ts): file paths, read once at start-up.
  TEMPORAL_TLS_CERT: optional(z.string()),
  TEMPORAL_TLS_KEY: optional(z.string()),
  TEMPORAL_TLS_CA: optional(z.string()),
  TEMPORAL_TLS_SERVER_NAME: optional(z.string()),
  TEMPORAL_API_KEY: optional(z.string()),
  // The bot's vote-signing key (src/actions/vote-signing.ts); unset: vote.key beside the database.
  SWITCHBOARD_VOTE_KEY: optional(
    z.string().regex(/^\s*[0-9a-fA-F]{64}\s*$/, 'must be 64 hex characters (an Ed25519 private key), e.g. from `openssl rand -hex 32`'),
  ),
  // The audit chain's HMAC key (src/audit/key.ts); unset: audit.key beside the database. Never logged.
  SWITCHBOARD_AUDIT_KEY: optional(
    z.string().transform((v, ctx) => {
      try {
        return parseAuditKey(v);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    }),
  ),
});

export type Config = z.infer<typeof envSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const config = parsed.data;
  const problems: string[] = [];
  if (config.SLACK_BOT_TOKEN && !config.SLACK_SIGNING_SECRET && !config.SLACK_APP_TOKEN) {
    problems.push('SLACK_SIGNING_SECRET: is required with SLACK_BOT_TOKEN unless SLACK_APP_TOKEN selects Socket Mode');
  }
  if ((config.TEAMS_APP_ID === undefined) !== (config.TEAMS_APP_PASSWORD === undefined)) {
    problems.push('TEAMS_APP_ID / TEAMS_APP_PASSWORD: set both or neither');
  }
  if (config.TEAMS_APP_ID && !config.TEAMS_TENANT_ID) {
    problems.push('TEAMS_TENANT_ID: is required with TEAMS_APP_ID (the bot is single-tenant; its token comes from that tenant)');
  }
  problems.push(...temporalAuthProblems(config));
  if (config.BACKSTAGE_URL && !config.BACKSTAGE_TOKEN) {
    problems.push('BACKSTAGE_TOKEN: is required with BACKSTAGE_URL (a static external access token the backend accepts, sent as Authorization: Bearer)');
  }
  if (config.BACKSTAGE_TOKEN && !config.BACKSTAGE_URL)
    problems.push('BACKSTAGE_URL: is required with BACKSTAGE_TOKEN (the Backstage backend whose catalog to read)');
  if (config.GITHUB_TOKEN && config.GITLAB_TOKEN && changeHost('github', config.GITHUB_API_URL) === changeHost('gitlab', config.GITLAB_API_URL))
    problems.push(
      `GITHUB_API_URL / GITLAB_API_URL: both name the host ${changeHost('github', config.GITHUB_API_URL)}; a remote there could not tell which API (and token) opens its pull request`,
    );
  if (config.SWITCHBOARD_STATE_URL) {
    // Key files beside a local database would differ from replica to replica: shared state needs the
    // keys every replica shares.
    if (!config.SWITCHBOARD_AUDIT_KEY)
      problems.push('SWITCHBOARD_AUDIT_KEY: is required with SWITCHBOARD_STATE_URL (every replica appends to one audit chain with one key)');
    if (!config.SWITCHBOARD_VOTE_KEY)
      problems.push(
        'SWITCHBOARD_VOTE_KEY: is required with SWITCHBOARD_STATE_URL (a vote signed by one bot replica is checked against the key in every request)',
      );
  }
  if (problems.length) throw new ConfigError(problems);
  return config;
}
