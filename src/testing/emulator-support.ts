/**
 * Test support shared by the platform emulators (Slack, Teams): reading a request's body, and waiting for
 * a recorded item (a call, a response) that is already there or arrives later, failing with a message
 * when it does not come in time.
 */
import type { IncomingMessage } from 'node:http';

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export interface Waiter<T> {
  match(item: T): boolean;
  resolve(item: T): void;
  reject(err: Error): void;
}

/** Resolves with the first item of `items` (already present or arriving later, see notify) that matches. */
export function waitIn<T>(items: T[], waiters: Set<Waiter<T>>, match: (item: T) => boolean, timeoutMs: number, timeoutMessage: string): Promise<T> {
  const found = items.find(match);
  if (found) return Promise.resolve(found);
  return new Promise((resolve, reject) => {
    const settle = () => {
      clearTimeout(timer);
      waiters.delete(waiter);
    };
    const waiter: Waiter<T> = {
      match,
      resolve: (item) => {
        settle();
        resolve(item);
      },
      reject: (err) => {
        settle();
        reject(err);
      },
    };
    const timer = setTimeout(() => waiter.reject(new Error(timeoutMessage)), timeoutMs);
    waiters.add(waiter);
  });
}

/** Hands a newly recorded item to everyone waiting for it. */
export function notify<T>(waiters: Set<Waiter<T>>, item: T): void {
  for (const w of [...waiters]) if (w.match(item)) w.resolve(item);
}
