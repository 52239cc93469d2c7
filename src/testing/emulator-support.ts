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

/**
 * A zone's wall clock at `instant` (whole seconds) and its offset from UTC, read through Intl, for the
 * provider emulators' schedules; kept apart from the date library the code under test uses.
 */
export function wallClock(instant: number, timeZone: string): { parts: Record<string, string>; offsetMs: number } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
      .formatToParts(new Date(instant))
      .map((p) => [p.type, p.value]),
  );
  const wall = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  return { parts, offsetMs: wall - Math.floor(instant / 1000) * 1000 };
}
