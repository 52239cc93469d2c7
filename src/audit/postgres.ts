/**
 * The audit log on PostgreSQL, shared by every bot and worker: the same chain and head rules as the
 * SQLite log (auditRules). An append locks the head's row (SELECT … FOR UPDATE) before reading it, so
 * two replicas appending at once queue on that lock and the chain stays one line; verify reads rows and
 * head from one REPEATABLE READ snapshot.
 */
import { and, asc, eq, gt, type SQL } from 'drizzle-orm';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import { auditHead, auditLog } from '../db/pg-schema.js';
import type { StoredHead } from './chain.js';
import { type AuditListOptions, type AuditLog, type AuditOptions, AuditKeyError, auditRules, resolveAuditOptions, toRow } from './index.js';
import { chainChecker } from './verify.js';

const PAGE = 1000;

export async function openPgAudit(db: NodePgDatabase, opts: AuditOptions = {}): Promise<AuditLog> {
  const { key, seal, now } = resolveAuditOptions(opts);
  const rules = auditRules(key, now);
  type Tx = Parameters<Parameters<NodePgDatabase['transaction']>[0]>[0];
  const lockedHead = async (tx: Tx) => (await tx.select().from(auditHead).where(eq(auditHead.id, 1)).for('update'))[0];
  const writeHead = async (tx: Tx, head: StoredHead) => {
    const { id: _id, ...rest } = head;
    await tx.update(auditHead).set(rest).where(eq(auditHead.id, 1));
  };

  if (key && seal) {
    try {
      await db.transaction(async (tx) => {
        const head = await lockedHead(tx);
        const sealed = rules.writableHead(head);
        if (sealed !== head) await writeHead(tx, sealed);
      });
    } catch (err) {
      if (!(err instanceof AuditKeyError)) throw err;
    }
  }

  return {
    async append(entry) {
      const row = await db.transaction(async (tx) => {
        const next = rules.next(await lockedHead(tx), entry);
        await tx.insert(auditLog).values(next.row);
        await writeHead(tx, next.head);
        return next.row;
      });
      return toRow(row);
    },
    async list(opts: AuditListOptions = {}) {
      const where: SQL[] = [];
      if (opts.workflowId !== undefined) where.push(eq(auditLog.workflowId, opts.workflowId));
      if (opts.after !== undefined) where.push(gt(auditLog.seq, opts.after));
      const q = db
        .select()
        .from(auditLog)
        .where(and(...where))
        .orderBy(asc(auditLog.seq));
      return (await (opts.limit !== undefined ? q.limit(opts.limit) : q)).map(toRow);
    },
    verify() {
      return db.transaction(
        async (tx) => {
          const [head] = await tx.select().from(auditHead).where(eq(auditHead.id, 1));
          // The key can only come from the environment here: replicas share no file.
          const check = chainChecker(head, key, null);
          let after = -2147483648;
          for (;;) {
            const page = await tx.select().from(auditLog).where(gt(auditLog.seq, after)).orderBy(asc(auditLog.seq)).limit(PAGE);
            page.forEach(check.row);
            const tail = page.at(-1);
            if (!tail || page.length < PAGE) break;
            after = tail.seq;
          }
          return check.result();
        },
        { isolationLevel: 'repeatable read', accessMode: 'read only' },
      );
    },
    // The pool belongs to the state store.
    close() {},
  };
}
