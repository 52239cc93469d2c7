/**
 * "Not ours" as a pull request, end to end: the running application on a real Temporal server, its
 * catalog read from git repositories served by `git daemon` (which takes pushes), the GitHub and GitLab
 * API emulators as GITHUB_API_URL and GITLAB_API_URL, signed Slack clicks and modal submissions. A
 * remote on the GitHub API's host (127.0.0.1) gets exactly one pull request from the pushed branch into
 * main; one on the GitLab API's host (localhost) a merge request; the ask and /whoowns show its URL.
 * A descriptor in a repository the operator did not list as a source stays a pending claim: no
 * workflow, no push, no pull request. With no worker running when Not ours is answered, the change
 * waits in Temporal and is opened, once, when a worker is back.
 */
import { type ChildProcess, execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { roundName } from '../../workflows/attestation-round.js';
import { ownerChangeWorkflowId, type OwnerChangeResult } from '../../workflows/owner-change-contract.js';
import { git } from '../activities/git.js';
import { createOwnerChangeActivities } from '../activities/owner-change.js';
import { attestationSettings } from '../settings/attestation.js';
import { NO_SETTINGS, type Settings } from '../settings/index.js';
import { openTruth } from '../state/truth.js';
import { SAMPLE_CATALOG, tempTree, type TempTree } from '../testing/fixtures.js';
import { createRepo, type GitDaemon, startGitDaemon } from '../testing/git-server.js';
import { type GitHubEmulator, startGitHubEmulator } from '../testing/github-emulator.js';
import { type GitLabEmulator, startGitLabEmulator } from '../testing/gitlab-emulator.js';
import { type Harness, slackId, startHarness } from '../testing/harness.js';
import { exited, startProcess } from '../testing/processes.js';
import type { EmulatorCall } from '../testing/slack-emulator.js';
import { describeWithTemporal, startTemporal } from '../testing/temporal.js';
import { parseRef } from '../threads.js';
import { branchFor, proposeOwnerChange } from './propose-change.js';
import { createPullRequests } from './pull-request.js';

const descriptor = (name: string) => `# ${name}
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: ${name}
spec:
  type: service
  lifecycle: production
  owner: team-payments # since the move
`;
const moved = (name: string) => descriptor(name).replace('owner: team-payments', 'owner: group:default/team-platform');

const AMARA = slackId('amara-okafor'); // team-payments
const PAYMENTS = 'group:default/team-payments';
const PLATFORM = 'group:default/team-platform';
const SETTINGS: Settings = { ...NO_SETTINGS, attestation: attestationSettings({}) };
const BEANS = 'component:default/beans-api';
const GRINDER = 'component:default/grinder';
const KETTLE = 'component:default/kettle';

const text = (call: { args: Record<string, unknown> } | { body: Record<string, unknown> }) => {
  const m = 'args' in call ? call.args : call.body;
  return JSON.stringify(m.blocks ?? []) + String(m.text ?? '');
};

function buttonFor(call: EmulatorCall, ref: string, label: string): string {
  const blocks = (call.args.blocks as { type: string; text?: { text: string }; elements?: { text?: { text: string }; value?: string }[] }[]) ?? [];
  let seen = false;
  for (const b of blocks) {
    if (b.type === 'section' && b.text?.text.includes(ref)) seen = true;
    if (seen && b.type === 'actions') for (const e of b.elements ?? []) if (e.text?.text.startsWith(label) && e.value) return e.value;
  }
  throw new Error(`no ${label} button for ${ref} in ${text(call).slice(0, 400)}`);
}

async function until<T>(get: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  for (const end = Date.now() + timeoutMs; ; await new Promise((r) => setTimeout(r, 50))) {
    const v = await get().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('condition not met in time');
  }
}

/** Whether a bare repository has the branch, as the hosts' APIs check a pull request's head. */
const hasBranch = (bare: string, branch: string) => {
  try {
    execFileSync('git', ['--git-dir', bare, 'rev-parse', '--verify', '--quiet', `refs/heads/${branch}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

/** Clicks Not ours on `ref` and names team-platform in the picker, as Amara; `twice` submits the form a second time. */
async function disownAs(h: Harness, ask: EmulatorCall, where: { channel: string; ts: string }, ref: string, twice = false) {
  const earlier = new Set(h.emu.callsTo('views.open'));
  await h.click(AMARA, buttonFor(ask, ref, 'Not ours'), where);
  const opened = await h.emu.waitFor('views.open', (c) => !earlier.has(c) && (c.args.view as { callback_id?: string }).callback_id === 'sb:attest-owner');
  const view = opened.args.view as Record<string, unknown>;
  const stored = [...h.emu.views.values()].filter((v) => v.private_metadata === view.private_metadata).at(-1);
  expect((await h.submit(AMARA, { ...view, id: stored?.id }, { owner: PLATFORM })).status).toBe(200);
  if (twice) expect((await h.submit(AMARA, { ...view, id: stored?.id }, { owner: PLATFORM })).status).toBe(200);
}

/** Where the round's ask was posted, as the bot recorded it in the shared state. */
async function postedAt(h: Harness): Promise<{ channel: string; ts: string }> {
  const truth = openTruth(h.env.SWITCHBOARD_DB as string);
  try {
    const message = await until(async () => (await truth.ask(roundName(new Date(), 'quarterly'), PAYMENTS))?.messages[0]);
    const { conversation, message: ts } = parseRef(message);
    return { channel: conversation, ts: ts as string };
  } finally {
    truth.close();
  }
}

describeWithTemporal('"Not ours" opens a pull request, on a real Temporal server', () => {
  let env: TestWorkflowEnvironment;
  let h: Harness;
  let tree: TempTree;
  let daemon: GitDaemon;
  let github: GitHubEmulator;
  let gitlab: GitLabEmulator;
  let ask: EmulatorCall;
  let where: { channel: string; ts: string };
  const served = () => tree.path('served');

  beforeAll(async () => {
    env = await startTemporal();
    tree = tempTree('switchboard-pr-');
    createRepo(served(), 'payments/beans', { 'catalog-info.yaml': descriptor('beans-api') });
    createRepo(served(), 'platform/tools/grinder', { 'catalog-info.yaml': descriptor('grinder') });
    daemon = await startGitDaemon(served(), { push: true });
    github = await startGitHubEmulator({
      repos: [{ owner: 'payments', name: 'beans' }],
      branchExists: (r, branch) => hasBranch(`${served()}/${r.owner}/${r.name}.git`, branch),
    });
    gitlab = await startGitLabEmulator({
      projects: [{ path: 'platform/tools/grinder' }],
      branchExists: (project, branch) => hasBranch(`${served()}/${project}.git`, branch),
    });
    // A repository inside a listed folder, not itself listed: its descriptor is read, but not the bot's to change.
    const kettleRemote = tree.path('kettle.git');
    mkdirSync(kettleRemote, { recursive: true });
    await git(kettleRemote, 'init', '--quiet', '--bare', '--initial-branch=main');
    const kettle = tree.path('unlisted/kettle');
    await git(tree.path('.'), 'clone', '--quiet', kettleRemote, kettle);
    writeFileSync(`${kettle}/catalog-info.yaml`, descriptor('kettle'));
    await git(kettle, 'add', 'catalog-info.yaml');
    await git(kettle, 'commit', '--quiet', '-m', 'kettle');
    await git(kettle, 'push', '--quiet', 'origin', 'HEAD:main');

    h = await startHarness({
      temporalAddress: env.connection.options.address,
      taskQueue: `pr-${randomUUID()}`,
      settings: SETTINGS,
      tree,
      env: {
        // Only the people and teams of the sample catalog: team-payments owns just these three.
        SWITCHBOARD_CATALOG: `${SAMPLE_CATALOG}org,${tree.path('unlisted')}`,
        // The same daemon under two names: 127.0.0.1 is the GitHub API's host, localhost the GitLab API's.
        SWITCHBOARD_CATALOG_GIT: `${daemon.url('payments/beans')},git://localhost:${daemon.port}/platform/tools/grinder.git`,
        GITHUB_TOKEN: github.token,
        GITHUB_API_URL: github.url,
        GITLAB_TOKEN: gitlab.token,
        GITLAB_API_URL: gitlab.url.replace('127.0.0.1', 'localhost'),
      },
    });
    const schedule = env.client.schedule.getHandle(`attestation/${PAYMENTS}`);
    await until(async () => (await schedule.describe()).scheduleId);
    await schedule.trigger();
    ask = await h.emu.waitFor('chat.postMessage', (c) => c.args.channel === '#team-payments' && text(c).includes('Still yours?'), 30_000);
    where = await postedAt(h);
  }, 120_000);
  afterAll(async () => {
    await h?.stop();
    await github?.close();
    await gitlab?.close();
    await daemon?.stop();
    await env?.teardown();
  });

  const disown = (ref: string, twice = false) => disownAs(h, ask, where, ref, twice);

  it('opens exactly one pull request from the pushed branch into main, once, even when the form is submitted twice', async () => {
    expect(text(ask)).toContain(BEANS);
    await disown(BEANS, true);
    const branch = branchFor(BEANS, PLATFORM);
    const url = 'https://github.test/payments/beans/pull/1';
    // The ask, edited in place once the pull request is open.
    await h.emu.waitFor('chat.update', (c) => c.args.ts === where.ts && text(c).includes(url), 30_000);
    expect(github.pulls).toEqual([expect.objectContaining({ owner: 'payments', repo: 'beans', head: branch, base: 'main', state: 'open', html_url: url })]);
    expect(github.pulls[0]?.title).toBe('Set the owner of component-default-beans-api to group-default-team-platform');
    const post = github.requests.find((r) => r.method === 'POST')!;
    expect(post.headers['x-github-api-version']).toBe('2022-11-28');
    // The branch holds one commit on main that changes the one line.
    const bare = `${served()}/payments/beans.git`;
    expect(await git(bare, 'rev-list', '--count', `main..${branch}`)).toBe('1');
    expect(await git(bare, 'show', `refs/heads/${branch}:catalog-info.yaml`)).toBe(moved('beans-api').trimEnd());
    expect(await git(bare, 'show', 'refs/heads/main:catalog-info.yaml')).toBe(descriptor('beans-api').trimEnd());
    const run = (await env.client.workflow.getHandle(ownerChangeWorkflowId(BEANS, PLATFORM)).result()) as OwnerChangeResult;
    expect(run.opened.change).toBe(url);
    await h.command(AMARA, '/whoowns', 'beans-api');
    const card = await h.emu.waitForResponse((r) => text(r).includes('pending change') && text(r).includes(url));
    expect(text(card)).toMatch(/Payments says this is not theirs; proposed owner: .*Platform/);
  });

  it('finds the open pull request when the change runs again (a retried activity), and keeps the branch when the API fails', async () => {
    const file = (await until(async () => h.app.catalog.whoOwns('beans-api').freshness?.source)) as string;
    const entity = { kind: 'component', namespace: 'default', name: 'beans-api', ref: BEANS };
    const pullRequests = createPullRequests({ github: { apiUrl: github.url, token: github.token } });
    const writable = () => true;
    const again = await proposeOwnerChange({ file, entity, owner: PLATFORM, by: 'Amara Okafor', writable, pullRequests });
    expect(again).toMatchObject({ change: 'https://github.test/payments/beans/pull/1', pushed: false, base: 'main' });
    expect(github.pulls).toHaveLength(1);

    github.fail(502);
    const warned: string[] = [];
    const other = await proposeOwnerChange({
      file,
      entity,
      owner: 'group:default/team-identity',
      by: 'Amara Okafor',
      writable,
      pullRequests,
      warn: (err) => warned.push(String(err)),
    });
    const branch = branchFor(BEANS, 'group:default/team-identity');
    expect(other).toMatchObject({ change: `${daemon.url('payments/beans')}@${branch}`, pushed: true });
    expect(warned).toEqual([expect.stringContaining('GitHub failed (502)')]);
    expect(warned[0]).not.toContain(github.token);
    expect(github.pulls).toHaveLength(1);

    // A run for an answer that was replaced since (here: one naming another team) changes nothing.
    const truth = openTruth(h.env.SWITCHBOARD_DB as string);
    try {
      const activities = createOwnerChangeActivities({
        catalog: h.app.catalog,
        truth,
        answers: { view: async () => null },
        notifiers: {},
        writable,
        pullRequests,
      });
      const stale = { entityRef: BEANS, owner: 'group:default/team-storefront', by: 'Amara Okafor', round: 'r', team: PAYMENTS };
      expect(await activities.openOwnerChange(stale)).toEqual({ change: null, skipped: 'superseded' });
      expect(hasBranch(`${served()}/payments/beans.git`, branchFor(BEANS, 'group:default/team-storefront'))).toBe(false);
      expect((await truth.attestations([BEANS])).get(BEANS)?.change).toBe('https://github.test/payments/beans/pull/1');
    } finally {
      truth.close();
    }
  });

  it('opens a merge request on GitLab for a remote on its host', async () => {
    await disown(GRINDER);
    const branch = branchFor(GRINDER, PLATFORM);
    const mr = await gitlab.waitForMergeRequest((m) => m.source_branch === branch, 30_000);
    expect(mr).toMatchObject({ project: 'platform/tools/grinder', target_branch: 'main', remove_source_branch: true, state: 'opened' });
    await h.emu.waitFor('chat.update', (c) => c.args.ts === where.ts && text(c).includes(mr.web_url), 30_000);
    expect(await git(`${served()}/platform/tools/grinder.git`, 'show', `refs/heads/${branch}:catalog-info.yaml`)).toBe(moved('grinder').trimEnd());
    expect(gitlab.mergeRequests).toHaveLength(1);
    expect(github.pulls).toHaveLength(1);
    await h.command(AMARA, '/whoowns', 'grinder');
    await h.emu.waitForResponse((r) => text(r).includes('pending change') && text(r).includes(mr.web_url));
  });

  it('leaves a descriptor in a repository that is not a listed source as a pending claim: no workflow, no push, no pull request', async () => {
    const before = h.emu.callsTo('chat.update').length;
    const requests = github.requests.length + gitlab.requests.length;
    await disown(KETTLE);
    // The click's own edit of the ask: by then the answer is recorded and nothing was started.
    await h.emu.waitFor('chat.update', (c) => h.emu.callsTo('chat.update').indexOf(c) >= before && c.args.ts === where.ts, 20_000);
    const truth = openTruth(h.env.SWITCHBOARD_DB as string);
    try {
      expect((await truth.attestations([KETTLE])).get(KETTLE)).toMatchObject({ verdict: 'disowned', proposedOwner: PLATFORM, change: null });
    } finally {
      truth.close();
    }
    await expect(env.client.workflow.getHandle(ownerChangeWorkflowId(KETTLE, PLATFORM)).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
    expect(await git(tree.path('kettle.git'), 'for-each-ref', '--format=%(refname)', 'refs/heads/')).toBe('refs/heads/main');
    expect(github.requests.length + gitlab.requests.length).toBe(requests);
    await h.command(AMARA, '/whoowns', 'kettle');
    await h.emu.waitForResponse((r) => text(r).includes('pending claim: its descriptor is not in a writable repository'));
  });
});

