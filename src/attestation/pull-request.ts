/**
 * A "Not ours" branch as a pull request (GitHub) or merge request (GitLab), where the remote's host is
 * the host of a configured API. The rule is by hostname only (so `git@github.com:a/b.git` and
 * `https://github.com/a/b` both match api.github.com, whatever the scheme or port): a token is sent
 * only to its own configured API URL, and only about a repository on that API's host, never to a host
 * a remote or a descriptor names.
 *
 * Opening is idempotent: a request that already exists for the branch (GitHub's 422 "A pull request
 * already exists", GitLab's 409) is looked up and returned, so a retried activity never opens two.
 * Every call has a deadline; a rate limit (429, or GitHub's 403 with no requests left) fails with
 * when to ask again. No message carries the token.
 */

export type ChangeHostKind = 'github' | 'gitlab';

export interface ChangeApi {
  /** The REST API base: https://api.github.com, https://github.example.com/api/v3, https://gitlab.com/api/v4. */
  apiUrl: string;
  token: string;
}

export type ChangeApis = Partial<Record<ChangeHostKind, ChangeApi>>;

export interface PullRequestInput {
  /** The remote the branch was pushed to (credentials already removed, or not: they are never used). */
  remote: string;
  branch: string;
  /** The branch to merge into: the repository's default branch. */
  base: string;
  title: string;
  body: string;
}

export interface OpenedPullRequest {
  kind: ChangeHostKind;
  /** The web page of the pull request or merge request (html_url / web_url). */
  url: string;
  number: number;
  /** False: it was already open (a retry, or a second answer for the same change). */
  created: boolean;
}

