/**
 * Short, readable terminal output for the CLI's answers and ingest reports. Everything printed passes
 * through terminalText: names, titles, links and problem messages come from descriptors, and a
 * descriptor must not be able to clear a screen, retitle a terminal or reorder a line.
 */
import {
  type CandidateSummary,
  type DepsAnswer,
  displayLocation,
  type IngestReport,
  type OnCall,
  type Owner,
  type RunbookAnswer,
  type WhoOwnsAnswer,
} from '../catalog/index.js';
import { terminalText } from '../conversation/safe-text.js';
import { plain } from '../conversation/reply.js';
import { verificationText } from '../conversation/verification.js';

const label = (name: string) => name.padEnd(10);

const UNITS: [name: string, ms: number][] = [
  ['year', 365 * 86_400_000],
  ['month', 30 * 86_400_000],
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
  ['second', 1_000],
];

/**
 * How far `later` is from `now` in the largest whole unit it reaches, rounded: "5 days", "1 hour" — as
 * date-fns' formatDistanceStrict says it, in UTC (no local DST shift). Written here because loading that one
 * function costs a CLI call about 35 ms (Node parses date-fns' 200 kB package.json exports map for it).
 */
export function timeUntil(later: Date, now: Date): string {
  const ms = Math.abs(later.getTime() - now.getTime());
  const [name, size] = UNITS.find(([, size]) => ms >= size) ?? ['second', 1_000];
  // 11.6 months rounds to 12, which is said as a year.
  const [unit, count] = name === 'month' && Math.round(ms / size) === 12 ? ['year', 1] : [name, Math.round(ms / size)];
  return `${count} ${unit}${count === 1 ? '' : 's'}`;
}

function candidatesText(query: string, status: string, candidates: CandidateSummary[]): string {
  if (status === 'ambiguous') {
    return [`"${query}" matches several entities. Did you mean:`, ...candidates.map((c, i) => `  ${i + 1}. ${c.name}  (${c.ref})`)].join('\n');
  }
  const lines = [`Nothing in the catalog matches "${query}".`];
  if (candidates.length) lines.push(`Nearest: ${candidates.map((c) => c.name).join(', ')}`);
  lines.push('To register a service, add a catalog-info.yaml to its repository (see docs/catalog-format.md) and ingest it.');
  return lines.join('\n');
}

function ownerLines(owner: Owner | null): string[] {
  if (!owner) return [`${label('Owner')}nobody: no spec.owner, system owner or CODEOWNERS rule`];
  const parts = [`${owner.displayName} (${owner.ref})`];
  if (owner.email) parts.push(owner.email);
  if (owner.slackChannel) parts.push(owner.slackChannel);
  const notes: string[] = [];
  if (owner.inherited) notes.push(`inherited via ${owner.via}`);
  if (!owner.resolved) notes.push('not in the catalog');
  const lines = [`${label('Owner')}${parts.join(' · ')}${notes.length ? `  [${notes.join(', ')}]` : ''}`];
  if (owner.members.length) lines.push(`${label('')}members: ${owner.members.map((m) => m.displayName).join(', ')}`);
  return lines;
}

function onCallLines(onCall: OnCall[], now: Date, unknown: { reason: string }[] = []): string[] {
  if (!onCall.length && !unknown.length) return [`${label('On call')}no schedule`];
  const from = (source: string) => (source.startsWith('pagerduty:') ? ' · PagerDuty' : source.startsWith('opsgenie:') ? ' · Opsgenie' : '');
  return [
    ...onCall.map((o) => {
      const until = o.until ? `until ${o.until.slice(0, 16).replace('T', ' ')} UTC (${timeUntil(new Date(o.until), now)})` : 'open-ended';
      return `${o.displayName} — ${o.rotation}${o.override ? ' (override)' : ''}, ${until}${from(o.source)}`;
    }),
    ...unknown.map((u) => `unknown — ${u.reason}`),
  ].map((line, i) => `${label(i === 0 ? 'On call' : '')}${line}`);
}

