/**
 * The Slack emulator's public shape: what a test configures, what it reads back, and the calls it
 * can make on a running emulator (slack-emulator.ts starts one).
 */
import type { EmulatorUsergroup } from './slack-emulator-usergroups.js';

export type { EmulatorUsergroup };

export interface EmulatorCall {
  method: string;
  /** Arguments as sent; `blocks`, `attachments`, `metadata` and `view` are parsed when they arrive as form-field JSON. */
  args: Record<string, unknown>;
  at: number;
  /** True when the emulator answered this call with HTTP 429. */
  ratelimited: boolean;
}

export interface EmulatorResponse {
  id: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- whatever the app sent; tests read fields freely
  body: any;
  at: number;
}

export interface SlackEmulatorOptions {
  botUserId?: string;
  teamId?: string;
  /** When given, user ids outside this list are unknown to Slack (user_not_found and the like). */
  users?: { id: string; email: string; name?: string }[];
  channels?: { id: string; name: string; topic?: string; purpose?: string }[];
  /** Clock for trigger expiry, in ms; defaults to Date.now. */
  now?: () => number;
  /** Private channels the bot is not in: posting answers not_in_channel, joining is refused. */
  privateChannels?: string[];
  /** The bot token's scopes; when given, a user-group method without its scope answers missing_scope. Default: every scope. */
  scopes?: string[];
}

/** A modal as Slack last returned it to the app (views.open / push / update). */
export type EmulatorView = Record<string, unknown> & {
  id: string;
  hash: string;
  external_id: string;
  root_view_id: string;
  previous_view_id: string | null;
};

export interface EmulatorChannel {
  id: string;
  name: string;
  topic?: string;
  purpose?: string;
  isPrivate: boolean;
  /** Unix seconds; 0 for channels given in the options. */
  created: number;
  creator: string;
  /** User ids, the bot's included once it joined, created or was invited. */
  members: Set<string>;
}

export interface SlackEmulator {
  /** Web API base, for `slackApiUrl` (ends with `/api/`). */
  url: string;
  responseUrl(id?: string): string;
  calls: EmulatorCall[];
  responses: EmulatorResponse[];
  callsTo(method: string): EmulatorCall[];
  waitFor(method: string, predicate?: (call: EmulatorCall) => boolean, timeoutMs?: number): Promise<EmulatorCall>;
  waitForResponse(predicate?: (r: EmulatorResponse) => boolean, timeoutMs?: number): Promise<EmulatorResponse>;
  rateLimitNext(method: string, count?: number, retryAfterSeconds?: number): void;
  /** The WebSocket URL `apps.connections.open` hands out (see slack-socket.ts). */
  setSocketUrl(url: string): void;
  /**
   * Mints a trigger_id (like `12345.98765.abcd2358fdea`) for a signed slash-command or interaction
   * payload. As at Slack, views.open / views.push accept it once, within 3 s of minting.
   */
  trigger(userId?: string): string;
  /** Modals opened, pushed or updated, by view id; live. */
  views: ReadonlyMap<string, EmulatorView>;
  /** User groups made by usergroups.create, by id (`S00000001`); live. */
  usergroups: ReadonlyMap<string, EmulatorUsergroup>;
  /** A channel given in the options or made by conversations.create; live. */
  channelByName(name: string): Readonly<EmulatorChannel> | undefined;
  /** The app's DM with a user: the id conversations.open answers and chat.postMessage to the user lands in. */
  dmChannel(userId: string): string;
  reset(): void;
  close(): Promise<void>;
}