export class PullRequestError extends Error {
  override readonly name = 'PullRequestError';
  constructor(
    message: string,
    readonly code: 'rate_limited' | 'refused' | 'not_found' | 'invalid' | 'unreachable' | 'failed',
    /** Rate limited: seconds until the API takes requests again. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

const TITLE = { github: 'GitHub', gitlab: 'GitLab' } as const;
const DEFAULT_TIMEOUT_MS = 10_000;
/** A path segment of an owner, group or repository: what GitHub and GitLab allow, and never `.` or `..`. */
const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/**
 * The web host a configured API serves: github.com for api.github.com (and `<name>.ghe.com` for
 * `api.<name>.ghe.com`), otherwise the API URL's own hostname (GitHub Enterprise Server, GitLab).
 */
export function changeHost(kind: ChangeHostKind, apiUrl: string): string {
  const host = new URL(apiUrl).hostname.toLowerCase();
  if (kind === 'github' && (host === 'api.github.com' || /^api\.[a-z0-9-]+\.ghe\.com$/.test(host))) return host.slice('api.'.length);
  return host;
}

/**
 * The host and repository path of a remote: https://host/a/b.git, ssh://git@host:22/a/b.git,
 * git://host/a/b.git, scp-like git@host:a/b.git. Null for a local path or anything else (a file://
 * remote has no host with an API).
 */
export function parseRemote(remote: string): { host: string; path: string[] } | null {
  const url = remote.trim();
  let host: string;
  let rest: string;
  const scheme = /^(https?|ssh|git|git\+ssh|ssh\+git):\/\//i.exec(url);
  if (scheme) {
    let parsed: URL;
    try {
      parsed = new URL(url.replace(/^(git\+ssh|ssh\+git):/i, 'ssh:'));
    } catch {
      return null;
    }
    host = parsed.hostname;
    rest = decodeURIComponent(parsed.pathname);
  } else {
    // scp-like: [user@]host:path, where the host has no slash before the colon (a Windows path, C:\, has one letter).
    const scp = /^(?:[^@/\s]+@)?([^:/\s]{2,}):(?!\/\/)(.+)$/.exec(url);
    if (!scp) return null;
    host = scp[1] as string;
    rest = scp[2] as string;
  }
  host = host.replace(/^\[|\]$/g, '').toLowerCase();
  const path = rest
    .replace(/^\/+|\/+$/g, '')
    .replace(/\.git$/i, '')
    .split('/');
  if (!host || path.length < 2 || !path.every((s) => SEGMENT.test(s))) return null;
  return { host, path };
}

/** Opens pull or merge requests through the configured APIs. */
export function createPullRequests(apis: ChangeApis, opts: { timeoutMs?: number; now?: () => number } = {}) {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const now = opts.now ?? Date.now;
  const configured = (Object.entries(apis) as [ChangeHostKind, ChangeApi][]).map(([kind, api]) => ({
    kind,
    api: { ...api, apiUrl: api.apiUrl.replace(/\/+$/, '') },
    host: changeHost(kind, api.apiUrl),
  }));

  /** Which configured API a remote belongs to, with the repository's path there; null when none. */
  function target(remote: string) {
    const parsed = parseRemote(remote);
    if (!parsed) return null;
    const at = configured.find((c) => c.host === parsed.host);
    if (!at) return null;
    // GitHub repositories are owner/name; GitLab projects sit in nested groups.
    if (at.kind === 'github' && parsed.path.length !== 2) return null;
    return { ...at, path: parsed.path };
  }

  async function call(kind: ChangeHostKind, api: ChangeApi, method: 'GET' | 'POST', path: string, body?: unknown) {
    const headers: Record<string, string> =
      kind === 'github'
        ? {
            authorization: `Bearer ${api.token}`,
            accept: 'application/vnd.github+json',
            'x-github-api-version': '2022-11-28',
            'user-agent': 'switchboard',
          }
        : { 'private-token': api.token, accept: 'application/json', 'user-agent': 'switchboard' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(`${api.apiUrl}${path}`, {
        method,
        headers,
        ...(body !== undefined && { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(timeoutMs),
        redirect: 'error',
      });
    } catch (err) {
      const what = (err as Error).name === 'TimeoutError' ? `did not answer within ${timeoutMs} ms` : 'could not be reached';
      throw new PullRequestError(`${TITLE[kind]} (${new URL(api.apiUrl).host}) ${what}`, 'unreachable');
    }
    const text = await res.text().catch(() => '');
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      if (res.ok) throw new PullRequestError(`${TITLE[kind]} answered ${method} ${path} with something that is not JSON`, 'failed');
    }
    return { status: res.status, headers: res.headers, json };
  }

  /** The vendor's words for a failure (GitHub: message and errors[].message; GitLab: message as text, list or map). */
  function said(json: unknown, token: string): string {
    const j = (json ?? {}) as { message?: unknown; error?: unknown; errors?: { message?: string; code?: string; field?: string }[] };
    const parts: string[] = [];
    const flat = (v: unknown): string[] =>
      typeof v === 'string'
        ? [v]
        : Array.isArray(v)
          ? v.flatMap(flat)
          : v && typeof v === 'object'
            ? Object.entries(v).flatMap(([k, x]) => flat(x).map((m) => `${k} ${m}`))
            : [];
    parts.push(...flat(j.message ?? j.error));
    for (const e of Array.isArray(j.errors) ? j.errors : []) parts.push(e.message ?? [e.field, e.code].filter(Boolean).join(' '));
    return parts.filter(Boolean).join('; ').split(token).join('[redacted]').slice(0, 300);
  }

  /** A failed answer as an error: rate limits with when to retry, the rest by status. */
  function failure(kind: ChangeHostKind, what: string, r: { status: number; headers: Headers; json: unknown }, token: string): PullRequestError {
    const words = said(r.json, token);
    const detail = words ? `: ${words}` : '';
    const retryAfter = seconds(r.headers.get('retry-after'));
    const remaining = r.headers.get('x-ratelimit-remaining') ?? r.headers.get('ratelimit-remaining');
    const reset = seconds(r.headers.get('x-ratelimit-reset') ?? r.headers.get('ratelimit-reset'));
    const limited = r.status === 429 || (r.status === 403 && (remaining === '0' || retryAfter !== null || /rate limit/i.test(words)));
    if (limited) {
      const wait = retryAfter ?? (reset !== null ? Math.max(1, reset - Math.floor(now() / 1000)) : 60);
      return new PullRequestError(`${TITLE[kind]} is rate-limiting (${r.status}); ask again in ${wait} s${detail}`, 'rate_limited', wait);
    }
    if (r.status === 401) return new PullRequestError(`${TITLE[kind]} refused the token (401)${detail}`, 'refused');
    if (r.status === 403) return new PullRequestError(`${TITLE[kind]} refused access to ${what} (403)${detail}`, 'refused');
    if (r.status === 404) return new PullRequestError(`${TITLE[kind]} has no ${what}, or the token cannot see it (404)${detail}`, 'not_found');
    if (r.status === 400 || r.status === 409 || r.status === 422)
      return new PullRequestError(`${TITLE[kind]} refused the ${kind === 'github' ? 'pull' : 'merge'} request in ${what} (${r.status})${detail}`, 'invalid');
    return new PullRequestError(`${TITLE[kind]} failed (${r.status}) for ${what}${detail}`, 'failed');
  }

  async function github(api: ChangeApi, [owner, repo]: string[], input: PullRequestInput): Promise<OpenedPullRequest> {
    const base = `/repos/${encodeURIComponent(owner as string)}/${encodeURIComponent(repo as string)}`;
    const what = `repository ${owner}/${repo}`;
    const created = await call('github', api, 'POST', `${base}/pulls`, { title: input.title, head: input.branch, base: input.base, body: input.body });
    const pr = created.json as { html_url?: string; number?: number } | null;
    if (created.status === 201 && pr?.html_url) return { kind: 'github', url: pr.html_url, number: pr.number ?? 0, created: true };
    const errors = (created.json as { errors?: { message?: string }[] } | null)?.errors;
    const exists = created.status === 422 && Array.isArray(errors) && errors.some((e) => /^A pull request already exists/.test(e.message ?? ''));
    if (!exists) throw failure('github', what, created, api.token);
    const query = `head=${encodeURIComponent(`${owner}:${input.branch}`)}&state=open`;
    const found = await call('github', api, 'GET', `${base}/pulls?${query}`);
    if (found.status !== 200) throw failure('github', what, found, api.token);
    const open = Array.isArray(found.json) ? (found.json as { html_url?: string; number?: number }[]).find((p) => p.html_url) : undefined;
    if (!open) throw new PullRequestError(`GitHub says a pull request from ${input.branch} exists in ${owner}/${repo} but lists none open`, 'failed');
    return { kind: 'github', url: open.html_url as string, number: open.number ?? 0, created: false };
  }

  async function gitlab(api: ChangeApi, path: string[], input: PullRequestInput): Promise<OpenedPullRequest> {
    const project = path.join('/');
    const base = `/projects/${encodeURIComponent(project)}`;
    const what = `project ${project}`;
    const created = await call('gitlab', api, 'POST', `${base}/merge_requests`, {
      source_branch: input.branch,
      target_branch: input.base,
      title: input.title,
      description: input.body,
      remove_source_branch: true,
    });
    const mr = created.json as { web_url?: string; iid?: number } | null;
    if (created.status === 201 && mr?.web_url) return { kind: 'gitlab', url: mr.web_url, number: mr.iid ?? 0, created: true };
    if (created.status !== 409) throw failure('gitlab', what, created, api.token);
    const found = await call('gitlab', api, 'GET', `${base}/merge_requests?source_branch=${encodeURIComponent(input.branch)}&state=opened`);
    if (found.status !== 200) throw failure('gitlab', what, found, api.token);
    const open = Array.isArray(found.json) ? (found.json as { web_url?: string; iid?: number }[]).find((m) => m.web_url) : undefined;
    if (!open) throw failure('gitlab', what, created, api.token);
    return { kind: 'gitlab', url: open.web_url as string, number: open.iid ?? 0, created: false };
  }

  return {
    /** The configured API a remote's host belongs to, or null (the branch stays the change). */
    kindFor: (remote: string): ChangeHostKind | null => target(remote)?.kind ?? null,
    /** Opens (or finds open) the request for the pushed branch; null when no configured API serves the remote's host. */
    async open(input: PullRequestInput): Promise<OpenedPullRequest | null> {
      const t = target(input.remote);
      if (!t) return null;
      return t.kind === 'github' ? github(t.api, t.path, input) : gitlab(t.api, t.path, input);
    },
  };
}

export type PullRequests = ReturnType<typeof createPullRequests>;

/** The APIs the environment configures: each needs its token. */
export function changeApisFrom(config: { GITHUB_TOKEN?: string; GITHUB_API_URL: string; GITLAB_TOKEN?: string; GITLAB_API_URL: string }): ChangeApis {
  return {
    ...(config.GITHUB_TOKEN && { github: { apiUrl: config.GITHUB_API_URL, token: config.GITHUB_TOKEN } }),
    ...(config.GITLAB_TOKEN && { gitlab: { apiUrl: config.GITLAB_API_URL, token: config.GITLAB_TOKEN } }),
  };
}

function seconds(v: string | null): number | null {
  return v !== null && /^\d+$/.test(v.trim()) ? Number(v.trim()) : null;
}
