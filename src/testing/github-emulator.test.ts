/* eslint-disable @typescript-eslint/no-explicit-any -- the emulator's JSON bodies are read loosely here */
import { afterEach, describe, expect, it } from 'vitest';
import { type GitHubEmulator, startGitHubEmulator } from './github-emulator.js';

let gh: GitHubEmulator;
afterEach(() => gh.close());

const BRANCHES = new Set(['main', 'switchboard/owner-beans-1234abcd']);

async function call(method: string, path: string, body?: unknown, auth: string | null = `Bearer ${gh.token}`, extra: Record<string, string> = {}) {
  const res = await fetch(`${gh.url}${path}`, {
    method,
    headers: {
      accept: 'application/vnd.github+json',
      'x-github-api-version': '2022-11-28',
      'user-agent': 'switchboard-test',
      ...(auth && { authorization: auth }),
      ...(body !== undefined && { 'content-type': 'application/json' }),
      ...extra,
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  let json: any = text;
  try {
    json = JSON.parse(text);
  } catch {
    // plain text answer
  }
  return { status: res.status, headers: res.headers, body: json };
}

const pull = (head = 'switchboard/owner-beans-1234abcd', base = 'main') => ({ title: 'Set the owner', head, base, body: 'Because.' });

describe('GitHub emulator', () => {
  it('opens a pull request with its html_url, and lists it by head owner:branch and state', async () => {
    gh = await startGitHubEmulator({ repos: [{ owner: 'payments', name: 'beans' }], branchExists: (_, b) => BRANCHES.has(b) });
    const created = await call('POST', '/repos/payments/beans/pulls', pull());
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ number: 1, state: 'open', html_url: 'https://github.test/payments/beans/pull/1', head: { ref: pull().head } });
    expect(created.headers.get('location')).toMatch(/\/repos\/payments\/beans\/pulls\/1$/);
    const listed = await call('GET', `/repos/payments/beans/pulls?head=${encodeURIComponent(`payments:${pull().head}`)}&state=open`);
    expect(listed.body.map((p: any) => p.html_url)).toEqual(['https://github.test/payments/beans/pull/1']);
    expect((await call('GET', '/repos/payments/beans/pulls?head=payments:other&state=open')).body).toEqual([]);
    expect((await call('GET', '/repos/payments/beans')).body.default_branch).toBe('main');
    expect(gh.pulls).toHaveLength(1);
    expect(gh.requests[0]?.headers.authorization).toBeUndefined();
  });

  it('refuses a second open pull request for the same head with GitHub’s exact 422', async () => {
    gh = await startGitHubEmulator({ repos: [{ owner: 'payments', name: 'beans' }] });
    await call('POST', '/repos/payments/beans/pulls', pull());
    const again = await call('POST', '/repos/payments/beans/pulls', pull());
    expect(again.status).toBe(422);
    expect(again.body).toMatchObject({
      message: 'Validation Failed',
      errors: [{ resource: 'PullRequest', code: 'custom', message: `A pull request already exists for payments:${pull().head}.` }],
    });
    expect(gh.pulls).toHaveLength(1);
  });

  it('answers 422 for a missing field, a head branch that does not exist and head equal to base', async () => {
    gh = await startGitHubEmulator({ repos: [{ owner: 'payments', name: 'beans' }], branchExists: (_, b) => BRANCHES.has(b) });
    const missing = await call('POST', '/repos/payments/beans/pulls', { head: 'main' });
    expect(missing.status).toBe(422);
    expect(missing.body.errors.map((e: any) => [e.field, e.code])).toEqual([
      ['title', 'missing_field'],
      ['base', 'missing_field'],
    ]);
    const noBranch = await call('POST', '/repos/payments/beans/pulls', pull('switchboard/nowhere'));
    expect(noBranch.status).toBe(422);
    expect(noBranch.body.errors).toEqual([{ resource: 'PullRequest', field: 'head', code: 'invalid' }]);
    const same = await call('POST', '/repos/payments/beans/pulls', pull('main'));
    expect(same.body.errors[0].message).toBe('No commits between main and main');
    expect(gh.pulls).toHaveLength(0);
  });

  it('checks the token, the User-Agent and the API version, and answers 404 for an unknown repository', async () => {
    gh = await startGitHubEmulator({ repos: [{ owner: 'payments', name: 'beans' }] });
    expect(await call('GET', '/repos/payments/beans', undefined, null)).toMatchObject({ status: 401, body: { message: 'Requires authentication' } });
    expect(await call('GET', '/repos/payments/beans', undefined, 'Bearer nope')).toMatchObject({ status: 401, body: { message: 'Bad credentials' } });
    expect((await call('GET', '/repos/payments/beans', undefined, `token ${gh.token}`)).status).toBe(200);
    const noAgent = await fetch(`${gh.url}/repos/payments/beans`, { headers: { authorization: `Bearer ${gh.token}`, 'user-agent': '' } });
    expect(noAgent.status).toBe(403);
    expect((await call('GET', '/repos/payments/beans', undefined, undefined, { 'x-github-api-version': '2020-01-01' })).status).toBe(400);
    const unknown = await call('POST', '/repos/payments/teapot/pulls', pull());
    expect(unknown).toMatchObject({ status: 404, body: { message: 'Not Found' } });
  });

  it('counts the primary rate limit in its headers, answers 403 past it, and 429 with retry-after when forced', async () => {
    gh = await startGitHubEmulator({ repos: [{ owner: 'payments', name: 'beans' }], rateLimit: 2 });
    const first = await call('GET', '/repos/payments/beans');
    expect([first.headers.get('x-ratelimit-limit'), first.headers.get('x-ratelimit-remaining'), first.headers.get('x-ratelimit-used')]).toEqual([
      '2',
      '1',
      '1',
    ]);
    expect(Number(first.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000);
    await call('GET', '/repos/payments/beans');
    const over = await call('GET', '/repos/payments/beans');
    expect(over.status).toBe(403);
    expect(over.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(over.body.message).toMatch(/API rate limit exceeded/);

    await gh.close();
    gh = await startGitHubEmulator({ repos: [{ owner: 'payments', name: 'beans' }] });
    gh.fail(429, { retryAfterSeconds: 30 });
    const limited = await call('POST', '/repos/payments/beans/pulls', pull());
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('30');
    expect(limited.body.message).toMatch(/secondary rate limit/);
    expect((await call('POST', '/repos/payments/beans/pulls', pull())).status).toBe(201);
  });
});
