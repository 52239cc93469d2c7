/**
 * Durable bot state on the same SQLite file as the catalog. Claims are INSERT OR IGNORE on a primary
 * key, so two deliveries racing for the same key cannot both win, in one process or several.
 */
import { and, eq, gt, isNotNull, lt } from 'drizzle-orm';
import { openDb } from '../db/open.js';
import { deliveries, incidentPosts, stepJournal } from './schema.js';

export interface BotState {
  /** True the first time a delivery key is seen; false for a retry or a duplicate. */
  claimDelivery(key: string): boolean;
  /** Forgets a delivery key, so the same delivery may be taken again (it could not be handled). */
  releaseDelivery(key: string): void;
  /** True when no card for this entity was posted in this conversation yet; the caller then posts it. */
  claimIncidentPost(conversation: string, entityRef: string): boolean;
  /** Records the posted message, or releases the claim (messageId null) when posting failed. */
  settleIncidentPost(conversation: string, entityRef: string, messageId: string | null): void;
  /**
   * Incident conversations where a card for this entity was posted within `withinMs`: its open
   * incidents (break-glass needs one). A claim whose card was never posted does not count.
   */
  incidentsFor(entityRef: string, withinMs: number): string[];
  /** The recorded result of a finished step, if any (see stepJournal). */
  stepResult(key: string): unknown;
  /** Records a finished step's result; the first record wins. */
  recordStep(key: string, result: unknown): void;
  /** Forgets deliveries older than `maxAgeMs` (platform retries stop within minutes). */
  prune(maxAgeMs: number): number;
  close(): void;
}

export function openState(file: string, now: () => number = Date.now): BotState {
  const { sqlite, orm } = openDb(file);
  return {
    releaseDelivery(key) {
      orm.delete(deliveries).where(eq(deliveries.key, key)).run();
    },
    claimDelivery(key) {
      return orm.insert(deliveries).values({ key, seenAt: now() }).onConflictDoNothing().run().changes === 1;
    },
    claimIncidentPost(conversation, entityRef) {
      return orm.insert(incidentPosts).values({ conversation, entityRef, postedAt: now() }).onConflictDoNothing().run().changes === 1;
    },
    settleIncidentPost(conversation, entityRef, messageId) {
      const row = and(eq(incidentPosts.conversation, conversation), eq(incidentPosts.entityRef, entityRef));
      if (messageId === null) orm.delete(incidentPosts).where(row).run();
      else orm.update(incidentPosts).set({ messageId }).where(row).run();
    },
    incidentsFor(entityRef, withinMs) {
      return orm
        .select({ conversation: incidentPosts.conversation })
        .from(incidentPosts)
        .where(and(eq(incidentPosts.entityRef, entityRef), gt(incidentPosts.postedAt, now() - withinMs), isNotNull(incidentPosts.messageId)))
        .all()
        .map((r) => r.conversation);
    },
    stepResult(key) {
      const row = orm.select().from(stepJournal).where(eq(stepJournal.key, key)).get();
      return row ? (JSON.parse(row.result) as unknown) : undefined;
    },
    recordStep(key, result) {
      orm
        .insert(stepJournal)
        .values({ key, result: JSON.stringify(result ?? null), finishedAt: now() })
        .onConflictDoNothing()
        .run();
    },
    prune(maxAgeMs) {
      return orm
        .delete(deliveries)
        .where(lt(deliveries.seenAt, now() - maxAgeMs))
        .run().changes;
    },
    close: () => sqlite.close(),
  };
}
