/**
 * Test support shared by the platform emulators (Slack, Teams, the on-call providers, the git hosts):
 * their HTTP server on loopback, reading a request's body, and waiting for a recorded item (a call, a
 * response) that is already there or arrives later, failing with a message when it does not come in time.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LoopbackServer {
  server: Server;
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** Drops every connection (a client's keep-alive, a request left hanging) and stops listening; safe twice. */
  close(): Promise<void>;
}

/**
 * An emulator's server on 127.0.0.1 at a free port. A handler that throws answers 500 with `internalError`'s
 * body as JSON (when nothing was sent yet); `accepting` false leaves requests unanswered (a hung provider).
 */
export async function serveOnLoopback(
  handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
  internalError: (err: unknown) => unknown,
  accepting: () => boolean = () => true,
): Promise<LoopbackServer> {
  const server = createServer((req, res) => {
    if (!accepting()) return;
    void handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(internalError(err)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    server,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        if (!server.listening) return resolve();
        server.close(() => resolve());
      }),
  };
}

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

/** Whether Intl knows this IANA zone, for the provider emulators (apart from the code under test's check). */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
