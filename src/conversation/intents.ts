/**
 * What a person asked for, parsed once at the edge from a slash command, a mention or a button.
 * Unknown input becomes `help`, never silence.
 */

export type Intent =
  | { kind: 'whoowns'; query: string }
  | { kind: 'runbook'; query: string }
  | { kind: 'deps'; query: string; depth: number }
  | { kind: 'share'; query: string }
  /** A self-service action: `/create-service beans-api`, `/provision postgres for payments-api`. */
  | { kind: 'act'; command: string; text: string }
  /** An approver's click in a request DM. */
  | { kind: 'vote'; workflowId: string; decision: 'approve' | 'reject'; reason?: string }
  /** `/switchboard status <workflow id>`. */
  | { kind: 'status'; id: string }
  /** The Page button of a card: the surface asks for the reason (a modal, a card input) before paging. */
  | { kind: 'page'; ref: string; reason?: string }
  /**
   * A click in a "Still yours?" ask (src/attestation): confirm one entity, all unanswered ones, or say
   * one is not the team's (the surface then asks which team owns it, `owner`).
   */
  | { kind: 'attest'; answer: 'confirm' | 'disown' | 'confirm-all'; round: string; team: string; entity?: string; owner?: string }
  /** `/switchboard health [team]`: the catalog's health report, for everything or one team's. */
  | { kind: 'health'; team?: string }
  | { kind: 'help'; reason?: string };

const DEFAULT_DEPTH = 1;

/**
 * `/whoowns payments`, `/runbook checkout`, `/switchboard deps auth 2`, `/switchboard help`; any
 * command in `actionCommands` is a self-service request.
 */
export function parseCommand(command: string, text: string, actionCommands: readonly string[] = []): Intent {
  const name = command.replace(/^\//, '').toLowerCase();
  const rest = text.trim();
  if (actionCommands.includes(`/${name}`)) return { kind: 'act', command: `/${name}`, text: rest };
  if (name === 'whoowns' || name === 'runbook') {
    return rest ? { kind: name, query: rest } : { kind: 'help', reason: `Tell me what to look up, e.g. \`/${name} payments\`.` };
  }
  if (name === 'switchboard' || name === 'sb') return parseWords(rest) ?? { kind: 'help', reason: rest ? `I don't know "${rest}".` : undefined };
  return { kind: 'help', reason: `I don't know the command /${name}.` };
}

/** Sub-commands written out: `whoowns x`, `runbook x`, `deps x [depth]`, `help`. */
function parseWords(text: string): Intent | null {
  const [verb = '', ...words] = text.split(/\s+/).filter(Boolean);
  const query = words.join(' ');
  switch (verb.toLowerCase()) {
    case 'whoowns':
    case 'owner':
    case 'who':
      return query ? { kind: 'whoowns', query: query.replace(/^owns\s+/i, '') } : null;
    case 'runbook':
      return query ? { kind: 'runbook', query } : null;
    case 'deps':
    case 'dependencies': {
      const depth = words.length > 1 && /^\d+$/.test(words.at(-1) as string) ? Number(words.pop()) : DEFAULT_DEPTH;
      return words.length ? { kind: 'deps', query: words.join(' '), depth: Math.min(depth, 10) } : null;
    }
    case 'status':
      return query ? { kind: 'status', id: query } : null;
    case 'health':
      return query ? { kind: 'health', team: query } : { kind: 'health' };
    case 'help':
    case '':
      return { kind: 'help' };
    default:
      return null;
  }
}

const MENTION_PATTERNS: [RegExp, (m: RegExpMatchArray) => Intent][] = [
  [/^(?:who\s+owns|who\s+is\s+the\s+owner\s+of|owner\s+of|whoowns)\s+(.+)$/i, (m) => ({ kind: 'whoowns', query: m[1] as string })],
  [/^(?:who\s+is\s+on[\s-]?call\s+(?:for|on)|on[\s-]?call\s+(?:for|on))\s+(.+)$/i, (m) => ({ kind: 'whoowns', query: m[1] as string })],
  [/^(?:(?:the\s+)?runbook\s+(?:for|of)|where\s+is\s+the\s+runbook\s+(?:for|of)|runbook)\s+(.+)$/i, (m) => ({ kind: 'runbook', query: m[1] as string })],
  [/^(.+?)\s+runbook$/i, (m) => ({ kind: 'runbook', query: m[1] as string })],
  [
    /^(?:what\s+depends\s+on|dependents\s+of|dependencies\s+of|deps\s+(?:for|of)?)\s*(.+)$/i,
    (m) => ({ kind: 'deps', query: m[1] as string, depth: DEFAULT_DEPTH }),
  ],
  [/^(?:help|\?|what\s+can\s+you\s+do)$/i, () => ({ kind: 'help' })],
];

/**
 * A mention in plain English: `@switchboard who owns payments?`, `@switchboard runbook for checkout`.
 * Platform mention markup (`<@U123>`, `<at>…</at>`) must be stripped by the adapter or is stripped here.
 */
export function parseMention(text: string): Intent {
  const cleaned = text
    .replace(/<@[A-Z0-9]+(\|[^>]*)?>/gi, ' ')
    .replace(/<at>[^<]*<\/at>/gi, ' ')
    .replace(/[?!.]+\s*$/, '')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^(please|hey|hi)[,\s]+/i, '');
  for (const [pattern, build] of MENTION_PATTERNS) {
    const m = cleaned.match(pattern);
    if (m) {
      const intent = build(m);
      if ('query' in intent) intent.query = intent.query.replace(/^(the|service|component)\s+/i, '').trim();
      return intent;
    }
  }
  return parseWords(cleaned) ?? { kind: 'help', reason: cleaned ? `I didn't understand "${cleaned}".` : undefined };
}

