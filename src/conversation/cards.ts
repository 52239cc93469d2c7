/** Catalog answers as replies: the ownership card, runbook, dependencies, did-you-mean and help. */
import type { CandidateSummary, DepsAnswer, Freshness, OnCall, Owner, RunbookAnswer, WhoOwnsAnswer } from '../catalog/index.js';
import { encodeAction } from './intents.js';
import { cannotPageText, pageButton } from './page.js';
import { verificationText } from './verification.js';
import type { Pageability } from '../paging/contract.js';
import { type Block, type Button, join, type Reply, type Text } from './reply.js';

const REGISTER_HINT: Text = [
  'Not in the catalog? Add a ',
  { code: 'catalog-info.yaml' },
  ' to the service’s repository (see docs/catalog-format.md) and it shows up at the next ingest.',
];

function time(iso: string): Text {
  return [{ time: iso, fallback: `${iso.slice(0, 16).replace('T', ' ')} UTC` }];
}

function ownerText(owner: Owner | null): Text {
  if (!owner) return ['nobody recorded'];
  const text: Text = [{ bold: owner.displayName }];
  if (owner.slackChannel) text.push(' ', { channel: owner.slackChannel });
  if (owner.inherited) text.push(` (via its ${owner.via})`);
  if (!owner.resolved) text.push(` — ${owner.ref} is not in the catalog`);
  return text;
}

/** Where an entry came from, for the card: `PagerDuty`, `Opsgenie`, or the Schedule's name. */
function sourceLabel(source: string): string {
  if (source.startsWith('pagerduty:')) return 'PagerDuty';
  if (source.startsWith('opsgenie:')) return 'Opsgenie';
  return source.replace(/^schedule:(default\/)?/, 'schedule ');
}

function onCallText(onCall: OnCall[], unknown: { reason: string }[] = []): Text {
  if (!onCall.length && !unknown.length) return ['no schedule'];
  // Say the source only when it is not just the catalog's Schedules: providers are why it can differ.
  const withSources = onCall.some((o) => !o.source.startsWith('schedule:')) || unknown.length > 0;
  return join(
    [
      ...onCall.map((o) => {
        const t: Text = [{ person: { ref: o.user, displayName: o.displayName, email: o.email, chatIds: o.chatIds } }];
        if (onCall.length > 1 || o.rotation !== 'primary') t.push(` (${o.rotation})`);
        if (o.until) t.push(' until ', ...time(o.until));
        if (withSources) t.push(` · ${sourceLabel(o.source)}`);
        return t;
      }),
      ...unknown.map((u): Text => [`unknown — ${u.reason}`]),
    ],
    '\n',
  );
}

function freshnessText(f: Freshness): Text {
  const text: Text = ['As of ', ...time(f.ingestedAt), ` from ${f.source}`];
  if (f.stale) text.push(' — ⚠️ stale: its source failed to ingest since');
  return text;
}

/** "As of <ingest> from <source> · Verified 12 days ago by …": what the catalog says, and whether its owner agrees. */
function freshnessBlocks(a: Pick<WhoOwnsAnswer, 'freshness' | 'verification' | 'owner'>, now: Date): Block[] {
  const verified = verificationText(a.verification, a.owner, now);
  if (!a.freshness && !verified) return [];
  const text: Text = a.freshness ? freshnessText(a.freshness) : [];
  if (verified) text.push(...(a.freshness ? [' · '] : []), ...verified);
  return [{ type: 'context', text }];
}

function linkItems(links: { url: string; title: string; type: string }[], skipUrl?: string): Text[] {
  return links.filter((l) => l.url !== skipUrl).map((l) => [{ link: l.url, text: l.title }, ` (${l.type})`]);
}

function entityHeader(e: NonNullable<WhoOwnsAnswer['entity']>): Block[] {
  const facts = [e.kind, e.type, e.lifecycle].filter(Boolean).join(' · ');
  const context: Text = [facts];
  if (e.system) context.push(` · part of ${e.system}`);
  context.push(' · ', { code: e.ref });
  return [
    { type: 'header', text: e.title ?? e.name },
    { type: 'context', text: context },
  ];
}

