/** The Page button on the cards, from a real catalog and the real pager (nothing is paged here). */
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalog, type Catalog } from '../catalog/index.js';
import { createPager } from '../paging/pager.js';
import { pagerDutyEvents } from '../paging/senders.js';
import { openStateStore, type StateStore } from '../state/store.js';
import { component, tempTree, type TempTree } from '../testing/fixtures.js';
import { createConversation, decodeAction, type Reply } from './index.js';

let tree: TempTree;
let catalog: Catalog;
let store: StateStore;
let core: ReturnType<typeof createConversation>;

beforeAll(async () => {
  tree = tempTree('switchboard-page-card-');
  writeFileSync(
    tree.path('catalog-info.yaml'),
    [component('paged-api', {}, { annotations: { 'pagerduty.com/integration-key': '0123456789abcdef0123456789abcdef' } }), component('plain-api')].join(
      '---\n',
    ),
  );
  catalog = openCatalog(':memory:');
  await catalog.ingest([tree.path('catalog-info.yaml')]);
  store = await openStateStore({ file: tree.path('state.db') });
  // The Events URL is never called here: only what the cards offer is checked.
  const pager = createPager({
    subject: (ref) => catalog.onCallSubject(ref),
    pagerDuty: { trigger: pagerDutyEvents('http://127.0.0.1:9') },
    audit: store.audit,
    claims: store.state,
  });
  core = createConversation({ catalog, pager });
});
afterAll(async () => {
  await store.close();
  catalog.close();
  tree.cleanup();
});

const buttons = (reply: Reply) => reply.blocks.flatMap((b) => (b.type === 'actions' ? b.buttons : []));

describe('the Page button', () => {
  it('is on the whoowns card of an entity with a PagerDuty integration key', () => {
    const page = buttons(core.reply({ kind: 'whoowns', query: 'paged-api' })).find((b) => b.label === 'Page the on-call');
    expect(page && decodeAction(page.action)).toEqual({ kind: 'page', ref: 'component:default/paged-api' });
  });

  it('is on the incident card posted for everyone', async () => {
    expect(buttons(await core.incidentCard('component:default/paged-api')).map((b) => b.label)).toContain('Page the on-call');
  });

  it('is not on the card of an entity that names no provider', () => {
    expect(buttons(core.reply({ kind: 'whoowns', query: 'plain-api' })).map((b) => b.label)).not.toContain('Page the on-call');
  });

  it('opens a form naming the service and the provider, with a reason limit', () => {
    const form = core.pageForm('component:default/paged-api');
    expect('form' in form && form.form).toMatchObject({ title: 'paged-api', provider: 'PagerDuty', reasonMax: 500 });
  });
});
