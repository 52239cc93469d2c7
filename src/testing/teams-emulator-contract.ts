/**
 * The Teams emulator's public shape: what a test configures, what it reads back, and the calls it can
 * make on a running emulator (teams-emulator.ts starts one).
 */

/** A sliding window of the Connector's rate limit: at most `max` operations in any `seconds`. */
export interface RateWindow {
  seconds: number;
  max: number;
}

/**
 * Per bot per thread limits. Defaults are Microsoft's documented table ("Optimize your bot with rate
 * limiting in Teams", per bot per thread limit): send 7/1 s, 8/2 s, 60/30 s, 1800/3600 s; create the
 * same; roster reads 14/1 s, 16/2 s, 120/30 s, 3600/3600 s.
 */
export interface RateLimits {
  /** Send, reply, update and delete, counted per conversation (thread suffix ignored). */
  send: RateWindow[];
  /** Create conversation, counted per user the conversation is with. */
  create: RateWindow[];
  /** members, member, pagedmembers, counted per conversation. */
  read: RateWindow[];
}

export interface TeamsEmulatorOptions {
  /** The bot's Microsoft App ID (the JWT audience and the token endpoint's client_id); a random GUID by default. */
  appId?: string;
  appPassword?: string;
  tenantId?: string;
  /** The Bot Connector token issuer; Bot Framework's public-cloud value by default. */
  issuer?: string;
  /** Partial limits replace the named operation's windows; `false` turns rate limiting off. */
  rate?: Partial<RateLimits> | false;
  /**
   * The activity size limit in bytes, measured as UTF-16 like Teams does. Default 100 KB: "Format your bot
   * messages" gives 100 KB (80 KB recommended); older pages said 28 KB and 40 KB.
   */
  maxMessageBytes?: number;
  /** expires_in of the access tokens the token endpoint issues; Entra answers 3599. */
  tokenLifetimeSeconds?: number;
}

/** The Connector operations the emulator serves. */
export type ConnectorOp = 'createConversation' | 'send' | 'reply' | 'update' | 'delete' | 'members' | 'member' | 'pagedMembers';

export interface TeamsCall {
  method: string;
  /** The request path as sent (still percent-encoded). */
  path: string;
  /** The operation, once the path was recognised. */
  op?: ConnectorOp;
  /** Decoded from the path, so a test compares the id it sent. */
  conversationId?: string;
  activityId?: string;
  userId?: string;
  query: Record<string, string>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- whatever the bot sent; tests read fields freely
  body: any;
  /** The status the emulator answered. */
  status: number;
  /** Date.now() when the request arrived. */
  at: number;
}

/** A message as the conversation holds it now: the last body sent or put, with Teams' fields. */
export interface EmulatorMessage {
  id: string;
  /** The conversation id it was addressed to (a channel thread keeps its `;messageid=` suffix). */
  conversationId: string;
  replyToId?: string;
  activity: Record<string, unknown>;
  /** How many times PUT replaced it. */
  updates: number;
}

export interface EmulatorUserInput {
  aadObjectId: string;
  name: string;
  email: string;
  /** The `29:` id; generated when absent. */
  id?: string;
  givenName?: string;
  surname?: string;
  userPrincipalName?: string;
  userRole?: string;
}

export interface EmulatorConversationInput {
  id: string;
  type: 'channel' | 'groupChat' | 'personal';
  name?: string;
  /** Each a `29:` id or an AAD object id of a user added with addUser. */
  members: string[];
}

/** Which lie a forged inbound token tells; see TeamsEmulator.authorization. */
export interface JwtForgery {
  /** Sign with an RSA key the key set does not list, under a kid it does list or under one it does not. */
  foreignKey?: 'sameKid' | 'unknownKid';
  /** exp ten minutes ago (past any 5-minute skew). */
  expired?: boolean;
  /** nbf ten minutes ahead. */
  notYetValid?: boolean;
  aud?: string;
  iss?: string;
  /** Replaces activity.serviceUrl in the claim; null leaves the claim out. */
  serviceUrl?: string | null;
  /** HS256 keyed with the public key's PEM bytes (the algorithm-confusion attack), or an unsigned token. */
  alg?: 'HS256' | 'none';
  /** Extra or replaced claims, applied last. */
  claims?: Record<string, unknown>;
}

export interface FailureInjection {
  /** error.code of the answer, e.g. 'Throttled', 'PreconditionFailed', 'ServiceError'. */
  code: string;
  message?: string;
  /** Seconds, sent as Retry-After. */
  retryAfter?: number;
  /** How many matching calls fail; 1 by default. */
  times?: number;
}

/** A string matches a substring of the decoded path (e.g. '/activities'), a RegExp tests it, a function sees the call. */
export type CallMatcher =
  string | RegExp | ((call: Pick<TeamsCall, 'method' | 'op' | 'conversationId' | 'activityId' | 'userId'> & { decodedPath: string }) => boolean);

export interface TeamsEmulator {
  /** The Connector base as Teams puts it in activity.serviceUrl (ends with `/teams/`). */
  serviceUrl: string;
  openIdMetadataUrl: string;
  issuer: string;
  /** The Entra login base; the token endpoint is `<loginEndpoint>/<tenant>/oauth2/v2.0/token`. */
  loginEndpoint: string;
  appId: string;
  appPassword: string;
  tenantId: string;
  /** The bot's account id in conversations (`28:<appId>`). */
  botId: string;
  /** Connector calls, in arrival order; live. */
  calls: TeamsCall[];
  readonly tokenRequests: number;
  readonly metadataRequests: number;
  readonly keysRequests: number;
  /** Resolves with the first recorded call (already there or arriving later) that matches. */
  waitFor(
    match: Partial<Pick<TeamsCall, 'method' | 'op' | 'conversationId' | 'activityId' | 'status'>> | ((call: TeamsCall) => boolean),
    timeoutMs?: number,
  ): Promise<TeamsCall>;
  /** The messages of a conversation as they stand (updates applied, deletions gone); a thread id gives that thread. */
  activities(conversationId: string): EmulatorMessage[];
  /** Adds a user to the tenant; returns the `29:` id. */
  addUser(user: EmulatorUserInput): string;
  addConversation(conversation: EmulatorConversationInput): string;
  /** The 1:1 conversation id createConversation gives for this user (29: id or AAD object id). */
  personalConversationId(userId: string): string;
  /** Sends into this user's 1:1 answer 403 MessageWritesBlocked, as when the user blocked the bot. */
  blockUser(aadObjectId: string): void;
  /** The next matching Connector call(s) answer `status` with `{ error: { code, message } }`. */
  failNext(match: CallMatcher, status: number, failure: FailureInjection): void;
  /** Publishes a new signing key and signs with it from now on; the old one stays listed. Returns the new kid. */
  rotateKey(): string;
  /** Lists only the current signing key. */
  dropOldKeys(): void;
  /** Forgets every access token issued so far: the Connector answers 401 until the bot fetches a new one. */
  expireTokens(): void;
  /** `Bearer <JWT>` as the Bot Connector signs a request to the bot, or forged as `forge` says. */
  authorization(activity: { serviceUrl?: unknown }, forge?: JwtForgery): string;
  /** POSTs the activity to the bot, signed; the body comes back parsed when it is JSON. */
  post(botUrl: string, activity: Record<string, unknown>, forge?: JwtForgery): Promise<{ status: number; body: unknown }>;
  /** Empties the call log in place. */
  reset(): void;
  close(): Promise<void>;
}
