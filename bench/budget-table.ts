/**
 * The machine a benchmark ran on and its table of metrics against budgets, printed to the terminal and
 * written as the head of its bench/results/*.md, the same for every benchmark that has one.
 */
import os from 'node:os';
import { MB } from './stats.js';

export interface Machine {
  node: string;
  platform: string;
  cpu: string;
  cores: number;
  availableParallelism: number;
  totalMemoryMB: number;
  loadAverage1m: { before: number; after: number };
}

/** The machine now; `loadBefore` is the 1-minute load average taken when the run started. */
export function machineInfo(loadBefore: number): Machine {
  const cpus = os.cpus();
  return {
    node: process.version,
    platform: `${process.platform} ${os.release()} ${process.arch}`,
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    availableParallelism: os.availableParallelism(),
    totalMemoryMB: Math.round(os.totalmem() / MB),
    loadAverage1m: { before: loadBefore, after: os.loadavg()[0] ?? 0 },
  };
}

const HEADER = ['Metric', 'Result', 'Budget', 'Status'];

/** Prints the heading, the machine and the rows (metric, result, budget, status) as aligned columns. */
export function printBudgetTable(heading: string, machine: Machine, scaleNote: string, rows: string[][]): void {
  const widths = [0, 1, 2, 3].map((c) => Math.max(...[HEADER, ...rows].map((r) => (r[c] ?? '').length)));
  const line = (r: string[]) => r.map((cell, c) => cell.padEnd(widths[c] as number)).join('  ');
  const load = `load ${machine.loadAverage1m.before.toFixed(2)} → ${machine.loadAverage1m.after.toFixed(2)}`;
  console.log(`\n${heading}\n${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, ${load}${scaleNote ? `\n${scaleNote}` : ''}\n`);
  console.log(line(HEADER));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}

/** The same as the first lines of a results page (Markdown), ending after the table. */
export function budgetTableMarkdown(heading: string, machine: Machine, scaleNote: string, rows: string[][]): string[] {
  return [
    `# ${heading}`,
    '',
    `${machine.cpu}, ${machine.cores} cores, ${machine.totalMemoryMB} MB RAM, Node ${machine.node}, ${machine.platform}. ` +
      `Load average (1 min) ${machine.loadAverage1m.before.toFixed(2)} before, ${machine.loadAverage1m.after.toFixed(2)} after. ${new Date().toISOString()}`,
    ...(scaleNote ? ['', scaleNote] : []),
    '',
    `| ${HEADER.join(' | ')} |`,
    '| --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ];
}
