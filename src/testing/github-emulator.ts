/**
 * Test support: a loopback stand-in for the GitHub REST API's pull requests (point GITHUB_API_URL at
 * `url`), as documented for API version 2022-11-28.
 *
 * Requests need `Authorization: Bearer <token>` (or `token <token>`): none is 401 "Requires
 * authentication", another is 401 "Bad credentials". No User-Agent is 403, as GitHub refuses it; an
 * X-GitHub-Api-Version other than 2022-11-28 is 400. `POST /repos/{owner}/{repo}/pulls` takes {title,
 * head, base, body, draft}: an unknown repository is 404 "Not Found"; a missing field, a head or base
 * branch that does not exist (`branchExists`, which may look in a real bare repository) or head equal
 * to base is 422 "Validation Failed" with GitHub's `errors`; a second open pull request for the same
 * head and base is 422 with GitHub's message "A pull request already exists for owner:branch.". 201
 * answers the pull request with its `html_url`. `GET /repos/{owner}/{repo}/pulls` filters by `head`
 * (owner:branch), `base` and `state` (open | closed | all, default open); `GET /repos/{owner}/{repo}`
 * answers the repository with its default branch.
 *
 * Every authenticated answer carries x-ratelimit-limit / -remaining / -used / -reset (epoch seconds) /
 * -resource; past `rateLimit` requests in the hour it is 403 "API rate limit exceeded" with remaining
 * 0, as GitHub's primary limit is. `fail(429)` forces a secondary rate limit (429 with retry-after).
 * Every request is recorded in `requests` (without its Authorization header).
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { notify, readBody, serveOnLoopback, waitIn, type Waiter } from './emulator-support.js';

export interface GitHubRepoSpec {
  owner: string;
  name: string;
  /** Default main. */
  defaultBranch?: string;
}

export interface GitHubEmulatorOptions {
  token?: string;
  repos?: GitHubRepoSpec[];
  /** Whether `branch` exists in the repository; default: every branch exists. */
  branchExists?: (repo: { owner: string; name: string }, branch: string) => boolean | Promise<boolean>;
  /** Requests per token per hour; default 5,000 (a personal access token's). */
  rateLimit?: number;
  /** Where pull requests' pages are said to be (html_url); default https://github.test. */
  webUrl?: string;
  /** The emulator's clock (epoch ms); default the real one. */
  now?: () => number;
}

export interface GitHubRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  status: number;
}

export interface GitHubPull {
  owner: string;
  repo: string;
  number: number;
  title: string;
  body: string | null;
  head: string;
  base: string;
  state: 'open' | 'closed';
  html_url: string;
}

export interface GitHubEmulator {
  url: string;
  token: string;
  requests: GitHubRequest[];
  pulls: GitHubPull[];
  addRepo(repo: GitHubRepoSpec): void;
  /** The next `times` (default 1) requests answer `status`: 429 a secondary rate limit, 403 the primary one, others an error. */
  fail(status: number, options?: { times?: number; retryAfterSeconds?: number }): void;
  waitForPull(match: (p: GitHubPull) => boolean, timeoutMs?: number): Promise<GitHubPull>;
  close(): Promise<void>;
}

const API_VERSION = '2022-11-28';
const DOCS = 'https://docs.github.com/rest';