export interface CardOptions {
  /** Offer "Share in channel": the answer was private. */
  shareable: boolean;
  /** Offer "Page the on-call": the entity names a PagerDuty service or Opsgenie team (null: it names none). */
  page?: Pageability | null;
  /** What "verified 12 days ago" counts from; default now. */
  now?: Date;
}

export function whoOwnsCard(a: WhoOwnsAnswer, options: CardOptions): Reply {
  if (a.status !== 'found' || !a.entity) return candidatesCard(a.query, a.status, a.candidates, 'whoowns');
  const e = a.entity;
  const blocks: Block[] = [...entityHeader(e)];
  if (e.description) blocks.push({ type: 'section', text: [e.description] });
  const fields: { label: string; value: Text }[] = [
    { label: 'Owner', value: ownerText(a.owner) },
    { label: 'On call now', value: onCallText(a.onCall, a.onCallUnknown) },
    { label: 'Runbook', value: a.runbook ? [{ link: a.runbook.url, text: a.runbook.title }] : ['none recorded'] },
  ];
  if (a.dependencies) {
    const d = a.dependencies;
    fields.push({
      label: 'Blast radius',
      value: [`${d.blastRadius}${d.blastRadiusCapped ? '+' : ''} dependents in all · ${d.dependents} direct · depends on ${d.dependsOn}`],
    });
  }
  blocks.push({ type: 'fields', fields });
  if (a.owner?.members.length) {
    blocks.push({
      type: 'list',
      title: `${a.owner.displayName} members`,
      items: a.owner.members.map((m) => [{ person: m }]),
      more: a.owner.memberCount - a.owner.members.length,
    });
  }
  const links = linkItems(a.links, a.runbook?.url);
  if (links.length) blocks.push({ type: 'list', title: 'Links', items: links });
  blocks.push(...freshnessBlocks(a, options.now ?? new Date()));
  if (options.page?.problem) blocks.push({ type: 'context', text: cannotPageText(options.page) });
  const buttons: Button[] = [];
  if (options.shareable) buttons.push({ action: encodeAction({ kind: 'share', query: e.ref }), label: 'Share in channel', style: 'primary' });
  buttons.push({ action: encodeAction({ kind: 'deps', query: e.ref, depth: 1 }), label: 'Dependencies' });
  if (options.page && !options.page.problem) buttons.push(pageButton(e.ref));
  blocks.push({ type: 'actions', buttons });
  const ownerName = a.owner ? a.owner.displayName : 'nobody';
  return { summary: `${e.title ?? e.name} is owned by ${ownerName}`, blocks, visibility: options.shareable ? 'private' : 'channel' };
}

export function runbookCard(a: RunbookAnswer, now = new Date()): Reply {
  if (a.status !== 'found' || !a.entity) return candidatesCard(a.query, a.status, a.candidates, 'runbook');
  const blocks: Block[] = [...entityHeader(a.entity)];
  blocks.push({
    type: 'section',
    text: a.runbook
      ? ['📕 ', { link: a.runbook.url, text: a.runbook.title }]
      : ['No runbook recorded. Add the ', { code: 'switchboard.dev/runbook' }, ' annotation or a link of type runbook.'],
  });
  blocks.push({
    type: 'fields',
    fields: [
      { label: 'Owner', value: ownerText(a.owner) },
      { label: 'On call now', value: onCallText(a.onCall, a.onCallUnknown) },
    ],
  });
  const links = linkItems(a.links, a.runbook?.url);
  if (links.length) blocks.push({ type: 'list', title: 'Links', items: links });
  blocks.push(...freshnessBlocks(a, now));
  const name = a.entity.title ?? a.entity.name;
  return { summary: a.runbook ? `Runbook for ${name}: ${a.runbook.url}` : `No runbook recorded for ${name}`, blocks, visibility: 'private' };
}

