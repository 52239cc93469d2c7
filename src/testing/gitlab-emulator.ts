/**
 * Test support: a loopback stand-in for the GitLab REST API v4's merge requests (point GITLAB_API_URL
 * at `url`, which ends in /api/v4 as GitLab's does).
 *
 * Requests need `PRIVATE-TOKEN: <token>` (or `Authorization: Bearer <token>`); anything else is 401
 * `{"message":"401 Unauthorized"}`. A project is named by its numeric id or its URL-encoded path
 * (`group%2Fsub%2Fproject`); an unknown one is 404 `{"message":"404 Project Not Found"}`.
 * `POST /projects/:id/merge_requests` takes {source_branch, target_branch, title, description,
 * remove_source_branch} as JSON: a missing one is 400 `{"error":"source_branch is missing, …"}` (Grape's
 * wording); the same branch for source and target, a branch that does not exist (`branchExists`) or a
 * second open merge request from the same source branch is 409 with GitLab's `message` list
 * ("Another open merge request already exists for this source branch: !1"). 201 answers the merge
 * request with its `web_url`. `GET /projects/:id/merge_requests` filters by `source_branch`,
 * `target_branch` and `state` (opened | closed | merged | all).
 *
 * Every authenticated answer carries RateLimit-Limit / -Observed / -Remaining / -Reset (epoch seconds);
 * past `rateLimit` requests a minute it is 429 "Retry later" with Retry-After, as GitLab's throttle
 * answers; `fail(429)` forces one. Every request is recorded in `requests` (without its token).
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { notify, readBody, serveOnLoopback, waitIn, type Waiter } from './emulator-support.js';

export interface GitLabProjectSpec {
  /** `group/sub/project`. */
  path: string;
  /** Default main. */
  defaultBranch?: string;
}

export interface GitLabEmulatorOptions {
  token?: string;
  projects?: GitLabProjectSpec[];
  /** Whether `branch` exists in the project; default: every branch exists. */
  branchExists?: (project: string, branch: string) => boolean | Promise<boolean>;
  /** Requests per token per minute; default 2,000 (GitLab.com's authenticated API limit). */
  rateLimit?: number;
  /** Where merge requests' pages are said to be (web_url); default https://gitlab.test. */
  webUrl?: string;
  now?: () => number;
}

export interface GitLabRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  status: number;
}

export interface GitLabMergeRequest {
  project: string;
  projectId: number;
  iid: number;
  title: string;
  description: string | null;
  source_branch: string;
  target_branch: string;
  remove_source_branch: boolean;
  state: 'opened' | 'closed' | 'merged';
  web_url: string;
}

export interface GitLabEmulator {
  /** The API base, ending in /api/v4. */
  url: string;
  token: string;
  requests: GitLabRequest[];
  mergeRequests: GitLabMergeRequest[];
  addProject(project: GitLabProjectSpec): void;
  /** The next `times` (default 1) requests answer `status` (429: rate limited, with Retry-After). */
  fail(status: number, options?: { times?: number; retryAfterSeconds?: number }): void;
  waitForMergeRequest(match: (m: GitLabMergeRequest) => boolean, timeoutMs?: number): Promise<GitLabMergeRequest>;
  close(): Promise<void>;
}