export async function startGitHubEmulator(options: GitHubEmulatorOptions = {}): Promise<GitHubEmulator> {
  const token = options.token ?? `github_pat_${randomBytes(16).toString('hex')}`;
  const now = options.now ?? Date.now;
  const limit = options.rateLimit ?? 5_000;
  const web = (options.webUrl ?? 'https://github.test').replace(/\/+$/, '');
  const repos = new Map<string, Required<GitHubRepoSpec>>();
  const addRepo = (r: GitHubRepoSpec) => repos.set(`${r.owner}/${r.name}`.toLowerCase(), { defaultBranch: 'main', ...r });
  for (const r of options.repos ?? []) addRepo(r);
  const requests: GitHubRequest[] = [];
  const pulls: GitHubPull[] = [];
  const pullWaiters = new Set<Waiter<GitHubPull>>();
  const failures: { status: number; times: number; retryAfterSeconds: number }[] = [];
  let window = { start: now(), used: 0 };

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers }).end(JSON.stringify(body));

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://emulator');
    const method = req.method ?? 'GET';
    const raw = await readBody(req);
    let body: unknown = undefined;
    let badJson = false;
    if (raw) {
      try {
        body = JSON.parse(raw);
      } catch {
        badJson = true;
      }
    }
    const { authorization: _auth, ...headers } = req.headers;
    const reply = (status: number, json: unknown, extra?: Record<string, string>) => {
      requests.push({ method, path: url.pathname, query: url.searchParams, headers, body, status });
      send(res, status, json, extra);
    };
    const error = (status: number, message: string, extra?: Record<string, string>, more: Record<string, unknown> = {}) =>
      reply(status, { message, ...more, documentation_url: DOCS, status: String(status) }, extra);

    if (!req.headers['user-agent']) {
      requests.push({ method, path: url.pathname, query: url.searchParams, headers, body, status: 403 });
      res
        .writeHead(403, { 'content-type': 'text/plain' })
        .end('Request forbidden by administrative rules. Please make sure your request has a User-Agent header.\n');
      return;
    }
    const version = req.headers['x-github-api-version'];
    if (version !== undefined && version !== API_VERSION) return error(400, `API version ${String(version)} is not supported.`);
    const auth = req.headers.authorization;
    if (!auth) return error(401, 'Requires authentication');
    if (auth !== `Bearer ${token}` && auth !== `token ${token}`) return error(401, 'Bad credentials');

    const t = now();
    if (t - window.start >= 3_600_000) window = { start: t, used: 0 };
    const reset = String(Math.ceil((window.start + 3_600_000) / 1000));
    const rate = (remaining: number) => ({
      'x-ratelimit-limit': String(limit),
      'x-ratelimit-remaining': String(remaining),
      'x-ratelimit-used': String(limit - remaining),
      'x-ratelimit-reset': reset,
      'x-ratelimit-resource': 'core',
    });
    if (window.used >= limit) return error(403, 'API rate limit exceeded for user ID 1.', rate(0));
    window.used++;
    const headersNow = rate(limit - window.used);
    const forced = failures.find((f) => f.times > 0);
    if (forced) {
      forced.times--;
      if (forced.status === 429)
        return error(429, 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.', {
          ...headersNow,
          'retry-after': String(forced.retryAfterSeconds),
        });
      if (forced.status === 403) return error(403, 'API rate limit exceeded for user ID 1.', { ...rate(0), 'x-ratelimit-reset': reset });
      return error(forced.status, forced.status === 401 ? 'Bad credentials' : 'Server Error', headersNow);
    }
    if (badJson) return error(400, 'Problems parsing JSON', headersNow);

    const repoMatch = /^\/repos\/([^/]+)\/([^/]+)(\/pulls)?\/?$/.exec(url.pathname);
    const repo = repoMatch ? repos.get(`${decodeURIComponent(repoMatch[1]!)}/${decodeURIComponent(repoMatch[2]!)}`.toLowerCase()) : undefined;
    if (!repoMatch || !repo) return error(404, 'Not Found', headersNow);
    const base = `http://${req.headers.host}`;
    if (!repoMatch[3]) {
      if (method !== 'GET') return error(404, 'Not Found', headersNow);
      return reply(200, repoJson(repo, base), headersNow);
    }
    if (method === 'GET') {
      const q = url.searchParams;
      const state = q.get('state') ?? 'open';
      const head = q.get('head');
      const found = pulls.filter(
        (p) =>
          p.owner === repo.owner &&
          p.repo === repo.name &&
          (state === 'all' || p.state === state) &&
          (!head || `${p.owner}:${p.head}` === head) &&
          (!q.get('base') || p.base === q.get('base')),
      );
      return reply(
        200,
        found.map((p) => pullJson(p, base)),
        headersNow,
      );
    }
    if (method !== 'POST') return error(404, 'Not Found', headersNow);
    const input = (body ?? {}) as { title?: unknown; head?: unknown; base?: unknown; body?: unknown };
    const invalid = (errors: Record<string, unknown>[]) => error(422, 'Validation Failed', headersNow, { errors });
    const missing = (['title', 'head', 'base'] as const).filter((f) => typeof input[f] !== 'string' || !(input[f] as string).trim());
    if (missing.length) return invalid(missing.map((field) => ({ resource: 'PullRequest', field, code: 'missing_field' })));
    // head may be `owner:branch` (a fork's); a same-repository head is the branch alone.
    const headRef = String(input.head).includes(':') ? String(input.head).split(':').slice(1).join(':') : String(input.head);
    const baseRef = String(input.base);
    const exists = async (b: string) => (options.branchExists ? await options.branchExists({ owner: repo.owner, name: repo.name }, b) : true);
    const errors: Record<string, unknown>[] = [];
    if (!(await exists(baseRef))) errors.push({ resource: 'PullRequest', field: 'base', code: 'invalid' });
    if (!(await exists(headRef))) errors.push({ resource: 'PullRequest', field: 'head', code: 'invalid' });
    if (errors.length) return invalid(errors);
    if (headRef === baseRef) return invalid([{ resource: 'PullRequest', code: 'custom', message: `No commits between ${baseRef} and ${headRef}` }]);
    if (pulls.some((p) => p.owner === repo.owner && p.repo === repo.name && p.state === 'open' && p.head === headRef && p.base === baseRef))
      return invalid([{ resource: 'PullRequest', code: 'custom', message: `A pull request already exists for ${repo.owner}:${headRef}.` }]);
    const number = pulls.filter((p) => p.owner === repo.owner && p.repo === repo.name).length + 1;
    const pull: GitHubPull = {
      owner: repo.owner,
      repo: repo.name,
      number,
      title: String(input.title),
      body: typeof input.body === 'string' ? input.body : null,
      head: headRef,
      base: baseRef,
      state: 'open',
      html_url: `${web}/${repo.owner}/${repo.name}/pull/${number}`,
    };
    pulls.push(pull);
    notify(pullWaiters, pull);
    return reply(201, pullJson(pull, base), { ...headersNow, location: `${base}/repos/${repo.owner}/${repo.name}/pulls/${number}` });
  }

  const repoJson = (r: Required<GitHubRepoSpec>, base: string) => ({
    id: [...`${r.owner}/${r.name}`].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7),
    name: r.name,
    full_name: `${r.owner}/${r.name}`,
    owner: { login: r.owner, type: 'Organization' },
    private: true,
    html_url: `${web}/${r.owner}/${r.name}`,
    url: `${base}/repos/${r.owner}/${r.name}`,
    default_branch: r.defaultBranch,
  });
  const pullJson = (p: GitHubPull, base: string) => ({
    url: `${base}/repos/${p.owner}/${p.repo}/pulls/${p.number}`,
    id: p.number * 1000 + 1,
    number: p.number,
    state: p.state,
    title: p.title,
    body: p.body,
    draft: false,
    html_url: p.html_url,
    head: { label: `${p.owner}:${p.head}`, ref: p.head, repo: { full_name: `${p.owner}/${p.repo}` } },
    base: { label: `${p.owner}:${p.base}`, ref: p.base, repo: { full_name: `${p.owner}/${p.repo}` } },
  });

  const { url, close } = await serveOnLoopback(handle, (err) => ({ message: String(err) }));
  return {
    url,
    token,
    requests,
    pulls,
    addRepo,
    fail(status, o = {}) {
      failures.push({ status, times: o.times ?? 1, retryAfterSeconds: o.retryAfterSeconds ?? 60 });
    },
    waitForPull: (match, timeoutMs = 10_000) => waitIn(pulls, pullWaiters, match, timeoutMs, 'the GitHub emulator received no such pull request'),
    close,
  };
}
