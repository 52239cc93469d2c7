/** createService on a real Temporal dev server, with real git, a real catalog and the audit log. */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServiceActivities } from '../src/activities/create-service.js';
import { openAudit, type AuditLog } from '../src/audit/index.js';
import { openCatalog, type Catalog } from '../src/catalog/index.js';
import { SAMPLE_CATALOG, tempTree, type TempTree } from '../src/testing/fixtures.js';
import { bundleWorkflows, startTemporal, temporalCli } from '../src/testing/temporal.js';
import { createService, createServiceStatusQuery, voteUpdate } from './index.js';
import type { CreateServiceInput } from './create-service.js';

const TEMPLATES = fileURLToPath(new URL('../manifests/templates/', import.meta.url));

describe.skipIf(!temporalCli())('createService on a real Temporal server', () => {
  let env: TestWorkflowEnvironment;
  let tree: TempTree;
  let catalog: Catalog;
  let audit: AuditLog;
  let worker: Worker;
  let running: Promise<void>;
  const taskQueue = `create-service-${randomUUID()}`;

  beforeAll(async () => {
    tree = tempTree();
    catalog = openCatalog(tree.path('c.db'));
    await catalog.ingest([SAMPLE_CATALOG]);
    audit = openAudit(tree.path('c.db'));
    env = await startTemporal();
    const activities = createServiceActivities({ catalog, audit, templatesDir: TEMPLATES, gitRemote: tree.path('remotes'), registryDir: tree.path('registry') });
    worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: await bundleWorkflows(), activities });
    running = worker.run();
  }, 120_000);

  afterAll(async () => {
    worker?.shutdown();
    await running;
    await env?.teardown();
    audit?.close();
    catalog?.close();
    tree?.cleanup();
  });

  const request = (name: string, overrides: Partial<CreateServiceInput['values']> = {}): CreateServiceInput => ({
    requester: 'user:default/diego-alvarez',
    values: { name, owner: 'group:default/team-payments', system: 'system:default/payments', tier: 'tier2', template: 'node-service', ...overrides },
    policy: { requester: 'user:default/diego-alvarez', selfApproval: false, rules: [{ description: 'team-platform', required: 1, approvers: ['user:default/noah-fischer'] }] },
    timers: { expireAfterMs: 60_000 },
    thread: 'shell:test',
  });
  const start = (input: CreateServiceInput) =>
    env.client.workflow.start(createService, { taskQueue, workflowId: `create-service/${String(input.values.name)}`, args: [input], workflowIdConflictPolicy: 'USE_EXISTING' });

  it('pushes the repository and registers the component once approved, auditing every step', async () => {
    const handle = await start(request('beans-api'));
    expect((await handle.query(createServiceStatusQuery)).phase).toBe('awaiting-approval');
    await handle.executeUpdate(voteUpdate, { args: [{ approver: 'user:default/noah-fischer', decision: 'approve' }] });
    const result = await handle.result();
    expect(result.phase).toBe('succeeded');
    expect(result.steps.map((s) => s.state)).toEqual(['done', 'done']);

    const log = execFileSync('git', ['--git-dir', tree.path('remotes/beans-api.git'), 'log', '--format=%s', 'main'], { encoding: 'utf8' });
    expect(log.trim()).toBe('Create beans-api from the node-service template');
    const answer = catalog.whoOwns('beans-api');
    expect(answer.status).toBe('found');
    expect(answer.owner?.ref).toBe('group:default/team-payments');

    const events = audit.list({ workflowId: handle.workflowId }).map((r) => r.event);
    expect(events).toEqual(['requested', 'approved', 'step_started', 'step_succeeded', 'step_started', 'step_succeeded', 'completed']);
    expect(audit.verify().ok).toBe(true);
  });

  it('returns the running workflow for a repeated request instead of starting a second', async () => {
    const first = await start(request('grinder'));
    const again = await start(request('grinder'));
    expect(again.firstExecutionRunId).toBe(first.firstExecutionRunId);
    await first.executeUpdate(voteUpdate, { args: [{ approver: 'user:default/noah-fischer', decision: 'reject', reason: 'not now' }] });
    expect((await first.result()).phase).toBe('rejected');
    expect(existsSync(tree.path('remotes/grinder.git'))).toBe(false);
  });

  it('undoes the pushed repository when registration fails, and says so', async () => {
    const handle = await start(request('bad-owner', { owner: 'not a ref' }));
    await handle.executeUpdate(voteUpdate, { args: [{ approver: 'user:default/noah-fischer', decision: 'approve' }] });
    await expect(handle.result()).rejects.toThrow();
    const status = await handle.query(createServiceStatusQuery);
    expect(status.phase).toBe('failed');
    expect(status.steps.map((s) => s.state)).toEqual(['undone', 'failed']);
    expect(existsSync(tree.path('remotes/bad-owner.git'))).toBe(false);
    expect(audit.list({ workflowId: handle.workflowId }).map((r) => r.event)).toContain('compensated');
    expect(catalog.whoOwns('bad-owner').status).not.toBe('found');
  });
});