export async function startGitLabEmulator(options: GitLabEmulatorOptions = {}): Promise<GitLabEmulator> {
  const token = options.token ?? `glpat-${randomBytes(10).toString('hex')}`;
  const now = options.now ?? Date.now;
  const limit = options.rateLimit ?? 2_000;
  const web = (options.webUrl ?? 'https://gitlab.test').replace(/\/+$/, '');
  const projects: (Required<GitLabProjectSpec> & { id: number })[] = [];
  const addProject = (p: GitLabProjectSpec) => projects.push({ defaultBranch: 'main', ...p, id: 100 + projects.length });
  for (const p of options.projects ?? []) addProject(p);
  const requests: GitLabRequest[] = [];
  const mergeRequests: GitLabMergeRequest[] = [];
  const waiters = new Set<Waiter<GitLabMergeRequest>>();
  const failures: { status: number; times: number; retryAfterSeconds: number }[] = [];
  let window = { start: now(), used: 0 };

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));

  async function handle(req: IncomingMessage, res: ServerResponse) {
    // The raw path: a project path's %2F must stay one segment.
    const rawPath = (req.url ?? '/').split('?')[0] as string;
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
    const { 'private-token': _token, authorization: _auth, ...headers } = req.headers;
    const record = (status: number) => requests.push({ method, path: rawPath, query: url.searchParams, headers, body, status });
    const reply = (status: number, json: unknown, extra?: Record<string, string>) => {
      record(status);
      send(res, status, json, extra);
    };

    const given = req.headers['private-token'] ?? (req.headers.authorization?.startsWith('Bearer ') ? req.headers.authorization.slice(7) : undefined);
    if (given !== token) return reply(401, { message: '401 Unauthorized' });

    const t = now();
    if (t - window.start >= 60_000) window = { start: t, used: 0 };
    const resetAt = Math.ceil((window.start + 60_000) / 1000);
    const rate = (used: number) => ({
      'ratelimit-limit': String(limit),
      'ratelimit-observed': String(used),
      'ratelimit-remaining': String(Math.max(0, limit - used)),
      'ratelimit-reset': String(resetAt),
      'ratelimit-resettime': new Date(resetAt * 1000).toUTCString(),
    });
    const throttled = (retryAfter: number) => {
      record(429);
      res.writeHead(429, { 'content-type': 'text/plain', ...rate(limit), 'retry-after': String(retryAfter) }).end('Retry later\n');
    };
    if (window.used >= limit) return throttled(Math.max(1, resetAt - Math.floor(t / 1000)));
    window.used++;
    const h = rate(window.used);
    const forced = failures.find((f) => f.times > 0);
    if (forced) {
      forced.times--;
      if (forced.status === 429) return throttled(forced.retryAfterSeconds);
      return reply(forced.status, { message: `${forced.status} ${forced.status === 403 ? 'Forbidden' : 'Internal Server Error'}` }, h);
    }
    if (badJson) return reply(400, { error: 'The provided content-type or body is invalid' }, h);

    const m = /^\/api\/v4\/projects\/([^/]+)\/merge_requests\/?$/.exec(rawPath);
    const projectMatch = /^\/api\/v4\/projects\/([^/]+)\/?$/.exec(rawPath);
    const idOrPath = m?.[1] ?? projectMatch?.[1];
    if (!idOrPath) return reply(404, { error: '404 Not Found' }, h);
    const key = decodeURIComponent(idOrPath);
    const project = projects.find((p) => String(p.id) === key || p.path.toLowerCase() === key.toLowerCase());
    if (!project) return reply(404, { message: '404 Project Not Found' }, h);
    if (projectMatch) {
      if (method !== 'GET') return reply(405, { error: '405 Method Not Allowed' }, h);
      return reply(200, { id: project.id, path_with_namespace: project.path, default_branch: project.defaultBranch, web_url: `${web}/${project.path}` }, h);
    }
    if (method === 'GET') {
      const q = url.searchParams;
      const state = q.get('state') ?? 'all';
      const found = mergeRequests.filter(
        (mr) =>
          mr.projectId === project.id &&
          (state === 'all' || mr.state === state) &&
          (!q.get('source_branch') || mr.source_branch === q.get('source_branch')) &&
          (!q.get('target_branch') || mr.target_branch === q.get('target_branch')),
      );
      return reply(200, found.map(mrJson), { ...h, 'x-total': String(found.length), 'x-page': '1', 'x-per-page': '20' });
    }
    if (method !== 'POST') return reply(405, { error: '405 Method Not Allowed' }, h);
    const input = (body ?? {}) as Record<string, unknown>;
    const missing = ['source_branch', 'target_branch', 'title'].filter((f) => typeof input[f] !== 'string' || !(input[f] as string).trim());
    if (missing.length) return reply(400, { error: missing.map((f) => `${f} is missing`).join(', ') }, h);
    const source = String(input.source_branch);
    const target = String(input.target_branch);
    const conflict = (message: string) => reply(409, { message: [message] }, h);
    if (source === target) return conflict("You can't use same project/branch for source and target");
    const exists = async (b: string) => (options.branchExists ? await options.branchExists(project.path, b) : true);
    if (!(await exists(source))) return conflict(`Source branch "${source}" does not exist`);
    if (!(await exists(target))) return conflict(`Target branch "${target}" does not exist`);
    const open = mergeRequests.find((mr) => mr.projectId === project.id && mr.state === 'opened' && mr.source_branch === source);
    if (open) return conflict(`Another open merge request already exists for this source branch: !${open.iid}`);
    const iid = mergeRequests.filter((mr) => mr.projectId === project.id).length + 1;
    const mr: GitLabMergeRequest = {
      project: project.path,
      projectId: project.id,
      iid,
      title: String(input.title),
      description: typeof input.description === 'string' ? input.description : null,
      source_branch: source,
      target_branch: target,
      remove_source_branch: input.remove_source_branch === true,
      state: 'opened',
      web_url: `${web}/${project.path}/-/merge_requests/${iid}`,
    };
    mergeRequests.push(mr);
    notify(waiters, mr);
    return reply(201, mrJson(mr), h);
  }

  const mrJson = (mr: GitLabMergeRequest) => ({
    id: mr.projectId * 1000 + mr.iid,
    iid: mr.iid,
    project_id: mr.projectId,
    title: mr.title,
    description: mr.description,
    state: mr.state,
    source_branch: mr.source_branch,
    target_branch: mr.target_branch,
    source_project_id: mr.projectId,
    target_project_id: mr.projectId,
    force_remove_source_branch: mr.remove_source_branch,
    references: { short: `!${mr.iid}`, full: `${mr.project}!${mr.iid}` },
    web_url: mr.web_url,
  });

  const served = await serveOnLoopback(handle, (err) => ({ message: '500 Internal Server Error', error: String(err) }));
  const { close } = served;
  const url = `${served.url}/api/v4`;
  return {
    url,
    token,
    requests,
    mergeRequests,
    addProject,
    fail(status, o = {}) {
      failures.push({ status, times: o.times ?? 1, retryAfterSeconds: o.retryAfterSeconds ?? 60 });
    },
    waitForMergeRequest: (match, timeoutMs = 10_000) => waitIn(mergeRequests, waiters, match, timeoutMs, 'the GitLab emulator received no such merge request'),
    close,
  };
}
