/** The terminal adapter against the real sample catalog, driven through streams as `npm start` would be. */
import { PassThrough, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalog, type Catalog } from '../../catalog/index.js';
import { createConversation, encodeAction, type Conversation, type Reply } from '../../conversation/index.js';
import { SAMPLE_CATALOG, tempTree, type TempTree } from '../../testing/fixtures.js';
import { LIST_LIMIT, renderReply } from './render.js';
import { PROMPT, runShell } from './shell.js';

let tree: TempTree;
let catalog: Catalog;
let conversation: Conversation;

beforeAll(async () => {
  tree = tempTree();
  catalog = openCatalog(tree.path('c.db'));
  await catalog.ingest([SAMPLE_CATALOG]);
  conversation = createConversation({ catalog, now: () => new Date('2026-03-04T12:00:00Z') });
});

afterAll(() => {
  catalog.close();
  tree.cleanup();
});

/** Feeds `lines` to a shell and resolves with everything it printed once it has finished. */
async function session(lines: string[], options: { interactive?: boolean; color?: boolean; end?: boolean; user?: string } = {}): Promise<string> {
  const input = new PassThrough();
  let printed = '';
  const output = new Writable({
    write(chunk, _encoding, done) {
      printed += String(chunk);
      done();
    },
  });
  const done = runShell({ conversation, input, output, interactive: options.interactive ?? false, color: options.color ?? false, user: options.user });
  input.write(lines.map((l) => `${l}\n`).join(''));
  if (options.end !== false) input.end();
  await done;
  return printed;
}

const ESCAPE = '\x1b[';

