import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithTemporal, startTemporal } from '../testing/temporal.js';
import { dropSchedules, keepSchedule } from './schedules.js';

describeWithTemporal('kept schedules', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await startTemporal();
  }, 120_000);
  afterAll(() => env?.teardown());

  const schedule = (every: '1 day' | '7 days') => ({
    scheduleId: 'digest/group:default/team-payments',
    spec: { intervals: [{ every }] },
    workflowType: 'weeklyDigest',
    args: ['group:default/team-payments'],
    taskQueue: 'switchboard-schedules-test',
  });

  it('makes a schedule once, then updates it in place', async () => {
    await keepSchedule(env.client, schedule('7 days'));
    await keepSchedule(env.client, schedule('1 day'));
    const described = await env.client.schedule.getHandle('digest/group:default/team-payments').describe();
    expect(described.spec.intervals?.map((i) => i.every)).toEqual([86_400_000]);
    expect(described.action).toMatchObject({ type: 'startWorkflow', workflowType: 'weeklyDigest', args: ['group:default/team-payments'] });
  });

  it('drops the schedules under a prefix that are no longer kept', async () => {
    await keepSchedule(env.client, { ...schedule('7 days'), scheduleId: 'digest/group:default/team-gone' });
    const dropped = await dropSchedules(env.client, 'digest/', new Set(['digest/group:default/team-payments']));
    expect(dropped).toEqual(['digest/group:default/team-gone']);
  });
});
