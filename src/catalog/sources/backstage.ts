/**
 * Reading a whole Backstage catalog through its catalog API, as Backstage's own CatalogClient pages
 * it (`queryEntities`): `GET <base>/api/catalog/entities/by-query`, then the same with each answer's
 * `pageInfo.nextCursor` until there is none. Only `apiVersion,kind,metadata,spec` are asked for:
 * `relations` and `status` are Backstage's processing output, and we derive our own relations.
 *
 * Entities are grouped by their Backstage origin (`backstage.io/managed-by-location`), so each origin
 * becomes one source with its own hash: a refresh rewrites only the origins whose entities changed.
 * A page that cannot be read after the retries fails the whole read: a catalog missing its last pages
 * would look like entities removed.
 */
import { z } from 'zod';

/** Where Backstage records the location an entity was read from: `url:https://…/catalog-info.yaml`. */
export const MANAGED_BY_LOCATION = 'backstage.io/managed-by-location';
const FIELDS = 'apiVersion,kind,metadata,spec';
export const DEFAULT_PAGE_SIZE = 500;
const DEFAULT_RETRIES = 3;
const DEFAULT_RETRY_BASE_MS = 500;
/** A Retry-After longer than this fails the read rather than holding the ingest for minutes. */
const MAX_RETRY_AFTER_MS = 60_000;
/** One page's answer; at the default page size a page is well under 1 MB. */
const MAX_PAGE_BYTES = 64 * 1024 * 1024;
/** Server faults and rate limits are retried; anything else is an answer. */
const RETRIED = new Set([429, 500, 502, 503, 504]);

export interface BackstageReadOptions {
  token: string;
  /** One deadline per page request, body included. */
  timeoutMs: number;
  pageSize?: number;
  /** Further attempts per page after a 429, a 5xx, a timeout or a refused connection; default 3. */
  retries?: number;
  /** First backoff when the answer gives no Retry-After, doubled per attempt; default 500 ms. */
  retryBaseMs?: number;
}

export type BackstageCatalog =
  | {
      ok: true;
      /**
       * Origin → the JSON of each of its entities (UTF-8), in the order Backstage returned them. Buffers,
       * not strings: 100k strings kept across the read fragment V8's heap (measured: 40 MB more RSS).
       */
      origins: Map<string, Buffer[]>;
      entities: number;
      pages: number;
    }
  | { ok: false; code: 'fetch' | 'limit'; message: string };

const pageSchema = z.object({
  items: z.array(z.unknown()),
  totalItems: z.number().optional(),
  pageInfo: z.object({ nextCursor: z.string().min(1).optional(), prevCursor: z.string().optional() }).optional(),
});

const errorBodySchema = z.object({ error: z.object({ name: z.string(), message: z.string() }) });

/** The backend's base URL as the operator may write it: trailing slashes and a trailing `/api/catalog` go. */
export function backstageBaseUrl(url: string): string {
  return url.replace(/\/+$/, '').replace(/\/api\/catalog$/, '');
}

/**
 * The source an entity belongs to: its managed-by-location as Backstage wrote it (`url:…`, `file:…`,
 * a provider's own `type:target`). One without it (or with a bare URL or path, which our own sources
 * use as locations) is filed under the Backstage instance, so no origin can take another source's row.
 */
export function originOf(entity: unknown, base: string): string {
  const annotations = (entity as { metadata?: { annotations?: Record<string, unknown> } } | null)?.metadata?.annotations;
  const value = annotations?.[MANAGED_BY_LOCATION];
  const origin = typeof value === 'string' ? value.trim() : '';
  if (/^[a-z][a-z0-9+.-]*:/i.test(origin) && !/^https?:/i.test(origin)) return origin;
  return origin ? `backstage:${base}#${origin}` : `backstage:${base}`;
}

export async function readBackstageCatalog(baseUrl: string, options: BackstageReadOptions): Promise<BackstageCatalog> {
  const base = backstageBaseUrl(baseUrl);
  const endpoint = `${base}/api/catalog/entities/by-query`;
  const limit = options.pageSize ?? DEFAULT_PAGE_SIZE;
  const origins = new Map<string, Buffer[]>();
  const cursors = new Set<string>();
  const pageUrl = (cursor?: string) => {
    const url = new URL(endpoint);
    url.searchParams.set('limit', String(limit));
    url.searchParams.set('fields', FIELDS);
    if (cursor) url.searchParams.set('cursor', cursor);
    return url;
  };
  let entities = 0;
  let pages = 0;
  let next: Promise<Page> | undefined = getPage(pageUrl(), 1, base, options);
  while (next) {
    const page: Page = await next;
    if (!page.ok) return page;
    pages++;
    const cursor: string | undefined = page.nextCursor;
    if (cursor && cursors.has(cursor))
      return { ok: false, code: 'fetch', message: `${endpoint} returned the same nextCursor twice (page ${pages}); the read was stopped` };
    if (cursor) cursors.add(cursor);
    // The next page is asked for before this one is sorted, so Backstage works while we do.
    next = cursor ? getPage(pageUrl(cursor), pages + 1, base, options) : undefined;
    for (const item of page.items) {
      // The etag changes whenever Backstage re-stitches the entity (a relation elsewhere, say): kept, it
      // would make every refresh rewrite every origin.
      const metadata = (item as { metadata?: { etag?: unknown } } | null)?.metadata;
      if (metadata && typeof metadata === 'object') delete metadata.etag;
      const origin = originOf(item, base);
      const json = Buffer.from(JSON.stringify(item));
      const list = origins.get(origin);
      if (list) list.push(json);
      else origins.set(origin, [json]);
      entities++;
    }
  }
  return { ok: true, origins, entities, pages };
}