describeWithTemporal('"Not ours" with no worker running between the click and the push', () => {
  let env: TestWorkflowEnvironment;
  let h: Harness;
  let tree: TempTree;
  let daemon: GitDaemon;
  let github: GitHubEmulator;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    env = await startTemporal();
    tree = tempTree('switchboard-pr-durable-');
    createRepo(tree.path('served'), 'payments/beans', { 'catalog-info.yaml': descriptor('beans-api') });
    daemon = await startGitDaemon(tree.path('served'), { push: true });
    github = await startGitHubEmulator({ repos: [{ owner: 'payments', name: 'beans' }] });
    // A local root that is a clone of the served repository: its origin is on the GitHub API's host.
    await git(tree.path('.'), 'clone', '--quiet', daemon.url('payments/beans'), tree.path('beans'));
    // The bot alone: the worker is a process of its own, as `switchboard worker` deploys it.
    h = await startHarness({
      temporalAddress: env.connection.options.address,
      taskQueue: `pr-durable-${randomUUID()}`,
      mode: 'bot',
      tree,
      env: { SWITCHBOARD_CATALOG: `${SAMPLE_CATALOG}org,${tree.path('beans')}`, GITHUB_TOKEN: github.token, GITHUB_API_URL: github.url },
    });
  }, 120_000);
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await h?.stop();
    await github?.close();
    await daemon?.stop();
    await env?.teardown();
  });

  const startWorker = async () => {
    const child = (await startProcess('worker', 'worker', { ...h.env, PORT: '0' }, /worker running/)).child;
    children.push(child);
    return child;
  };

  it('keeps the change waiting in Temporal, and opens it once a worker is back', async () => {
    const first = await startWorker();
    await env.client.workflow.start('attestationRound', {
      taskQueue: h.env.TEMPORAL_TASK_QUEUE as string,
      workflowId: `attestation/${PAYMENTS}/${randomUUID()}`,
      args: [{ team: PAYMENTS, period: 'quarterly', remindAfterMs: 7 * 86_400_000 }],
    });
    const ask = await h.emu.waitFor('chat.postMessage', (c) => c.args.channel === '#team-payments' && text(c).includes('Still yours?'), 30_000);
    const where = await postedAt(h);
    first.kill('SIGKILL');
    await exited(first);

    await disownAs(h, ask, where, BEANS);
    // The click's own edit of the ask: the answer is recorded, and the change's workflow started.
    await h.emu.waitFor('chat.update', (c) => c.args.ts === where.ts && text(c).includes('pending claim'), 20_000);
    const handle = env.client.workflow.getHandle(ownerChangeWorkflowId(BEANS, PLATFORM));
    expect((await handle.describe()).status.name).toBe('RUNNING');
    const branch = branchFor(BEANS, PLATFORM);
    const bare = tree.path('served/payments/beans.git');
    expect(hasBranch(bare, branch)).toBe(false);
    expect(github.pulls).toHaveLength(0);

    await startWorker();
    const run = (await handle.result()) as OwnerChangeResult;
    const url = 'https://github.test/payments/beans/pull/1';
    expect(run).toEqual({ opened: { change: url }, shown: { edited: 1 } });
    await h.emu.waitFor('chat.update', (c) => c.args.ts === where.ts && text(c).includes(url), 30_000);
    expect(github.pulls.map((p) => [p.head, p.base])).toEqual([[branch, 'main']]);
    expect(await git(bare, 'show', `refs/heads/${branch}:catalog-info.yaml`)).toBe(moved('beans-api').trimEnd());
  }, 120_000);
});
