/**
 * Fetching a URL target without letting a descriptor reach inside the network: http and https only, the
 * host checked by name and every address it resolves to checked before connecting, through the `lookup`
 * the socket itself uses (so a DNS answer cannot change between check and connect), and again on every
 * redirect, which are followed here (at most five). One deadline covers the whole fetch; the answer is
 * streamed and cut off at the size cap.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { type AddressPolicy } from './address.js';

// Not `import http from 'node:http'`: node:http imported as an ES module loads Node's own fetch (undici,
// ~30 ms) on every CLI call that opens the catalog; getBuiltinModule gives the same module without it.
const http = process.getBuiltinModule('node:http');
const https = process.getBuiltinModule('node:https');

export const MAX_REDIRECTS = 5;

export interface FetchLimits {
  policy: AddressPolicy;
  timeoutMs: number;
  maxBytes: number;
}

/** `refused`: the policy said no (nothing was sent); otherwise the fetch was tried and failed. */
export type FetchResult = { ok: true; text: string; url: string } | { ok: false; refused: boolean; message: string };

class Refused extends Error {}

export async function fetchGuarded(url: string, limits: FetchLimits): Promise<FetchResult> {
  const deadline = Date.now() + limits.timeoutMs;
  let current = url;
  try {
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const answer = await getOnce(current, limits, deadline);
      if (answer.redirect === undefined) return { ok: true, text: answer.body, url: current };
      current = new URL(answer.redirect, current).href;
    }
    return { ok: false, refused: false, message: `more than ${MAX_REDIRECTS} redirects` };
  } catch (err) {
    const where = current === url ? '' : ` (redirected to ${current})`;
    return { ok: false, refused: err instanceof Refused, message: `${(err as Error).message}${where}` };
  }
}

function getOnce(href: string, limits: FetchLimits, deadline: number): Promise<{ body: string; redirect?: string }> {
  const target = new URL(href);
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    return Promise.reject(new Refused(`only http and https URLs are fetched, not ${target.protocol}`));
  }
  const host = target.hostname.replace(/^\[|\]$/g, '');
  const byName = limits.policy.refuseHost(host);
  if (byName) return Promise.reject(new Refused(`refused: ${byName}`));

  return new Promise((resolveAnswer, rejectAnswer) => {
    const resolve = (a: { body: string; redirect?: string }) => (clearTimeout(timer), resolveAnswer(a));
    const reject = (e: Error) => (clearTimeout(timer), rejectAnswer(e));
    const lookup: LookupFunction = (hostname, options, callback) => {
      dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
        if (err) return callback(err, '', 0);
        const bad = addresses.map((a) => limits.policy.refuseAddress(hostname, a.address)).find(Boolean);
        if (bad || addresses.length === 0) return callback(new Refused(`refused: ${bad ?? `${hostname} has no address`}`), '', 0);
        if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
        const first = addresses[0] as LookupAddress;
        callback(null, first.address, first.family);
      });
    };
    const client = target.protocol === 'https:' ? https : http;
    const req = client.get(target, { lookup, headers: { accept: 'application/yaml, text/yaml, text/plain, */*' } }, (res) => {
      const status = res.statusCode ?? 0;
      if ([301, 302, 303, 307, 308].includes(status) && res.headers.location) {
        res.resume();
        resolve({ body: '', redirect: res.headers.location });
        return;
      }
      if (status < 200 || status >= 300) {
        res.resume();
        reject(new Error(`HTTP ${status} ${res.statusMessage ?? ''}`.trim()));
        return;
      }
      const tooBig = () => {
        res.destroy();
        reject(new Error(`answer is over the ${limits.maxBytes}-byte cap (catalog.limits.maxFileBytes)`));
      };
      if (Number(res.headers['content-length'] ?? 0) > limits.maxBytes) return tooBig();
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > limits.maxBytes) tooBig();
        else chunks.push(chunk);
      });
      res.on('end', () => resolve({ body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    const timer = setTimeout(() => req.destroy(new Error(`no complete answer within ${limits.timeoutMs} ms`)), Math.max(0, deadline - Date.now()));
    req.on('error', reject);
  });
}
