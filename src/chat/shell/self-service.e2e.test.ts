/**
 * The terminal chat runs the same self-service as Slack: a request, the DMs printed for the
 * approvers, `/as` to play one of them, `/approve`, and the progress, on a real Temporal server.
 */
import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Harness, startHarness } from '../../testing/harness.js';
import { describeWithTemporal, startTemporal } from '../../testing/temporal.js';
import { runShell } from './shell.js';

describeWithTemporal('self-service in the terminal chat', () => {
  let temporal: TestWorkflowEnvironment;
  let h: Harness;
  const output = new PassThrough();
  let printed = '';
  output.on('data', (d: Buffer) => (printed += d.toString()));

  beforeAll(async () => {
    temporal = await startTemporal();
    h = await startHarness({ temporalAddress: temporal.address, taskQueue: `shell-${randomUUID()}`, shellOutput: output });
  }, 120_000);

  afterAll(async () => {
    await h?.stop();
    await temporal?.teardown();
  });

  const until = async (needle: string | RegExp, ms = 20_000) => {
    const deadline = Date.now() + ms;
    while (!(typeof needle === 'string' ? printed.includes(needle) : needle.test(printed))) {
      if (Date.now() > deadline) throw new Error(`not printed within ${ms} ms: ${String(needle)}\n--- output ---\n${printed.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  it('requests a service, approves it as someone else, and shows it done and in the catalog', async () => {
    const input = new PassThrough();
    const session = runShell({ conversation: h.app.conversation, input, output, interactive: false, color: false, person: h.app.person });
    input.write('/create-service teacup\n');
    await until('Send: /create-service');
    expect(printed).toMatch(/\* owner=…/);

    input.write('/create-service teacup owner=team-payments system=payments\n');
    await until('DM to Noah Fischer');
    input.write('/approve create-service/teacup\n');
    await until('You cannot approve your own request');
    input.write('/as noah-fischer\n');
    await until('You are now acting as Noah Fischer');
    input.write('/approve create-service/teacup\n');
    await until(/is done \(\d/);
    input.write('/switchboard status create-service/teacup\n');
    await until('✅ Register the service in the catalog');
    input.write('/whoowns teacup\n');
    input.end();
    await session;
    expect(printed).toContain('team-payments');
    expect(h.app.catalog.whoOwns('teacup').status).toBe('found');
  });
});
