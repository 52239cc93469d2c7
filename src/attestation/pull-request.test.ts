import { afterEach, describe, expect, it } from 'vitest';
import { type GitHubEmulator, startGitHubEmulator } from '../testing/github-emulator.js';
import { type GitLabEmulator, startGitLabEmulator } from '../testing/gitlab-emulator.js';
import { changeApisFrom, changeHost, createPullRequests, parseRemote, PullRequestError } from './pull-request.js';

describe('remote URLs', () => {
  it.each([
    ['https://github.com/payments/beans.git', 'github.com', ['payments', 'beans']],
    ['https://github.com/payments/beans', 'github.com', ['payments', 'beans']],
    ['https://x-access-token:secret@github.com/payments/beans.git/', 'github.com', ['payments', 'beans']],
    ['http://127.0.0.1:8080/payments/beans.git', '127.0.0.1', ['payments', 'beans']],
    ['git@github.com:payments/beans.git', 'github.com', ['payments', 'beans']],
    ['github.com:payments/beans', 'github.com', ['payments', 'beans']],
    ['ssh://git@GitHub.com:22/payments/beans.git', 'github.com', ['payments', 'beans']],
    ['git+ssh://git@github.com/payments/beans.git', 'github.com', ['payments', 'beans']],
    ['git://127.0.0.1:9418/payments/beans.git', '127.0.0.1', ['payments', 'beans']],
    ['git@gitlab.com:platform/tools/grinder.git', 'gitlab.com', ['platform', 'tools', 'grinder']],
    ['https://gitlab.example.com/platform/tools/grinder.git', 'gitlab.example.com', ['platform', 'tools', 'grinder']],
    ['ssh://[::1]:2222/a/b.git', '::1', ['a', 'b']],
  ])('%s is %s %j', (remote, host, path) => {
    expect(parseRemote(remote)).toEqual({ host, path });
  });

  it.each([
    '/srv/git/beans.git',
    './beans',
    'file:///srv/git/beans.git',
    'C:\\repos\\beans',
    'https://github.com/beans',
    'https://github.com/payments/../beans',
    'https://github.com/payments/.hidden',
    'git@github.com:payments/be ans.git',
    'not a url',
  ])('%s names no repository on a host', (remote) => {
    expect(parseRemote(remote)).toBeNull();
  });

  it('maps each API to the host its repositories live on, by hostname only', () => {
    expect(changeHost('github', 'https://api.github.com')).toBe('github.com');
    expect(changeHost('github', 'https://api.acme.ghe.com')).toBe('acme.ghe.com');
    expect(changeHost('github', 'https://github.example.com/api/v3')).toBe('github.example.com');
    expect(changeHost('gitlab', 'https://gitlab.com/api/v4')).toBe('gitlab.com');
    expect(changeHost('gitlab', 'http://127.0.0.1:8080/api/v4')).toBe('127.0.0.1');
  });

  it('uses only the APIs that have a token, and matches ssh and https remotes alike', () => {
    const apis = changeApisFrom({ GITHUB_TOKEN: 'ghp_1234567890', GITHUB_API_URL: 'https://api.github.com', GITLAB_API_URL: 'https://gitlab.com/api/v4' });
    expect(Object.keys(apis)).toEqual(['github']);
    const prs = createPullRequests(apis);
    expect(prs.kindFor('git@github.com:payments/beans.git')).toBe('github');
    expect(prs.kindFor('https://github.com/payments/beans')).toBe('github');
    expect(prs.kindFor('https://github.com.evil.example/payments/beans')).toBeNull();
    expect(prs.kindFor('https://api.github.com/payments/beans')).toBeNull();
    expect(prs.kindFor('git@gitlab.com:platform/grinder.git')).toBeNull();
    // GitHub repositories are owner/name: a deeper path is not one.
    expect(prs.kindFor('https://github.com/a/b/c')).toBeNull();
  });
});

/** The error a call failed with; a call that succeeds fails the test. */
const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: unknown) => e as PullRequestError,
  );

const BRANCH = 'switchboard/owner-beans-api-1a2b3c4d';
const input = (remote: string) => ({ remote, branch: BRANCH, base: 'main', title: 'Set the owner of beans-api', body: 'Answered in chat.' });

