/**
 * Durable bot state: deliveries handled, incident cards posted, the step journal, what the chat surfaces
 * learnt. Two stores implement it: the embedded SQLite file (this module; the default) and PostgreSQL
 * (./postgres.ts), shared by every replica. Claims are an insert that does nothing on a primary-key
 * conflict, so two deliveries racing for the same key cannot both win, in one process or several.
 */
import { and, desc, eq, gt, isNotNull, lt } from 'drizzle-orm';
import { openDb } from '../db/open.js';
import { chatAccounts, chatConversations, deliveries, incidentPosts, registeredDescriptors, stepJournal } from './schema.js';

export interface BotState {
  /** True the first time a delivery key is seen; false for a retry or a duplicate. */
  claimDelivery(key: string): Promise<boolean>;
  /** Forgets a delivery key, so the same delivery may be taken again (it could not be handled). */
  releaseDelivery(key: string): Promise<void>;
  /** True when no card for this entity was posted in this conversation yet; the caller then posts it. */
  claimIncidentPost(conversation: string, entityRef: string): Promise<boolean>;
  /** Records the posted message, or releases the claim (messageId null) when posting failed. */
  settleIncidentPost(conversation: string, entityRef: string, messageId: string | null): Promise<void>;
  /**
   * Incident conversations where a card for this entity was posted within `withinMs`: its open
   * incidents (break-glass needs one). A claim whose card was never posted does not count.
   */
  incidentsFor(entityRef: string, withinMs: number): Promise<string[]>;
  /** The recorded result of a finished step, if any (see stepJournal). */
  stepResult(key: string): Promise<unknown>;
  /** Records a finished step's result; the first record wins. */
  recordStep(key: string, result: unknown): Promise<void>;
  /** Forgets deliveries older than `maxAgeMs` (platform retries stop within minutes). */
  prune(maxAgeMs: number): Promise<number>;
  /** Records (or refreshes) where a conversation is posted to. */
  rememberConversation(conversation: ChatConversation): Promise<void>;
  conversation(ref: string): Promise<ChatConversation | undefined>;
  /** Records (or refreshes) a person a surface has seen; a known 1:1 conversation is kept unless a new one is given. */
  rememberAccount(account: ChatAccountRecord): Promise<void>;
  account(platform: string, account: string): Promise<ChatAccountRecord | undefined>;
  /** Everyone seen with this e-mail on the platform (more than one: the e-mail names nobody). */
  accountsByEmail(platform: string, email: string): Promise<ChatAccountRecord[]>;
  /** The service URL and tenant a surface last saw, for a 1:1 chat with someone it has not met. */
  latestConversation(kind?: string): Promise<ChatConversation | undefined>;
  /** Records (content) or forgets (null) a descriptor self-service registered, by registry path. */
  registerDescriptor(path: string, content: string | null): Promise<void>;
  /** Every registered descriptor, by path. */
  registeredDescriptors(): Promise<{ path: string; content: string }[]>;
  close(): void;
}

export interface ChatConversation {
  /** A conversation ref (threads.ts): `teams:19:…@thread.tacv2`. */
  ref: string;
  serviceUrl: string;
  tenantId: string | null;
  kind: 'personal' | 'channel' | 'groupChat' | string;
  name?: string | null;
}

export interface ChatAccountRecord {
  platform: string;
  /** The verified account: the Entra object id on Teams (lower-case). */
  account: string;
  /** The per-app chat id (Teams `29:…`). */
  chatUserId: string;
  email: string | null;
  name: string | null;
  tenantId: string | null;
  serviceUrl: string;
  /** The 1:1 conversation id, once known. */
  personal: string | null;
}

