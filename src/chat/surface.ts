/**
 * The contract every chat surface meets, so the composition root (app.ts) iterates surfaces instead
 * of knowing any platform: the routes it serves on Switchboard's HTTP server, the notifier the
 * self-service activities post through, and its lifecycle. Adapters keep transport, rendering and
 * posting; decisions are the conversation core's (STYLE.md rule 3).
 *
 * How a surface names people and threads is the core's too: people carry `chatIds` per platform
 * (catalog/chat-ids.ts) and threads are refs of threads.ts (`slack:C1:17.1`, `teams:19:…:1712…`).
 * "Private" means only the asker sees it; each surface decides how (Slack: ephemeral; Teams: the
 * asker's 1:1 chat with the bot).
 */
import type { Logger } from 'pino';
import type { Catalog, ChatPlatform } from '../catalog/index.js';
import type { Config } from '../config.js';
import type { ChatNotifier, Conversation } from '../conversation/index.js';
import type { Route } from '../http/server.js';
import type { BotState } from '../state/index.js';

export interface ChatSurface {
  /** The platform, as its refs start. */
  readonly platform: ChatPlatform;
  /** Routes mounted on Switchboard's own HTTP server (none in Slack's Socket Mode). */
  readonly routes: Record<string, Route>;
  /** Posts self-service messages: status in the thread, approvers' DMs, outcomes. */
  readonly notifier: ChatNotifier;
  /** One line for the start-up log: how the platform reaches the bot. */
  describe(): string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** What the composition root gives every surface. */
export interface SurfaceDeps {
  config: Config;
  conversation: Conversation;
  state: BotState;
  catalog: Pick<Catalog, 'identify' | 'suggest' | 'whoOwns'>;
  logger: Logger;
  /** Counts an answered request for /metrics (`switchboard_chat_requests_total{platform,what}`). */
  count: (what: string) => void;
}

/** One row of the surfaces table (surfaces.ts). */
export interface SurfaceKind {
  platform: ChatPlatform;
  /** Whether the environment names this platform's credentials. */
  configured(config: Config): boolean;
  create(deps: SurfaceDeps): Promise<ChatSurface>;
}
