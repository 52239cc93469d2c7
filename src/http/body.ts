/** What JSON endpoints share: a bounded body reader and a JSON answer. */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** The body as text, or null once it grows past `max` bytes (the rest is not buffered). */
export async function readBody(req: IncomingMessage, max: number): Promise<string | null> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > max) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