type Page = { ok: true; items: unknown[]; nextCursor: string | undefined } | { ok: false; code: 'fetch' | 'limit'; message: string };

async function getPage(url: URL, number: number, base: string, o: BackstageReadOptions): Promise<Page> {
  const retries = o.retries ?? DEFAULT_RETRIES;
  const where = `${url.origin}${url.pathname} (page ${number})`;
  const fail = (message: string, code: 'fetch' | 'limit' = 'fetch'): Page => ({ ok: false, code, message });
  for (let attempt = 0; ; attempt++) {
    const backoff = (o.retryBaseMs ?? DEFAULT_RETRY_BASE_MS) * 2 ** attempt;
    const tries = attempt > 0 ? ` after ${attempt + 1} attempts` : '';
    let res: Response;
    try {
      res = await fetch(url, {
        headers: { authorization: `Bearer ${o.token}`, accept: 'application/json' },
        // A redirect is a login page or a moved backend, never the catalog: it is reported, and the token
        // is never sent on to wherever it points.
        redirect: 'manual',
        signal: AbortSignal.timeout(o.timeoutMs),
      });
    } catch (err) {
      if (attempt < retries) {
        await delay(backoff);
        continue;
      }
      return fail(`Could not read ${where}${tries}: ${reason(err, o.timeoutMs)}`);
    }
    if (res.ok) {
      const body = await readCapped(res, o.timeoutMs);
      if (!body.ok) return fail(`Could not read ${where}: ${body.message}`, body.limit ? 'limit' : 'fetch');
      let parsed: z.infer<typeof pageSchema>;
      try {
        parsed = pageSchema.parse(JSON.parse(body.text));
      } catch (err) {
        const detail = err instanceof z.ZodError ? (err.issues[0]?.path.join('.') ?? '') + ' ' + (err.issues[0]?.message ?? '') : (err as Error).message;
        return fail(`${where} is not a by-query answer ({items, totalItems, pageInfo}): ${detail.trim()}`);
      }
      return { ok: true, items: parsed.items, nextCursor: parsed.pageInfo?.nextCursor };
    }
    if (RETRIED.has(res.status) && attempt < retries) {
      const wait = retryAfterMs(res.headers.get('retry-after')) ?? backoff;
      await res.body?.cancel();
      if (wait > MAX_RETRY_AFTER_MS)
        return fail(`${where} answered ${res.status} and asked to retry after ${Math.round(wait / 1000)} s; not waiting that long`);
      await delay(wait);
      continue;
    }
    return fail(`${await describeRefusal(res, where, base)}${tries}`);
  }
}

/** What a failed answer says, in Backstage's error body shape when it has one, with what to do about it. */
async function describeRefusal(res: Response, where: string, base: string): Promise<string> {
  if (res.status >= 300 && res.status < 400) {
    return `${where} redirected (${res.status}) to ${res.headers.get('location') ?? 'nowhere'}: BACKSTAGE_URL must be the Backstage backend's own base URL, reachable without a login`;
  }
  let detail = res.statusText;
  try {
    const text = (await readCapped(res, 5_000, 64 * 1024)).text ?? '';
    const body = errorBodySchema.safeParse(JSON.parse(text));
    detail = body.success ? `${body.data.error.name}: ${body.data.error.message}` : text.slice(0, 200);
  } catch {
    // Not JSON: the status text says enough.
  }
  const answered = `${where} answered ${res.status}${detail ? ` (${detail})` : ''}`;
  if (res.status === 401 || res.status === 403) {
    return `Backstage at BACKSTAGE_URL ${base} refused BACKSTAGE_TOKEN: ${answered}. It must be a static external access token this backend accepts (backend.auth.externalAccess), allowed to read the catalog`;
  }
  if (res.status === 404) return `${answered}: BACKSTAGE_URL ${base} must be the Backstage backend's base URL (the catalog API is at /api/catalog)`;
  return answered;
}

/** Retry-After as seconds or an HTTP date; undefined when absent or unreadable. */
function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

async function readCapped(
  res: Response,
  timeoutMs: number,
  maxBytes = MAX_PAGE_BYTES,
): Promise<{ ok: true; text: string } | { ok: false; limit: boolean; message: string; text?: undefined }> {
  if (!res.body) return { ok: true, text: '' };
  const decoder = new TextDecoder();
  let text = '';
  let size = 0;
  try {
    for await (const chunk of res.body) {
      size += chunk.byteLength;
      if (size > maxBytes) {
        await res.body.cancel().catch(() => undefined);
        return { ok: false, limit: true, message: `the answer is over ${Math.round(maxBytes / 1024 / 1024)} MB` };
      }
      text += decoder.decode(chunk, { stream: true });
    }
  } catch (err) {
    return { ok: false, limit: false, message: reason(err, timeoutMs) };
  }
  return { ok: true, text: text + decoder.decode() };
}

function reason(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  return e.cause?.code ?? e.cause?.message ?? e.message ?? String(err);
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