export function openState(file: string, now: () => number = Date.now): BotState {
  const { sqlite, orm } = openDb(file);
  return {
    async releaseDelivery(key) {
      orm.delete(deliveries).where(eq(deliveries.key, key)).run();
    },
    async claimDelivery(key) {
      return orm.insert(deliveries).values({ key, seenAt: now() }).onConflictDoNothing().run().changes === 1;
    },
    async claimIncidentPost(conversation, entityRef) {
      return orm.insert(incidentPosts).values({ conversation, entityRef, postedAt: now() }).onConflictDoNothing().run().changes === 1;
    },
    async settleIncidentPost(conversation, entityRef, messageId) {
      const row = and(eq(incidentPosts.conversation, conversation), eq(incidentPosts.entityRef, entityRef));
      if (messageId === null) orm.delete(incidentPosts).where(row).run();
      else orm.update(incidentPosts).set({ messageId }).where(row).run();
    },
    async incidentsFor(entityRef, withinMs) {
      return orm
        .select({ conversation: incidentPosts.conversation })
        .from(incidentPosts)
        .where(and(eq(incidentPosts.entityRef, entityRef), gt(incidentPosts.postedAt, now() - withinMs), isNotNull(incidentPosts.messageId)))
        .all()
        .map((r) => r.conversation);
    },
    async stepResult(key) {
      const row = orm.select().from(stepJournal).where(eq(stepJournal.key, key)).get();
      return row ? (JSON.parse(row.result) as unknown) : undefined;
    },
    async recordStep(key, result) {
      orm
        .insert(stepJournal)
        .values({ key, result: JSON.stringify(result ?? null), finishedAt: now() })
        .onConflictDoNothing()
        .run();
    },
    async prune(maxAgeMs) {
      return orm
        .delete(deliveries)
        .where(lt(deliveries.seenAt, now() - maxAgeMs))
        .run().changes;
    },
    async rememberConversation(c) {
      const row = { ref: c.ref, serviceUrl: c.serviceUrl, tenantId: c.tenantId, kind: c.kind, updatedAt: now(), ...(c.name != null && { name: c.name }) };
      // A name once known is kept when a later activity does not carry one.
      orm.insert(chatConversations).values(row).onConflictDoUpdate({ target: chatConversations.ref, set: row }).run();
    },
    async conversation(ref) {
      const row = orm.select().from(chatConversations).where(eq(chatConversations.ref, ref)).get();
      return row && { ref: row.ref, serviceUrl: row.serviceUrl, tenantId: row.tenantId, kind: row.kind, name: row.name };
    },
    async latestConversation(kind) {
      const row = orm
        .select()
        .from(chatConversations)
        .where(kind ? eq(chatConversations.kind, kind) : undefined)
        .orderBy(desc(chatConversations.updatedAt))
        .limit(1)
        .get();
      return row && { ref: row.ref, serviceUrl: row.serviceUrl, tenantId: row.tenantId, kind: row.kind };
    },
    async rememberAccount(a) {
      const row = { ...a, account: a.account.toLowerCase(), email: a.email?.toLowerCase() ?? null, updatedAt: now() };
      const { personal, ...rest } = row;
      orm
        .insert(chatAccounts)
        .values(row)
        .onConflictDoUpdate({ target: [chatAccounts.platform, chatAccounts.account], set: personal ? row : rest })
        .run();
    },
    async account(platform, account) {
      const row = orm
        .select()
        .from(chatAccounts)
        .where(and(eq(chatAccounts.platform, platform), eq(chatAccounts.account, account.toLowerCase())))
        .get();
      return row && accountOf(row);
    },
    async accountsByEmail(platform, email) {
      return orm
        .select()
        .from(chatAccounts)
        .where(and(eq(chatAccounts.platform, platform), eq(chatAccounts.email, email.trim().toLowerCase())))
        .all()
        .map(accountOf);
    },
    async registerDescriptor(path, content) {
      if (content === null) orm.delete(registeredDescriptors).where(eq(registeredDescriptors.path, path)).run();
      else {
        const row = { path, content, updatedAt: now() };
        orm.insert(registeredDescriptors).values(row).onConflictDoUpdate({ target: registeredDescriptors.path, set: row }).run();
      }
    },
    async registeredDescriptors() {
      return orm.select({ path: registeredDescriptors.path, content: registeredDescriptors.content }).from(registeredDescriptors).all();
    },
    close: () => sqlite.close(),
  };
}

export const accountOf = (r: typeof chatAccounts.$inferSelect): ChatAccountRecord => ({
  platform: r.platform,
  account: r.account,
  chatUserId: r.chatUserId,
  email: r.email,
  name: r.name,
  tenantId: r.tenantId,
  serviceUrl: r.serviceUrl,
  personal: r.personal,
});
