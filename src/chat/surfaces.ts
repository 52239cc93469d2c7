/**
 * The chat surfaces Switchboard has, in one table (STYLE.md rule 12): `start` runs every surface whose
 * credentials are set, and the terminal chat when none is (cli.ts). Adapters are imported when
 * configured, so a CLI query or a Slack-only bot never loads the Teams SDK.
 */
import type { Config } from '../config.js';
import { catalogIdentity } from '../conversation/identity.js';
import type { ChatSurface, SurfaceDeps, SurfaceKind } from './surface.js';

export const SURFACES: readonly SurfaceKind[] = [
  {
    platform: 'slack',
    configured: (c) => Boolean(c.SLACK_BOT_TOKEN),
    create: async (d) => {
      const { createSlackAdapter } = await import('./slack/adapter.js');
      return createSlackAdapter({
        botToken: d.config.SLACK_BOT_TOKEN as string,
        signingSecret: d.config.SLACK_SIGNING_SECRET,
        appToken: d.config.SLACK_APP_TOKEN,
        apiUrl: d.config.SLACK_API_URL,
        conversation: d.conversation,
        state: d.state,
        logger: d.logger,
        count: d.count,
        person: catalogIdentity(d.catalog, d.logger),
      });
    },
  },
  {
    platform: 'teams',
    configured: (c) => Boolean(c.TEAMS_APP_ID && c.TEAMS_APP_PASSWORD),
    create: async (d) => (await import('./teams/adapter.js')).createTeamsAdapter(d),
  },
];

/** Whether any chat platform is configured (else `start` opens the terminal chat). */
export const anySurfaceConfigured = (config: Config) => SURFACES.some((s) => s.configured(config));

/** Every configured surface, created. */
export function createSurfaces(config: Config, deps: (platform: string) => SurfaceDeps): Promise<ChatSurface[]> {
  return Promise.all(SURFACES.filter((s) => s.configured(config)).map((s) => s.create(deps(s.platform))));
}