/** Button payloads: `<intent>|<query>`; what a click on a "Did you mean" or "Share" button carries. */
export function encodeAction(intent: Exclude<Intent, { kind: 'help' | 'act' }>): string {
  if (intent.kind === 'vote') return `vote|${intent.decision}|${intent.workflowId}`;
  if (intent.kind === 'status') return `status|${intent.id}`;
  if (intent.kind === 'page') return `page|${intent.ref}`;
  if (intent.kind === 'attest') return ['attest', intent.answer, intent.round, intent.team, intent.entity ?? ''].join('|');
  if (intent.kind === 'health') return `health|${intent.team ?? ''}`;
  const depth = intent.kind === 'deps' ? `|${intent.depth}` : '';
  return `${intent.kind}|${intent.query}${depth}`;
}

export function decodeAction(value: string): Intent {
  const [kind, query = '', depth] = value.split('|');
  if (!query) return { kind: 'help' };
  if (kind === 'attest') return decodeAttest(value);
  if (kind === 'vote' && (query === 'approve' || query === 'reject') && depth) return { kind, decision: query, workflowId: depth };
  if (kind === 'status') return { kind, id: query };
  if (kind === 'page') return { kind, ref: query };
  if (kind === 'whoowns' || kind === 'runbook' || kind === 'share') return { kind, query };
  if (kind === 'deps') return { kind, query, depth: Number(depth) || DEFAULT_DEPTH };
  return { kind: 'help' };
}

/** `attest|<answer>|<round>|<team ref>|<entity ref>`: refs and rounds hold no `|` (Backstage names cannot). */
function decodeAttest(value: string): Intent {
  const [, answer, round, team, entity] = value.split('|');
  if ((answer !== 'confirm' && answer !== 'disown' && answer !== 'confirm-all') || !round || !team) return { kind: 'help' };
  if (answer !== 'confirm-all' && !entity) return { kind: 'help' };
  return { kind: 'attest', answer, round, team, ...(entity && { entity }) };
}
