/**
 * `npm run bench:oncall`: who is on call, asked through the application's providers (src/oncall/table.ts,
 * the same cache and HTTP client as the bot) against the PagerDuty emulator on loopback, with a cold cache
 * (each service asked for the first time: `GET /services/{id}` then `GET /oncalls`) and a warm one (the
 * same services asked again within the cache's life), beside a floor: one bare HTTP round trip to the same
 * emulator (`GET /users/{id}`, the cheapest authenticated call). A cold lookup costs two round trips and
 * the JSON of the answers; a warm one costs no call at all. The emulator runs in this process, as the
 * floor's does. Writes bench/results/oncall.{json,md}.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createOnCallProviders } from '../src/oncall/table.js';
import type { OnCallSubject } from '../src/oncall/contract.js';
import { startPagerDutyEmulator, type PdAccount } from '../src/testing/pagerduty-emulator.js';
import { budgetTableMarkdown, machineInfo, printBudgetTable } from './budget-table.js';
import { fmtMs, stats, type Stats } from './stats.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const RESULTS = join(HERE, 'results');
/** Services asked cold: each is two calls, kept under PagerDuty's 960 a minute that the client enforces. */
const SERVICES = Number(process.env.BENCH_SERVICES ?? 300);
const WARM_ROUNDS = 20;
const WARM_BUDGET_MS = 5;

function account(): PdAccount {
  const start = new Date(Date.now() - 3_600_000).toISOString();
  const a: PdAccount = { users: [], schedules: [], escalationPolicies: [], services: [] };
  for (let i = 0; i < SERVICES; i++) {
    a.users.push(
      { id: `PU${i}`, name: `Person ${i}`, email: `person${i}@example.com` },
      { id: `PV${i}`, name: `Backup ${i}`, email: `backup${i}@example.com` },
    );
    a.schedules.push({ id: `PS${i}`, name: `Rotation ${i}`, time_zone: 'UTC', rotation: { userIds: [`PU${i}`, `PV${i}`], start, shiftHours: 24 } });
    a.escalationPolicies.push({
      id: `PE${i}`,
      name: `Policy ${i}`,
      rules: [{ targets: [{ type: 'schedule_reference', id: `PS${i}` }] }, { targets: [{ type: 'user_reference', id: `PV${i}` }] }],
    });
    a.services.push({ id: `PSVC${i}`, name: `service-${i}`, escalationPolicyId: `PE${i}` });
  }
  return a;
}

async function main() {
  const loadBefore = os.loadavg()[0] ?? 0;
  const pd = await startPagerDutyEmulator({ account: account(), rateLimitPerMinute: 1_000_000 });
  const providers = createOnCallProviders(
    { PAGERDUTY_API_TOKEN: pd.token, PAGERDUTY_API_URL: pd.url, OPSGENIE_API_KEY: undefined, OPSGENIE_API_URL: 'https://api.opsgenie.com' },
    { personByEmail: () => null, scheduleOnCall: () => [] },
  );
  const subjects: OnCallSubject[] = Array.from({ length: SERVICES }, (_, i) => ({
    ref: `component:default/service-${i}`,
    annotations: { 'pagerduty.com/service-id': `PSVC${i}` },
    ownerRef: null,
  }));
  const headers = { authorization: `Token token=${pd.token}`, accept: 'application/vnd.pagerduty+json;version=2' };

  // Warm-up of the HTTP stack and the JIT on the floor's path, not on anything measured.
  for (let i = 0; i < 50; i++) await (await fetch(`${pd.url}/users/PU${i % SERVICES}`, { headers })).json();

  const time = async (fn: () => Promise<unknown>, samples: number[]) => {
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
  };
  const floor: number[] = [];
  for (let i = 0; i < SERVICES; i++) await time(async () => (await fetch(`${pd.url}/users/PU${i}`, { headers })).json(), floor);

  const cold: number[] = [];
  for (const s of subjects) {
    await time(async () => {
      const r = await providers.lookup(s, new Date());
      if (r.onCall.length !== 1 || r.unknown.length) throw new Error(`cold lookup of ${s.ref} gave ${JSON.stringify(r)}`);
    }, cold);
  }
  const callsAfterCold = pd.restCalls();
  const warm: number[] = [];
  for (let round = 0; round < WARM_ROUNDS; round++) {
    for (const s of subjects) await time(() => providers.lookup(s, new Date()), warm);
  }
  if (pd.restCalls() !== callsAfterCold) throw new Error('a warm lookup called PagerDuty');
  await pd.close();

  const f = stats(floor);
  const c = stats(cold);
  const w = stats(warm);
  const machine = machineInfo(loadBefore);
  const rows = (label: string, s: Stats, budget: string, ok: string): string[][] => [
    [`${label} p50`, fmtMs(s.p50), '', ''],
    [`${label} p99`, fmtMs(s.p99), budget, ok],
  ];
  const table = [
    ...rows('floor: one HTTP round trip', f, '', ''),
    ...rows('cold cache lookup (2 calls)', c, '', ''),
    ...rows('warm cache lookup', w, `≤ ${WARM_BUDGET_MS} ms`, w.p99 <= WARM_BUDGET_MS ? 'ok' : 'OVER'),
  ];
  const heading = 'bench:oncall — on-call provider lookup (PagerDuty emulator on loopback)';
  const note = `${SERVICES} services asked cold once each, then warm ${WARM_ROUNDS} times each (${w.n} warm lookups); floor: ${f.n} bare GET /users/{id}.`;
  printBudgetTable(heading, machine, note, table);
  const md = [
    ...budgetTableMarkdown(heading, machine, note, table),
    '',
    'A cold lookup is what the first card for a service pays: `GET /services/{id}?include[]=escalation_policies` then ' +
      '`GET /oncalls?escalation_policy_ids[]=…&include[]=users`, through the same client as the bot (timeout, rate budget, ' +
      'back-off), so about two floors. A warm lookup is answered from the cache (until the earliest shift ends or 60 s) ' +
      'and calls nothing; the run checks that no warm lookup reached the emulator. The emulator runs in this process.',
    '',
  ].join('\n');
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(
    join(RESULTS, 'oncall.json'),
    `${JSON.stringify({ generatedAt: new Date().toISOString(), machine, services: SERVICES, floor: f, cold: c, warm: w, budgets: { warmP99Ms: WARM_BUDGET_MS } }, null, 2)}\n`,
  );
  writeFileSync(join(RESULTS, 'oncall.md'), md);
  console.log('\nWrote bench/results/oncall.json and .md');
}

await main();