export function depsCard(a: DepsAnswer): Reply {
  if (a.status !== 'found' || !a.entity) return candidatesCard(a.query, a.status, a.candidates, 'deps');
  const node = (n: DepsAnswer['dependsOn'][number]): Text => [
    a.depth > 1 ? `${'· '.repeat(n.depth - 1)}` : '',
    { bold: n.title ?? n.name },
    ` ${n.kind.toLowerCase()}`,
    n.viaApi ? ' via API' : '',
    n.resolved ? '' : ' (not in catalog)',
  ];
  const blocks: Block[] = [...entityHeader(a.entity)];
  blocks.push({ type: 'list', title: `Depends on (${a.dependsOn.length})`, items: a.dependsOn.length ? a.dependsOn.map(node) : [['nothing recorded']] });
  blocks.push({ type: 'list', title: `Dependents (${a.dependents.length})`, items: a.dependents.length ? a.dependents.map(node) : [['nothing recorded']] });
  blocks.push({ type: 'context', text: [`Blast radius: ${a.blastRadius}${a.blastRadiusCapped ? '+' : ''} entities depend on it, directly or not.`] });
  if (a.depth < 3) {
    blocks.push({
      type: 'actions',
      buttons: [{ action: encodeAction({ kind: 'deps', query: a.entity.ref, depth: a.depth + 1 }), label: `Go ${a.depth + 1} levels deep` }],
    });
  }
  return { summary: `${a.entity.name}: ${a.dependsOn.length} dependencies, ${a.dependents.length} dependents`, blocks, visibility: 'private' };
}

function candidatesCard(
  query: string,
  status: 'found' | 'ambiguous' | 'not_found',
  candidates: CandidateSummary[],
  kind: 'whoowns' | 'runbook' | 'deps',
): Reply {
  const buttons: Button[] = candidates.map((c) => ({
    action: encodeAction(kind === 'deps' ? { kind, query: c.ref, depth: 1 } : { kind, query: c.ref }),
    label: c.title && c.title.toLowerCase() !== c.name.toLowerCase() ? `${c.name} (${c.title})` : `${c.name} · ${c.kind.toLowerCase()}`,
  }));
  if (status === 'ambiguous') {
    return {
      summary: `"${query}" matches several entities`,
      blocks: [
        { type: 'section', text: [{ bold: `"${query}"` }, ' matches several entities. Did you mean:'] },
        { type: 'actions', buttons },
      ],
      visibility: 'private',
    };
  }
  const blocks: Block[] = [{ type: 'section', text: ['Nothing in the catalog matches ', { bold: `"${query}"` }, buttons.length ? '. Nearest:' : '.'] }];
  if (buttons.length) blocks.push({ type: 'actions', buttons });
  blocks.push({ type: 'context', text: REGISTER_HINT });
  return { summary: `Nothing matches "${query}"`, blocks, visibility: 'private' };
}

const SELF_SERVICE_HINTS: Record<string, string> = {
  '/create-service': ' — a new service from a golden-path template (opens a form)',
  '/provision': ' postgres for payments-api — a database, cache or bucket',
  '/rollback': ' payments-api [to 1.4.2] — back to the previous successful deploy',
};

export function helpCard(reason?: string, actionCommands: string[] = []): Reply {
  const blocks: Block[] = [];
  if (reason) blocks.push({ type: 'section', text: [reason] });
  blocks.push({
    type: 'list',
    title: 'Ask me',
    items: [
      [{ code: '/whoowns payments' }, ' — owner team, on call now, runbook, links, blast radius'],
      [{ code: '/runbook checkout' }, ' — the runbook and operational links'],
      [{ code: '/switchboard deps auth' }, ' — what it depends on and what depends on it (add a depth: ', { code: 'deps auth 2' }, ')'],
      [{ code: '@switchboard who owns payments?' }, ' — or in plain words: "runbook for checkout", "what depends on auth"'],
    ],
  });
  if (actionCommands.length) {
    blocks.push({
      type: 'list',
      title: 'Self-service (approved in DMs, progress in the thread)',
      items: [
        ...actionCommands.map((c): Text => [{ code: c }, SELF_SERVICE_HINTS[c] ?? '']),
        [{ code: '/switchboard status create-service/beans-api' }, ' — where a request stands'],
      ],
    });
  }
  blocks.push({ type: 'context', text: ['Names can be partial or misspelt; refs like ', { code: 'component:default/payments-api' }, ' work too.'] });
  return { summary: reason ?? 'How to use Switchboard', blocks, visibility: 'private' };
}
