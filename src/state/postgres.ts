/**
 * Bot state on PostgreSQL, shared by every bot and worker replica: a Slack retry that lands on another
 * replica finds the first delivery's claim, a step retried on another worker finds its journal entry.
 * Same semantics as the SQLite store (./index.ts); the claims are INSERT … ON CONFLICT DO NOTHING.
 */
import { and, desc, eq, gt, isNotNull, lt } from 'drizzle-orm';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import { chatAccounts, chatConversations, deliveries, incidentPosts, registeredDescriptors, stepJournal } from '../db/pg-schema.js';
import { accountOf, type BotState } from './index.js';

export function openPgState(db: NodePgDatabase, now: () => number = Date.now): BotState {
  const claimed = (rows: unknown[]) => rows.length === 1;
  return {
    async claimDelivery(key) {
      return claimed(await db.insert(deliveries).values({ key, seenAt: now() }).onConflictDoNothing().returning({ key: deliveries.key }));
    },
    async releaseDelivery(key) {
      await db.delete(deliveries).where(eq(deliveries.key, key));
    },
    async claimIncidentPost(conversation, entityRef) {
      return claimed(
        await db.insert(incidentPosts).values({ conversation, entityRef, postedAt: now() }).onConflictDoNothing().returning({ at: incidentPosts.postedAt }),
      );
    },
    async settleIncidentPost(conversation, entityRef, messageId) {
      const row = and(eq(incidentPosts.conversation, conversation), eq(incidentPosts.entityRef, entityRef));
      if (messageId === null) await db.delete(incidentPosts).where(row);
      else await db.update(incidentPosts).set({ messageId }).where(row);
    },
    async incidentsFor(entityRef, withinMs) {
      const rows = await db
        .select({ conversation: incidentPosts.conversation })
        .from(incidentPosts)
        .where(and(eq(incidentPosts.entityRef, entityRef), gt(incidentPosts.postedAt, now() - withinMs), isNotNull(incidentPosts.messageId)));
      return rows.map((r) => r.conversation);
    },
    async stepResult(key) {
      const [row] = await db.select().from(stepJournal).where(eq(stepJournal.key, key));
      return row ? (JSON.parse(row.result) as unknown) : undefined;
    },
    async recordStep(key, result) {
      await db
        .insert(stepJournal)
        .values({ key, result: JSON.stringify(result ?? null), finishedAt: now() })
        .onConflictDoNothing();
    },
    async prune(maxAgeMs) {
      const gone = await db
        .delete(deliveries)
        .where(lt(deliveries.seenAt, now() - maxAgeMs))
        .returning({ key: deliveries.key });
      return gone.length;
    },
    async rememberConversation(c) {
      const row = { ref: c.ref, serviceUrl: c.serviceUrl, tenantId: c.tenantId, kind: c.kind, updatedAt: now(), ...(c.name != null && { name: c.name }) };
      await db.insert(chatConversations).values(row).onConflictDoUpdate({ target: chatConversations.ref, set: row });
    },
    async conversation(ref) {
      const [row] = await db.select().from(chatConversations).where(eq(chatConversations.ref, ref));
      return row && { ref: row.ref, serviceUrl: row.serviceUrl, tenantId: row.tenantId, kind: row.kind, name: row.name };
    },
    async latestConversation(kind) {
      const [row] = await db
        .select()
        .from(chatConversations)
        .where(kind ? eq(chatConversations.kind, kind) : undefined)
        .orderBy(desc(chatConversations.updatedAt))
        .limit(1);
      return row && { ref: row.ref, serviceUrl: row.serviceUrl, tenantId: row.tenantId, kind: row.kind };
    },
    async rememberAccount(a) {
      const row = { ...a, account: a.account.toLowerCase(), email: a.email?.toLowerCase() ?? null, updatedAt: now() };
      const { personal, ...rest } = row;
      await db
        .insert(chatAccounts)
        .values(row)
        .onConflictDoUpdate({ target: [chatAccounts.platform, chatAccounts.account], set: personal ? row : rest });
    },
    async account(platform, account) {
      const [row] = await db
        .select()
        .from(chatAccounts)
        .where(and(eq(chatAccounts.platform, platform), eq(chatAccounts.account, account.toLowerCase())));
      return row && accountOf(row);
    },
    async accountsByEmail(platform, email) {
      const rows = await db
        .select()
        .from(chatAccounts)
        .where(and(eq(chatAccounts.platform, platform), eq(chatAccounts.email, email.trim().toLowerCase())));
      return rows.map(accountOf);
    },
    async registerDescriptor(path, content) {
      if (content === null) await db.delete(registeredDescriptors).where(eq(registeredDescriptors.path, path));
      else {
        const row = { path, content, updatedAt: now() };
        await db.insert(registeredDescriptors).values(row).onConflictDoUpdate({ target: registeredDescriptors.path, set: row });
      }
    },
    registeredDescriptors() {
      return db.select({ path: registeredDescriptors.path, content: registeredDescriptors.content }).from(registeredDescriptors);
    },
    // The pool belongs to the state store.
    close() {},
  };
}
