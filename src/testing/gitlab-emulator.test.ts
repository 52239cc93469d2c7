/* eslint-disable @typescript-eslint/no-explicit-any -- the emulator's JSON bodies are read loosely here */
import { afterEach, describe, expect, it } from 'vitest';
import { type GitLabEmulator, startGitLabEmulator } from './gitlab-emulator.js';

let gl: GitLabEmulator;
afterEach(() => gl.close());

const PROJECT = encodeURIComponent('platform/tools/grinder');

async function call(method: string, path: string, body?: unknown, token: string | null = gl.token) {
  const res = await fetch(`${gl.url}${path}`, {
    method,
    headers: { ...(token && { 'private-token': token }), ...(body !== undefined && { 'content-type': 'application/json' }) },
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

const mr = (source = 'switchboard/owner-grinder-1', target = 'main') => ({
  source_branch: source,
  target_branch: target,
  title: 'Set the owner',
  description: 'Because.',
  remove_source_branch: true,
});

describe('GitLab emulator', () => {
  it('opens a merge request in a project named by its URL-encoded path or id, and lists it by source branch', async () => {
    gl = await startGitLabEmulator({ projects: [{ path: 'platform/tools/grinder' }] });
    expect(gl.url).toMatch(/\/api\/v4$/);
    const created = await call('POST', `/projects/${PROJECT}/merge_requests`, mr());
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ iid: 1, state: 'opened', web_url: 'https://gitlab.test/platform/tools/grinder/-/merge_requests/1' });
    expect(gl.mergeRequests[0]).toMatchObject({ remove_source_branch: true, target_branch: 'main' });
    const listed = await call(
      'GET',
      `/projects/${created.body.project_id}/merge_requests?source_branch=${encodeURIComponent(mr().source_branch)}&state=opened`,
    );
    expect(listed.body.map((m: any) => m.iid)).toEqual([1]);
    expect((await call('GET', `/projects/${PROJECT}/merge_requests?source_branch=other&state=opened`)).body).toEqual([]);
    expect(gl.requests[0]?.headers['private-token']).toBeUndefined();
  });

  it('answers 409 with GitLab’s message for a second open merge request from the same source branch', async () => {
    gl = await startGitLabEmulator({ projects: [{ path: 'platform/tools/grinder' }] });
    await call('POST', `/projects/${PROJECT}/merge_requests`, mr());
    const again = await call('POST', `/projects/${PROJECT}/merge_requests`, mr());
    expect(again).toMatchObject({ status: 409, body: { message: ['Another open merge request already exists for this source branch: !1'] } });
    expect(gl.mergeRequests).toHaveLength(1);
  });

  it('names missing fields (400), and refuses a branch that does not exist or the same branch twice (409)', async () => {
    gl = await startGitLabEmulator({ projects: [{ path: 'platform/tools/grinder' }], branchExists: (_, b) => b === 'main' });
    expect(await call('POST', `/projects/${PROJECT}/merge_requests`, { title: 'x' })).toMatchObject({
      status: 400,
      body: { error: 'source_branch is missing, target_branch is missing' },
    });
    expect((await call('POST', `/projects/${PROJECT}/merge_requests`, mr())).body.message).toEqual([
      'Source branch "switchboard/owner-grinder-1" does not exist',
    ]);
    expect((await call('POST', `/projects/${PROJECT}/merge_requests`, mr('main'))).status).toBe(409);
    expect(gl.mergeRequests).toHaveLength(0);
  });

  it('answers 401 without the token and 404 for an unknown project', async () => {
    gl = await startGitLabEmulator({ projects: [{ path: 'platform/tools/grinder' }] });
    expect(await call('GET', `/projects/${PROJECT}`, undefined, null)).toMatchObject({ status: 401, body: { message: '401 Unauthorized' } });
    expect(await call('GET', `/projects/${PROJECT}`, undefined, 'glpat-wrong')).toMatchObject({ status: 401 });
    expect(await call('POST', `/projects/${encodeURIComponent('platform/teapot')}/merge_requests`, mr())).toMatchObject({
      status: 404,
      body: { message: '404 Project Not Found' },
    });
  });

  it('counts requests in RateLimit headers and throttles past the limit, or when told, with Retry-After', async () => {
    gl = await startGitLabEmulator({ projects: [{ path: 'platform/tools/grinder' }], rateLimit: 1 });
    const first = await call('GET', `/projects/${PROJECT}`);
    expect([first.headers.get('ratelimit-limit'), first.headers.get('ratelimit-remaining')]).toEqual(['1', '0']);
    const over = await call('GET', `/projects/${PROJECT}`);
    expect(over.status).toBe(429);
    expect(over.body).toBe('Retry later\n');
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);

    await gl.close();
    gl = await startGitLabEmulator({ projects: [{ path: 'platform/tools/grinder' }] });
    gl.fail(429, { retryAfterSeconds: 12 });
    const forced = await call('POST', `/projects/${PROJECT}/merge_requests`, mr());
    expect([forced.status, forced.headers.get('retry-after')]).toEqual([429, '12']);
    expect((await call('POST', `/projects/${PROJECT}/merge_requests`, mr())).status).toBe(201);
  });
});
