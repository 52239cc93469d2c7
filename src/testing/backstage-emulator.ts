/**
 * Test support: a loopback stand-in for a Backstage backend's catalog API, the part Switchboard reads
 * (`GET /api/catalog/entities/by-query`), with Backstage's documented shapes: `{items, totalItems,
 * pageInfo: {nextCursor, prevCursor}}`, an opaque cursor that carries the query on (and the first
 * page's totalItems, as Backstage's does), `limit` (default 20, as documented; above `maxLimit` a page
 * is cut short, so a client must follow nextCursor rather than count), `fields`, and the bearer token
 * checked with Backstage's error body `{error: {name, message}, request, response: {statusCode}}`.
 *
 * Entities are paged by an internal id, like Backstage's entity_id, so a change between two pages
 * neither repeats nor skips the others. A test can change entities between reads and make a page fail
 * (500, 429 with Retry-After). For a benchmark it serves `generate.count` entities made on demand,
 * each turned into JSON only for the page that carries it.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { notify, waitIn, type Waiter } from './emulator-support.js';

export interface BackstageEntity {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string>; [key: string]: unknown };
  spec?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface BackstageEmulatorOptions {
  /** The static token the emulator accepts; default a random one (see `token`). */
  token?: string;
  entities?: BackstageEntity[];
  /** `count` entities made on demand by `entity(i)`, instead of (or before) `entities`. */
  generate?: { count: number; entity: (i: number) => BackstageEntity };
  /** Default 20, Backstage's documented default. */
  defaultLimit?: number;
  /** Larger limits are cut to this; default 1000. */
  maxLimit?: number;
}

export interface BackstageRequest {
  path: string;
  query: URLSearchParams;
  /** 1-based page of the read it belongs to (the first page has no cursor). */
  page: number | null;
  status: number;
  at: number;
}

export interface BackstageEmulator {
  /** The backend's base URL (what BACKSTAGE_URL is set to). */
  url: string;
  token: string;
  requests: BackstageRequest[];
  /** Adds an entity, or replaces the one with its ref (keeping its place in the paging order). */
  upsert(entity: BackstageEntity): void;
  /** Removes the entity with this ref (`kind:namespace/name`, any case); false when there is none. */
  remove(ref: string): boolean;
  /** The next `times` (default 1) requests for page `page` answer `status`; a 429 carries Retry-After. */
  failPage(page: number, status: number, options?: { times?: number; retryAfterSeconds?: number }): void;
  waitForRequest(match: (r: BackstageRequest) => boolean, timeoutMs?: number): Promise<BackstageRequest>;
  close(): Promise<void>;
}

const BY_QUERY = '/api/catalog/entities/by-query';
const NOT_EMULATED = ['filter', 'orderField', 'fullTextFilterTerm', 'fullTextFilterFields', 'offset'];

interface Cursor {
  /** The last id served. */
  after: number;
  page: number;
  totalItems: number;
}

const refOf = (e: BackstageEntity) => `${e.kind}:${e.metadata.namespace ?? 'default'}/${e.metadata.name}`.toLowerCase();