function renderWhoOwnsText(a: WhoOwnsAnswer, now = new Date()): string {
  if (a.status !== 'found' || !a.entity) return candidatesText(a.query, a.status, a.candidates);
  const e = a.entity;
  const kindLine = [e.kind, e.type, e.lifecycle].filter(Boolean).join(' · ');
  const lines = [`${e.title ?? e.name}  (${e.ref})`, `${label('')}${kindLine}${e.system ? ` · part of ${e.system}` : ''}`];
  lines.push(...ownerLines(a.owner));
  lines.push(...onCallLines(a.onCall, now, a.onCallUnknown));
  lines.push(`${label('Runbook')}${a.runbook ? a.runbook.url : 'none recorded'}`);
  for (const l of a.links.filter((l) => l.url !== a.runbook?.url)) lines.push(`${label(l.type)}${l.title}: ${l.url}`);
  if (a.dependencies) {
    const d = a.dependencies;
    lines.push(
      `${label('Deps')}depends on ${d.dependsOn} · ${d.dependents} direct dependents · blast radius ${d.blastRadius}${d.blastRadiusCapped ? '+' : ''}`,
    );
  }
  if (a.freshness) lines.push(freshnessLine(a.freshness));
  lines.push(...verificationLines(a, now));
  return lines.join('\n');
}

/** "Verified 12 days ago by …" / "Never verified by its owner", as the chat card says it (absent: not read). */
function verificationLines(a: Pick<WhoOwnsAnswer, 'verification' | 'owner'>, now: Date): string[] {
  const text = verificationText(a.verification, a.owner, now);
  return text ? [`${label('')}${plain(text)}`] : [];
}

function freshnessLine(f: { ingestedAt: string; source: string; line: number; stale: boolean }): string {
  return `${label('As of')}${f.ingestedAt.slice(0, 16).replace('T', ' ')} UTC from ${f.source}${f.line ? `:${f.line}` : ''}${f.stale ? '  [STALE: its source failed to ingest since]' : ''}`;
}

function renderRunbookText(a: RunbookAnswer, now = new Date()): string {
  if (a.status !== 'found' || !a.entity) return candidatesText(a.query, a.status, a.candidates);
  const lines = [`${a.entity.title ?? a.entity.name}  (${a.entity.ref})`];
  lines.push(`${label('Runbook')}${a.runbook ? `${a.runbook.title}: ${a.runbook.url}` : 'none recorded — add the switchboard.dev/runbook annotation'}`);
  for (const l of a.links.filter((l) => l.url !== a.runbook?.url)) lines.push(`${label(l.type)}${l.title}: ${l.url}`);
  lines.push(...ownerLines(a.owner), ...onCallLines(a.onCall, now, a.onCallUnknown));
  if (a.freshness) lines.push(freshnessLine(a.freshness));
  lines.push(...verificationLines(a, now));
  return lines.join('\n');
}

function renderDepsText(a: DepsAnswer): string {
  if (a.status !== 'found' || !a.entity) return candidatesText(a.query, a.status, a.candidates);
  const node = (n: DepsAnswer['dependsOn'][number]) =>
    `${'  '.repeat(n.depth)}${n.name} (${n.ref})${n.viaApi ? ' via API' : ''}${n.resolved ? '' : ' [not in catalog]'}`;
  const lines = [`${a.entity.title ?? a.entity.name}  (${a.entity.ref}), depth ${a.depth}`];
  lines.push(`Depends on (${a.dependsOn.length}):`, ...(a.dependsOn.length ? a.dependsOn.map(node) : ['  nothing']));
  lines.push(`Dependents (${a.dependents.length}):`, ...(a.dependents.length ? a.dependents.map(node) : ['  nothing']));
  if (a.truncated) lines.push('(lists cut at 500 entries)');
  lines.push(`Blast radius: ${a.blastRadius}${a.blastRadiusCapped ? '+' : ''} entities depend on it, directly or not`);
  return lines.join('\n');
}

function renderIngestReportText(r: IngestReport): string {
  const s = r.sources;
  const e = r.entities;
  const lines = [
    `Ingested in ${(r.durationMs / 1000).toFixed(2)} s: ${s.read} sources read (${s.unchanged} unchanged), ${s.failed} with errors, ${s.removed} removed, ${s.ignored} ignored.`,
    `Entities: ${e.total} in catalog (+${e.added} added, ${e.updated} updated, -${e.removed} removed, ${e.stale} stale).`,
  ];
  if (r.problems.length) {
    lines.push(`Problems (${r.problems.length}):`);
    for (const p of r.problems) lines.push(`  ${displayLocation(p.location)}${p.line ? `:${p.line}` : ''}  ${p.message}`);
  }
  return lines.join('\n');
}

export const renderWhoOwns = (a: WhoOwnsAnswer, now = new Date()) => terminalText(renderWhoOwnsText(a, now));
export const renderRunbook = (a: RunbookAnswer, now = new Date()) => terminalText(renderRunbookText(a, now));
export const renderDeps = (a: DepsAnswer) => terminalText(renderDepsText(a));
export const renderIngestReport = (r: IngestReport) => terminalText(renderIngestReportText(r));
