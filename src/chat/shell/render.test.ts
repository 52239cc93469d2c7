import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalog, type Catalog } from '../../catalog/index.js';
import { type Conversation, createConversation } from '../../conversation/index.js';
import { tempTree, type TempTree } from '../../testing/fixtures.js';
import { writeHostileCatalog } from '../../testing/hostile-catalog.js';
import { renderReply } from './render.js';
import { formText } from './shell.js';

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u;
// eslint-disable-next-line no-control-regex -- the renderer's own colour codes
const OWN_SGR = /\u001b\[[0-9;]*m/g;

describe('terminal rendering of catalog text', () => {
  let tree: TempTree;
  let catalog: Catalog;
  let conversation: Conversation;
  beforeAll(async () => {
    tree = tempTree();
    catalog = openCatalog(tree.path('catalog.db'));
    await catalog.ingest([writeHostileCatalog(tree)]);
    conversation = createConversation({ catalog });
  });
  afterAll(() => {
    catalog.close();
    tree.cleanup();
  });

  it('prints no control character, escape sequence or bidi override from a descriptor', () => {
    const { text } = renderReply(conversation.reply({ kind: 'whoowns', query: 'evil-api' }), { color: false });
    expect(text).toContain('Evil API');
    expect(text).not.toMatch(UNSAFE);
  });

  it('in colour, the only escape codes are the renderer’s own', () => {
    const { text, buttons } = renderReply(conversation.reply({ kind: 'whoowns', query: 'evil-api' }), { color: true });
    expect(text).toContain('Evil API');
    expect(text.replace(OWN_SGR, '')).not.toMatch(UNSAFE);
    expect(buttons.map((b) => b.label).join('')).not.toMatch(UNSAFE);
  });

  it('cleans headers, labels, list titles and button labels too', () => {
    const bad = '\u001b[2Jx\u202e';
    const { text, buttons } = renderReply(
      {
        summary: bad,
        visibility: 'private',
        blocks: [
          { type: 'header', text: bad },
          { type: 'fields', fields: [{ label: bad, value: [{ channel: bad }] }] },
          { type: 'list', title: bad, items: [[{ link: 'https://ok.example/', text: bad }]] },
          { type: 'actions', buttons: [{ action: 'help', label: bad }] },
        ],
      },
      { color: false },
    );
    expect(text).not.toMatch(UNSAFE);
    expect(buttons[0]?.label).toBe('x');
  });
});

describe('terminal chat text outside replies', () => {
  it('a form from an action file prints without control characters', () => {
    const bad = 'a\u001b]0;pwned\u0007b\u202e';
    const text = formText(
      {
        action: 'x',
        title: bad,
        description: bad,
        fields: [{ name: 'n', label: bad, kind: 'select', required: true, options: [bad], hint: bad }],
        context: { where: 'shell:local', breakGlass: false },
      },
      '/x',
    );
    expect(text).toContain('ab');
    expect(text).not.toMatch(UNSAFE);
  });
});
