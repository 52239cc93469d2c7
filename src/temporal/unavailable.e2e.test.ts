/**
 * When Temporal cannot be reached, lookups keep working and self-service answers that it is
 * unavailable and why; when Temporal comes back, the bot reconnects by itself (DESIGN.md, faults).
 */
import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { freePort, type Harness, slackId, startHarness } from '../testing/harness.js';
import { describeWithTemporal, temporalCli } from '../testing/temporal.js';

describeWithTemporal('Temporal down, then back', () => {
  let h: Harness;
  let port: number;
  let temporal: TestWorkflowEnvironment | undefined;

  beforeAll(async () => {
    port = await freePort();
    h = await startHarness({ temporalAddress: `127.0.0.1:${port}`, taskQueue: `down-${randomUUID()}`, mode: 'bot' });
  }, 60_000);

  afterAll(async () => {
    await h?.stop();
    await temporal?.teardown();
  });

  it('answers lookups, says self-service is unavailable, then reconnects when Temporal is back', async () => {
    const diego = slackId('diego-alvarez');
    await h.command(diego, '/whoowns', 'payments-api');
    const card = await h.emu.waitForResponse((r) => JSON.stringify(r.body).includes('Payments'), 5_000);
    expect(card.body.response_type).toBe('ephemeral');

    const asked = Date.now();
    await h.command(diego, '/provision', 'redis for ledger tier=staging');
    const down = await h.emu.waitForResponse((r) => JSON.stringify(r.body).includes('Self-service is unavailable'), 10_000);
    expect(JSON.stringify(down.body)).toContain(`127.0.0.1:${port}`);
    expect(down.at - asked).toBeLessThan(3_000);
    const health = (await (await fetch(`${h.baseUrl}/healthz`)).json()) as { status: string; components: { temporal: boolean } };
    expect(health).toMatchObject({ status: 'degraded', components: { temporal: false } });

    temporal = await TestWorkflowEnvironment.createLocal({ server: { executable: { type: 'existing-path', path: temporalCli() as string }, port } });
    // The client tries again a few seconds after a failure; no restart of the bot.
    const deadline = Date.now() + 20_000;
    let requested = false;
    while (!requested && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 1_000));
      const before = h.emu.responses.length;
      await h.command(diego, '/provision', 'redis for ledger tier=staging');
      const answer = await h.emu.waitForResponse((r) => h.emu.responses.indexOf(r) >= before, 10_000);
      requested = JSON.stringify(answer.body).includes('Requested');
    }
    expect(requested).toBe(true);
    // No worker runs in this bot-only process: the request waits on the server for one.
    const described = await temporal.client.workflow.getHandle('provision/ledger/redis/staging').describe();
    expect(described.status.name).toBe('RUNNING');
    expect(described.type).toBe('provisionResource');
  }, 90_000);
});