describe('runShell, piped', () => {
  it('answers /whoowns with the owner team and who is on call, as one paragraph', async () => {
    const out = await session(['/whoowns payments-api']);
    expect(out).toContain('Payments API');
    expect(out).toMatch(/Owner\s+Payments #team-payments/);
    expect(out).toMatch(/On call now\s+Sofia Marchetti \(primary\) until 2026-03-09 08:00 UTC/);
    expect(out).toContain('[1] Share in channel  [2] Dependencies');
    expect(out).not.toContain('U04SM2D9KXC');
    // A blank line ends an answer and appears nowhere else, so scripts can split answers on it.
    expect(out.endsWith('\n\n')).toBe(true);
    expect(out.trimEnd()).not.toContain('\n\n');
  });

  it('answers the same question in plain words', async () => {
    expect(await session(['who owns payments-api?'])).toBe(await session(['/whoowns payments-api']));
    expect(await session(['@switchboard who owns payments-api?'])).toBe(await session(['/whoowns payments-api']));
  });

  it('offers numbered candidates for a partial name, and a number presses one', async () => {
    const out = await session(['/whoowns paym', '1']);
    const [didYouMean = '', answer = ''] = out.split('\n\n');
    expect(didYouMean).toContain('Did you mean');
    expect(didYouMean).toMatch(/\[1\] \S.*\[2\] \S/s);
    const first = catalog.whoOwns('paym').candidates[0];
    expect(answer).toContain(first?.ref);
    expect(out).toContain('Owner');
  });

  it('says so when a number matches no button, and carries on', async () => {
    const out = await session(['7', '/whoowns payments-api', '9']);
    expect(out).toMatch(/^There is no button 7\.\n\n/);
    expect(out).toContain('There is no button 9 (1–2).');
  });

  it('links the runbook', async () => {
    expect(await session(['/runbook ledger'])).toMatch(/Ledger on-call runbook \(wiki\) <https:\/\/\S+>/);
  });

  it('lists dependents', async () => {
    const out = await session(['/switchboard deps auth']);
    expect(out).toContain('Dependents (6)\n  • Cart component\n');
    expect(out).toContain('[1] Go 2 levels deep');
  });

  it('answers what it does not understand with help', async () => {
    const out = await session(['make me a sandwich', '/help', '/nope']);
    expect(out).toContain('I didn\'t understand "make me a sandwich"');
    expect(out.match(/Ask me/g)).toHaveLength(3);
    expect(out).toContain("I don't know the command /nope.");
  });

  it('prints no escape codes without colour, and styles with it', async () => {
    const lines = ['/whoowns payments-api', '/whoowns paym', '/switchboard deps auth', '/runbook ledger', 'hello'];
    expect(await session(lines)).not.toContain(ESCAPE);
    expect(await session(lines, { color: true })).toContain(ESCAPE);
  });

  it('prints only answers: no prompt, no welcome', async () => {
    const out = await session(['', '/help']);
    expect(out).not.toContain(PROMPT);
    expect(out.startsWith('Ask me')).toBe(true);
  });

  it('ends at end of input, and at /quit or exit without waiting for it', async () => {
    expect(await session([])).toBe('');
    expect(await session(['/quit', '/help'], { end: false })).toBe('');
    expect(await session(['/help', 'exit'], { end: false })).toContain('Ask me');
  });

  it('prints an error as one line and keeps answering', async () => {
    const broken = {
      ...conversation,
      answer: () => Promise.reject(new Error('disk on fire\nstack')),
    };
    const input = new PassThrough();
    let out = '';
    const output = new Writable({ write: (c, _e, done) => ((out += String(c)), done()) });
    const done = runShell({ conversation: broken, input, output, interactive: false, color: false });
    input.end('/whoowns x\n/whoowns y\n');
    await done;
    expect(out).toBe('Error: disk on fire\n\nError: disk on fire\n\n');
  });
});

describe('runShell, interactive', () => {
  it('greets with examples and prompts', async () => {
    const out = await session(['/whoowns payments-api'], { interactive: true, user: 'ada' });
    expect(out).toMatch(/^Hi ada, this is Switchboard/);
    expect(out).toContain('/whoowns payments-api');
    expect(out).toContain(PROMPT);
    expect(out).toContain('Sofia Marchetti');
  });

  it('ends at Ctrl+C, as /quit does', async () => {
    const out = await session(['/help', '\x03'], { interactive: true, end: false });
    expect(out).toContain('Ask me');
  });
});

describe('renderReply', () => {
  const reply = (blocks: Reply['blocks']): Reply => ({ summary: 's', blocks, visibility: 'private' });

  it(`shows ${LIST_LIMIT} items of a long list, then how many more`, () => {
    const items = Array.from({ length: 40 }, (_, i) => [`item ${i + 1}`]);
    const { text } = renderReply(reply([{ type: 'list', title: 'Many', items }]), { color: false });
    const lines = text.split('\n');
    expect(lines[0]).toBe('Many');
    expect(lines.filter((l) => l.startsWith('  • '))).toHaveLength(LIST_LIMIT);
    expect(lines.at(-2)).toBe('  • item 15');
    expect(lines.at(-1)).toBe('  … and 25 more');
  });

  it('numbers buttons across the reply and returns their actions', () => {
    const a = encodeAction({ kind: 'share', query: 'component:default/x' });
    const b = encodeAction({ kind: 'deps', query: 'component:default/x', depth: 1 });
    const c = encodeAction({ kind: 'runbook', query: 'component:default/x' });
    const { text, buttons } = renderReply(
      reply([
        {
          type: 'actions',
          buttons: [
            { action: a, label: 'Share in channel', style: 'primary' },
            { action: b, label: 'Dependencies' },
          ],
        },
        { type: 'actions', buttons: [{ action: c, label: 'Runbook' }] },
      ]),
      { color: false },
    );
    expect(text).toBe('[1] Share in channel  [2] Dependencies\n[3] Runbook');
    expect(buttons).toEqual([
      { n: 1, action: a, label: 'Share in channel' },
      { n: 2, action: b, label: 'Dependencies' },
      { n: 3, action: c, label: 'Runbook' },
    ]);
  });

  it('packs buttons into rows that fit the width', () => {
    const buttons = ['alpha', 'beta', 'gamma'].map((label) => ({ action: `whoowns|${label}`, label }));
    expect(renderReply(reply([{ type: 'actions', buttons }]), { color: false, width: 22 }).text).toBe('[1] alpha  [2] beta\n[3] gamma');
  });

  it('renders every span and block readably', () => {
    const person = { person: { ref: 'user:default/ada', displayName: 'Ada Lovelace', email: null, chatIds: { slack: 'U123' } } };
    const { text } = renderReply(
      reply([
        { type: 'header', text: 'Title' },
        { type: 'context', text: ['ctx ', { code: 'ref' }] },
        {
          type: 'section',
          text: [{ bold: 'b' }, ' ', { link: 'https://x.example', text: 'X' }, ' ', { link: 'https://y.example', text: 'https://y.example' }],
        },
        {
          type: 'fields',
          fields: [
            { label: 'On call', value: [person, ' until ', { time: '2026-03-09T08:00:00Z', fallback: '2026-03-09 08:00 UTC' }, '\n', 'second'] },
            { label: 'Owner', value: ['Team'] },
          ],
        },
        { type: 'divider' },
      ]),
      { color: false },
    );
    expect(text).toBe(
      [
        'Title',
        '─────',
        'ctx ref',
        'b X <https://x.example> <https://y.example>',
        'On call  Ada Lovelace until 2026-03-09 08:00 UTC',
        '         second',
        'Owner    Team',
        '─'.repeat(40),
      ].join('\n'),
    );
  });

  it('uses colour codes only when asked: bold-underlined header, dimmed context', () => {
    const blocks: Reply['blocks'] = [
      { type: 'header', text: 'Title' },
      { type: 'context', text: ['ctx ', { bold: 'x' }] },
    ];
    expect(renderReply(reply(blocks), { color: true }).text).toBe('\x1b[1;4mTitle\x1b[0m\n\x1b[2mctx x\x1b[0m');
  });

  it('wraps prose to the width without breaking links', () => {
    const url = 'https://runbooks.example/a-very-long-path';
    const { text } = renderReply(reply([{ type: 'list', title: 'L', items: [['one two three four ', { link: url, text: 'five' }]] }]), {
      color: false,
      width: 20,
    });
    expect(text).toBe(['L', '  • one two three', '    four five', `    <${url}>`].join('\n'));
  });
});