export async function startBackstageEmulator(options: BackstageEmulatorOptions = {}): Promise<BackstageEmulator> {
  const token = options.token ?? randomBytes(18).toString('base64url');
  const defaultLimit = options.defaultLimit ?? 20;
  const maxLimit = options.maxLimit ?? 1000;
  const generated = options.generate?.count ?? 0;
  const listed = options.entities ?? [];
  /** Ids below `generated` are made on demand; a replaced or removed one is in `changed`. */
  const changed = new Map<number, { entity: BackstageEntity; etag: number } | null>();
  listed.forEach((entity, i) => changed.set(generated + i, { entity, etag: 1 }));
  let nextId = generated + listed.length;
  let live = nextId;
  let refs: Map<string, number> | undefined;
  const requests: BackstageRequest[] = [];
  const waiters = new Set<Waiter<BackstageRequest>>();
  const failures: { page: number; status: number; times: number; retryAfterSeconds: number }[] = [];

  const at = (id: number): { entity: BackstageEntity; etag: number } | null => {
    const c = changed.get(id);
    if (c !== undefined) return c;
    return id < generated && options.generate ? { entity: options.generate.entity(id), etag: 0 } : null;
  };
  // Built on the first change: a benchmark that only reads never makes its entities twice.
  const refIndex = () => {
    if (!refs) {
      refs = new Map();
      for (let id = 0; id < nextId; id++) {
        const e = at(id);
        if (e) refs.set(refOf(e.entity), id);
      }
    }
    return refs;
  };

  const send = (res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) =>
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers }).end(body);
  const error = (res: ServerResponse, url: string, status: number, name: string, message: string, headers: Record<string, string> = {}) =>
    send(res, status, JSON.stringify({ error: { name, message }, request: { method: 'GET', url }, response: { statusCode: status } }), headers);

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://emulator');
    const record = (page: number | null, status: number) => {
      const r: BackstageRequest = { path: url.pathname, query: url.searchParams, page, status, at: Date.now() };
      requests.push(r);
      notify(waiters, r);
    };
    const reply = (page: number | null, status: number, name: string, message: string, headers?: Record<string, string>) => {
      record(page, status);
      error(res, req.url ?? '/', status, name, message, headers);
    };
    if (req.method !== 'GET' || url.pathname !== BY_QUERY) return reply(null, 404, 'NotFoundError', `No route for ${req.method} ${url.pathname}`);
    const auth = req.headers.authorization;
    if (!auth) return reply(null, 401, 'AuthenticationError', 'Missing credentials');
    if (auth !== `Bearer ${token}`) return reply(null, 401, 'AuthenticationError', 'Illegal token');

    const q = url.searchParams;
    let cursor: Cursor | undefined;
    const rawCursor = q.get('cursor');
    if (rawCursor) {
      try {
        cursor = JSON.parse(Buffer.from(rawCursor, 'base64url').toString('utf8')) as Cursor;
        if (!Number.isInteger(cursor.after) || !Number.isInteger(cursor.page)) throw new Error('shape');
      } catch {
        return reply(null, 400, 'InputError', 'Malformed cursor, could not be parsed');
      }
    } else {
      // With a cursor, Backstage ignores these; without one they change the query, which is not emulated.
      const unsupported = NOT_EMULATED.find((p) => q.has(p));
      if (unsupported) return reply(1, 400, 'InputError', `${unsupported} is not supported by this emulator`);
    }
    const page = cursor ? cursor.page + 1 : 1;
    const limitParam = q.get('limit');
    if (limitParam !== null && !/^\d+$/.test(limitParam)) return reply(page, 400, 'InputError', `Invalid limit, not an integer on the form 123: ${limitParam}`);
    const limit = Math.min(limitParam === null ? defaultLimit : Number(limitParam), maxLimit);

    const failure = failures.find((f) => f.page === page && f.times > 0);
    if (failure) {
      failure.times--;
      const headers: Record<string, string> = failure.status === 429 ? { 'retry-after': String(failure.retryAfterSeconds) } : {};
      return reply(
        page,
        failure.status,
        failure.status === 429 ? 'TooManyRequestsError' : 'Error',
        failure.status === 429 ? 'Too many requests' : 'Internal Server Error',
        headers,
      );
    }

    const fields = q
      .getAll('fields')
      .flatMap((f) => f.split(','))
      .map((f) => f.trim())
      .filter(Boolean);
    const items: string[] = [];
    let last = cursor?.after ?? -1;
    for (let id = last + 1; id < nextId && items.length < limit; id++) {
      const slot = at(id);
      last = id;
      if (!slot) continue;
      const full = {
        ...slot.entity,
        metadata: { ...slot.entity.metadata, uid: uidOf(id), etag: `${uidOf(id).slice(0, 8)}-${slot.etag}` },
        relations: slot.entity.relations ?? [],
      };
      items.push(JSON.stringify(fields.length ? pick(full, fields) : full));
    }
    // As Backstage: a limit of 0 answers the count alone, with no cursor to follow.
    let more = false;
    for (let id = last + 1; id < nextId && !more && limit > 0; id++) more = at(id) !== null;
    const totalItems = cursor?.totalItems ?? live;
    const encode = (c: Cursor) => Buffer.from(JSON.stringify(c)).toString('base64url');
    const pageInfo = {
      ...(more ? { nextCursor: encode({ after: last, page, totalItems }) } : {}),
      ...(cursor ? { prevCursor: encode({ after: -1, page: 0, totalItems }) } : {}),
    };
    record(page, 200);
    send(res, 200, `{"items":[${items.join(',')}],"totalItems":${totalItems},"pageInfo":${JSON.stringify(pageInfo)}}`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    token,
    requests,
    upsert(entity) {
      const index = refIndex();
      const ref = refOf(entity);
      const id = index.get(ref);
      if (id === undefined) {
        index.set(ref, nextId);
        changed.set(nextId++, { entity, etag: 1 });
        live++;
      } else changed.set(id, { entity, etag: (at(id)?.etag ?? 0) + 1 });
    },
    remove(ref) {
      const index = refIndex();
      const id = index.get(ref.toLowerCase());
      if (id === undefined) return false;
      index.delete(ref.toLowerCase());
      changed.set(id, null);
      live--;
      return true;
    },
    failPage(page, status, o = {}) {
      failures.push({ page, status, times: o.times ?? 1, retryAfterSeconds: o.retryAfterSeconds ?? 1 });
    },
    waitForRequest: (match, timeoutMs = 5_000) => waitIn(requests, waiters, match, timeoutMs, 'the Backstage emulator saw no such request'),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A stable uid per id, shaped like Backstage's (a UUID). */
function uidOf(id: number): string {
  const hex = id.toString(16).padStart(12, '0');
  return `00000000-0000-4000-8000-${hex}`;
}

/** Backstage's `fields`: keep only the values at these dotted paths (and the objects leading to them). */
function pick(value: Record<string, unknown>, paths: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const path of paths) {
    const keys = path.split('.');
    let from: unknown = value;
    let to = out;
    for (const [i, key] of keys.entries()) {
      if (from === null || typeof from !== 'object' || !(key in from)) break;
      const next = (from as Record<string, unknown>)[key];
      if (i === keys.length - 1) to[key] = next;
      else {
        to[key] ??= {};
        to = to[key] as Record<string, unknown>;
      }
      from = next;
    }
  }
  return out;
}