describe('opening a pull request on GitHub', () => {
  let gh: GitHubEmulator;
  afterEach(() => gh.close());
  const remote = () => `git://127.0.0.1:9418/payments/beans.git`;
  const prs = () => createPullRequests({ github: { apiUrl: gh.url, token: gh.token } }, { timeoutMs: 2_000 });

  it('opens one with the documented headers and body, and finds it again on a retry instead of opening two', async () => {
    gh = await startGitHubEmulator({ repos: [{ owner: 'payments', name: 'beans' }] });
    const first = await prs().open(input(remote()));
    expect(first).toEqual({ kind: 'github', url: 'https://github.test/payments/beans/pull/1', number: 1, created: true });
    const post = gh.requests[0]!;
    expect(post).toMatchObject({ method: 'POST', path: '/repos/payments/beans/pulls', status: 201 });
    expect(post.body).toEqual({ title: 'Set the owner of beans-api', head: BRANCH, base: 'main', body: 'Answered in chat.' });
    expect(post.headers).toMatchObject({ accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28', 'user-agent': 'switchboard' });

    const again = await prs().open(input(remote()));
    expect(again).toEqual({ ...first, created: false });
    expect(gh.pulls).toHaveLength(1);
    const lookup = gh.requests.at(-1)!;
    expect([lookup.method, lookup.query.get('head'), lookup.query.get('state')]).toEqual(['GET', `payments:${BRANCH}`, 'open']);
  });

  it('opens nothing for a remote on another host', async () => {
    gh = await startGitHubEmulator({ repos: [{ owner: 'payments', name: 'beans' }] });
    expect(await prs().open(input('https://github.com/payments/beans.git'))).toBeNull();
    expect(gh.requests).toHaveLength(0);
  });

  it('says what failed on 401, 404 and a head branch GitHub does not have, without the token', async () => {
    gh = await startGitHubEmulator({ repos: [{ owner: 'payments', name: 'beans' }], branchExists: (_, b) => b === 'main' });
    const bad = createPullRequests({ github: { apiUrl: gh.url, token: 'ghp_not-the-token' } });
    const refused = await failure(bad.open(input(remote())));
    expect(refused).toMatchObject({ code: 'refused', message: 'GitHub refused the token (401): Bad credentials' });
    expect(refused.message).not.toContain('ghp_not-the-token');
    await expect(prs().open(input('git://127.0.0.1/payments/teapot.git'))).rejects.toMatchObject({
      code: 'not_found',
      message: expect.stringContaining('GitHub has no repository payments/teapot, or the token cannot see it (404)'),
    });
    await expect(prs().open(input(remote()))).rejects.toMatchObject({
      code: 'invalid',
      message: expect.stringMatching(/^GitHub refused the pull request in repository payments\/beans \(422\): Validation Failed; head invalid$/),
    });
  });

  it('reports a secondary rate limit (429) with retry-after, and the primary one (403, none left) with its reset', async () => {
    gh = await startGitHubEmulator({ repos: [{ owner: 'payments', name: 'beans' }], now: () => 1_000_000_000 });
    gh.fail(429, { retryAfterSeconds: 42 });
    await expect(prs().open(input(remote()))).rejects.toMatchObject({ code: 'rate_limited', retryAfterSeconds: 42 });
    gh.fail(403);
    const at = createPullRequests({ github: { apiUrl: gh.url, token: gh.token } }, { now: () => 1_000_000_000 - 600_000 });
    const limited = await failure(at.open(input(remote())));
    // The window resets an hour after the emulator's clock; the client's clock is ten minutes behind it.
    expect(limited).toMatchObject({ code: 'rate_limited', retryAfterSeconds: 4_200 });
    expect(limited.message).toMatch(/GitHub is rate-limiting \(403\); ask again in 4200 s: API rate limit exceeded/);
  });

  it('gives up on an API that does not answer within the timeout', async () => {
    const { createServer } = await import('node:http');
    const silent = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    gh = await startGitHubEmulator();
    try {
      const slow = createPullRequests({ github: { apiUrl: `http://127.0.0.1:${port}`, token: 'ghp_1234567890' } }, { timeoutMs: 200 });
      await expect(slow.open(input(remote()))).rejects.toMatchObject({
        code: 'unreachable',
        message: `GitHub (127.0.0.1:${port}) did not answer within 200 ms`,
      });
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });
});

describe('opening a merge request on GitLab', () => {
  let gl: GitLabEmulator;
  afterEach(() => gl.close());
  const prs = () => createPullRequests({ gitlab: { apiUrl: gl.url, token: gl.token } });
  const remote = 'git@127.0.0.1:platform/tools/grinder.git';

  it('opens one in the nested project by its encoded path, removing the source branch once merged, and finds it on a retry', async () => {
    gl = await startGitLabEmulator({ projects: [{ path: 'platform/tools/grinder' }] });
    const first = await prs().open(input(remote));
    expect(first).toEqual({ kind: 'gitlab', url: 'https://gitlab.test/platform/tools/grinder/-/merge_requests/1', number: 1, created: true });
    expect(gl.requests[0]).toMatchObject({ method: 'POST', path: '/api/v4/projects/platform%2Ftools%2Fgrinder/merge_requests' });
    expect(gl.requests[0]?.body).toEqual({
      source_branch: BRANCH,
      target_branch: 'main',
      title: 'Set the owner of beans-api',
      description: 'Answered in chat.',
      remove_source_branch: true,
    });
    expect(await prs().open(input(remote))).toEqual({ ...first, created: false });
    expect(gl.mergeRequests).toHaveLength(1);
    expect(gl.requests.map((r) => r.status)).toEqual([201, 409, 200]);
  });

  it('says what failed on 401, 404 and 429', async () => {
    gl = await startGitLabEmulator({ projects: [{ path: 'platform/tools/grinder' }] });
    const bad = createPullRequests({ gitlab: { apiUrl: gl.url, token: 'glpat-wrong-token' } });
    await expect(bad.open(input(remote))).rejects.toMatchObject({ code: 'refused', message: 'GitLab refused the token (401): 401 Unauthorized' });
    await expect(prs().open(input('git@127.0.0.1:platform/teapot.git'))).rejects.toMatchObject({
      code: 'not_found',
      message: expect.stringContaining('404 Project Not Found'),
    });
    gl.fail(429, { retryAfterSeconds: 7 });
    await expect(prs().open(input(remote))).rejects.toMatchObject({ code: 'rate_limited', retryAfterSeconds: 7 });
  });
});
