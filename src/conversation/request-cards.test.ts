/** Self-service replies from hand-built workflow statuses, and the conversation around a request. */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadActions, type ActionDefinition } from '../actions/definition.js';
import { createLauncher, SelfServiceUnavailable } from '../actions/launcher.js';
import { openAudit, type AuditLog } from '../audit/index.js';
import { openCatalog, type Catalog } from '../catalog/index.js';
import { openDeployments, type DeploymentLog } from '../deployments/index.js';
import { SAMPLE_CATALOG, tempTree, type TempTree } from '../testing/fixtures.js';
import type { ActionStatus, PersonRef, StepStatus } from '../../workflows/contract.js';
import { createActConversation, formFor, requestReply, voteReply } from './act.js';
import { decodeAction } from './intents.js';
import { type Block, plain, type Reply, type Text } from './reply.js';
import { approvalCard, approvalClosedCard, formatElapsed, outcomeCard, statusCard } from './request-cards.js';

const SHIPPED = fileURLToPath(new URL('../../manifests/actions/', import.meta.url));
const actions = loadActions(SHIPPED).actions;
const action = (name: string): ActionDefinition => {
  const found = actions.find((a) => a.metadata.name === name);
  if (!found) throw new Error(`no shipped action ${name}`);
  return found;
};

const T0 = Date.parse('2026-03-04T12:00:00Z');
const amara: PersonRef = {
  ref: 'user:default/amara-okafor',
  displayName: 'Amara Okafor',
  email: 'amara.okafor@quillmere.example',
  chatIds: { slack: 'U03AMK81Z2Q' },
};
const noah: PersonRef = {
  ref: 'user:default/noah-fischer',
  displayName: 'Noah Fischer',
  email: 'noah.fischer@quillmere.example',
  chatIds: { slack: 'U06NF3K7PLV' },
};
const yuki: PersonRef = { ref: 'user:default/yuki-tanaka', displayName: 'Yuki Tanaka', email: 'yuki.tanaka@quillmere.example', chatIds: {} };

const step = (id: string, title: string, state: StepStatus['state'] = 'pending', extra: Partial<StepStatus> = {}): StepStatus => ({
  id,
  title,
  state,
  ...extra,
});

/** A create-service request waiting for team-platform, five seconds old. */
function status(over: Partial<ActionStatus> = {}): ActionStatus {
  return {
    workflowId: 'create-service/beans-api',
    action: 'create-service',
    title: 'Create a service',
    summary: 'Create a service: beans-api',
    requester: amara,
    target: 'component:default/beans-api',
    shownInputs: [
      { label: 'Service name', value: 'beans-api' },
      { label: 'Owner team', value: 'team-payments' },
    ],
    phase: 'awaiting-approval',
    approval: { status: 'pending', votes: [], reminded: false, escalated: false },
    approvalRules: ['team-platform'],
    approvers: [noah, yuki],
    steps: [step('render', 'Render the template'), step('push', 'Push the new repository'), step('links', 'Post the links')],
    links: [],
    startedAt: T0,
    updatedAt: T0 + 5_000,
    ...over,
  };
}

const approvedBy = (who: PersonRef): ActionStatus['approval'] => ({
  status: 'approved',
  votes: [{ approver: who.ref, decision: 'approve' }],
  reminded: false,
  escalated: false,
});
const rejectedBy = (who: PersonRef, reason?: string): ActionStatus['approval'] => ({
  status: 'rejected',
  votes: [{ approver: who.ref, decision: 'reject', ...(reason !== undefined && { reason }) }],
  reminded: false,
  escalated: false,
});

const ofType = <T extends Block['type']>(reply: Reply, type: T) => reply.blocks.filter((b): b is Extract<Block, { type: T }> => b.type === type);
/** Every text of the reply as plain text, one entry per block (lists and fields one entry per item). */
function texts(reply: Reply): string[] {
  return reply.blocks.flatMap((b): string[] => {
    switch (b.type) {
      case 'header':
        return [b.text];
      case 'section':
      case 'context':
        return [plain(b.text)];
      case 'fields':
        return b.fields.map((f) => `${f.label}: ${plain(f.value)}`);
      case 'list':
        return [b.title, ...b.items.map(plain)];
      case 'actions':
        return b.buttons.map((x) => x.label);
      default:
        return [];
    }
  });
}
const people = (text: Text) => text.flatMap((s) => (typeof s === 'object' && 'person' in s ? [s.person.ref] : []));

describe('formatElapsed', () => {
  it('writes seconds under a minute', async () => {
    expect(formatElapsed(0)).toBe('0 s');
    expect(formatElapsed(42_000)).toBe('42 s');
    expect(formatElapsed(1_400)).toBe('1 s');
  });

  it('writes minutes and seconds under an hour, leaving out zero seconds', async () => {
    expect(formatElapsed(185_000)).toBe('3 min 5 s');
    expect(formatElapsed(180_000)).toBe('3 min');
    expect(formatElapsed(59_600)).toBe('1 min');
  });

  it('writes hours and minutes from an hour on, leaving out zero minutes', async () => {
    expect(formatElapsed(2 * 3_600_000 + 4 * 60_000 + 30_000)).toBe('2 h 4 min');
    expect(formatElapsed(2 * 3_600_000 + 20_000)).toBe('2 h');
    expect(formatElapsed(49 * 3_600_000)).toBe('49 h');
  });

  it('never writes a negative time', async () => {
    expect(formatElapsed(-5_000)).toBe('0 s');
  });
});

describe('statusCard', () => {
  it('shows a waiting request: title, who asked, inputs, who must approve, pending steps, id and age', async () => {
    const card = statusCard(status());
    expect(card.visibility).toBe('channel');
    expect(card.summary).toBe('⏳ Create a service: beans-api: waiting for approval');
    expect(texts(card)).toEqual([
      '⏳ Create a service',
      'Create a service: beans-api — requested by Amara Okafor · waiting for approval',
      'Service name: beans-api',
      'Owner team: team-payments',
      'Needs team-platform',
      'Steps',
      '▫️ Render the template',
      '▫️ Push the new repository',
      '▫️ Post the links',
      'create-service/beans-api · 5 s',
    ]);
    expect(people(ofType(card, 'section')[0]?.text ?? [])).toEqual([amara.ref]);
  });

  it('marks each step by its state, with its time, and says what was undone', async () => {
    const steps = [
      step('render', 'Render the template', 'done', { startedAt: T0, endedAt: T0 + 2_000 }),
      step('push', 'Push the new repository', 'undone', { startedAt: T0 + 2_000, endedAt: T0 + 3_000 }),
      step('register', 'Register the service', 'failed', { startedAt: T0 + 3_000, endedAt: T0 + 4_000, detail: 'catalog refused the file' }),
      step('channel', 'Create the Slack channel', 'skipped', { startedAt: T0, endedAt: T0 }),
      step('links', 'Post the links', 'running', { startedAt: T0 + 4_000 }),
    ];
    const items = ofType(statusCard(status({ phase: 'running', approval: approvedBy(noah), steps })), 'list')[0]?.items.map(plain);
    expect(items).toEqual([
      '✅ Render the template (2 s)',
      '↩️ Push the new repository (1 s) — undone',
      '❌ Register the service (1 s) — catalog refused the file',
      '⏭️ Create the Slack channel',
      '⏳ Post the links',
    ]);
  });

  it('names the approvers once approved, as people', async () => {
    const card = statusCard(status({ phase: 'running', approval: approvedBy(noah) }));
    const decision = ofType(card, 'section')[1]?.text ?? [];
    expect(plain(decision)).toBe('Approved by Noah Fischer');
    expect(people(decision)).toEqual([noah.ref]);
    expect(card.summary).toBe('⏳ Create a service: beans-api: approved, running');
  });

  it('says approved so far while more approvals are needed', async () => {
    const approval = { status: 'pending' as const, votes: [{ approver: noah.ref, decision: 'approve' as const }], reminded: false, escalated: false };
    expect(plain(ofType(statusCard(status({ approval })), 'section')[1]?.text ?? [])).toBe('Approved so far by Noah Fischer');
  });

  it('shows break-glass, naming the on-call by their ref when they are not among the approvers', async () => {
    const card = statusCard(status({ phase: 'running', approval: null, breakGlass: { approver: 'user:default/sofia-marchetti', incident: 'slack:C0INC42' } }));
    expect(plain(ofType(card, 'section')[1]?.text ?? [])).toBe('🔓 Break-glass by sofia-marchetti during slack:C0INC42');
  });

  it('shows the error and the links of a failed request', async () => {
    const card = statusCard(
      status({
        phase: 'failed',
        error: 'git push was refused',
        links: [{ title: 'Repository', url: 'https://git.example/beans-api' }],
        endedAt: T0 + 65_000,
        updatedAt: T0 + 65_000,
      }),
    );
    expect(texts(card)).toEqual(
      expect.arrayContaining(['Links', 'Repository (https://git.example/beans-api)', '❌ git push was refused', 'create-service/beans-api · 1 min 5 s']),
    );
    expect(card.blocks[0]).toEqual({ type: 'header', text: '❌ Create a service' });
  });

  it('leaves the error out while the request is not failed', async () => {
    expect(texts(statusCard(status({ phase: 'running', error: 'a retried glitch' })))).not.toContain('❌ a retried glitch');
  });

  it('counts the age of a running request up to now, and links the Temporal UI when given', async () => {
    const card = statusCard(status(), 'http://temporal.example/wf', T0 + 125_000);
    const footer = ofType(card, 'context').at(-1)?.text ?? [];
    expect(footer).toEqual([{ code: 'create-service/beans-api' }, ' · 2 min 5 s', ' · ', { link: 'http://temporal.example/wf', text: 'Temporal UI' }]);
  });
});

describe('approvalCard', () => {
  it('asks privately, with the request, its inputs and the rule', async () => {
    const card = approvalCard(status(), 'request');
    expect(card.visibility).toBe('private');
    expect(card.summary).toBe('Approval needed: Create a service: beans-api (from Amara Okafor)');
    expect(texts(card)).toEqual(
      expect.arrayContaining([
        'Approval needed: Create a service',
        'Amara Okafor asks: Create a service: beans-api',
        'Owner team: team-payments',
        'Needs team-platform. Rejecting asks for a reason.',
      ]),
    );
  });

  it('says when it is a reminder or an escalation', async () => {
    expect(approvalCard(status(), 'reminder').blocks[0]).toEqual({ type: 'header', text: 'Reminder: approval still needed: Create a service' });
    expect(approvalCard(status(), 'escalation').blocks[0]).toEqual({ type: 'header', text: 'Escalated to you: approval needed: Create a service' });
  });

  it('has Approve and Reject buttons that decode to votes on the request', async () => {
    const buttons = ofType(approvalCard(status({ workflowId: 'provision/payments-api/postgres/production' }), 'request'), 'actions')[0]?.buttons ?? [];
    expect(buttons.map((b) => [b.label, b.style])).toEqual([
      ['Approve', 'primary'],
      ['Reject', 'danger'],
    ]);
    expect(buttons.map((b) => decodeAction(b.action))).toEqual([
      { kind: 'vote', decision: 'approve', workflowId: 'provision/payments-api/postgres/production' },
      { kind: 'vote', decision: 'reject', workflowId: 'provision/payments-api/postgres/production' },
    ]);
  });
});

describe('approvalClosedCard', () => {
  it('drops the buttons and says who approved', async () => {
    const card = approvalClosedCard(status({ phase: 'running', approval: approvedBy(noah) }));
    expect(ofType(card, 'actions')).toEqual([]);
    expect(card.blocks[0]).toEqual({ type: 'header', text: '✅ Create a service' });
    expect(texts(card)).toContain('✅ Approved by Noah Fischer');
    expect(card.visibility).toBe('private');
  });

  it('says who rejected and why', async () => {
    const card = approvalClosedCard(status({ phase: 'rejected', approval: rejectedBy(yuki, 'use the existing beans service') }));
    expect(card.blocks[0]).toEqual({ type: 'header', text: '🚫 Create a service' });
    expect(texts(card)).toContain('🚫 Rejected by Yuki Tanaka: use the existing beans service');
    expect(card.summary).toBe('Create a service: beans-api: rejected');
  });

  it('says how long an expired request waited, and the approvals it got', async () => {
    const approval = { status: 'expired' as const, votes: [{ approver: noah.ref, decision: 'approve' as const }], reminded: true, escalated: false };
    const card = approvalClosedCard(status({ phase: 'expired', approval, endedAt: T0 + 24 * 3_600_000 }));
    expect(card.blocks[0]).toEqual({ type: 'header', text: '⌛ Create a service' });
    expect(texts(card)).toContain('⌛ Expired after 24 h without a decision (1 approval given)');
  });
});

describe('outcomeCard', () => {
  it('tells the requester a request is done, how long it took and its links', async () => {
    const card = outcomeCard(
      status({ phase: 'succeeded', approval: approvedBy(noah), endedAt: T0 + 185_000, links: [{ title: 'Repository', url: 'https://git.example/beans-api' }] }),
    );
    expect(card.visibility).toBe('channel');
    expect(card.summary).toBe('✅ Create a service: beans-api: done');
    expect(texts(card)).toEqual([
      '✅ Create a service: beans-api is done (3 min 5 s).',
      'Links',
      'Repository (https://git.example/beans-api)',
      'create-service/beans-api · 3 min 5 s',
    ]);
  });

  it('says why a request failed and what was undone, in step order', async () => {
    const steps = [
      step('render', 'Render the template', 'undone'),
      step('push', 'Push the new repository', 'undone'),
      step('register', 'Register the service', 'failed', { detail: 'catalog refused the file' }),
      step('links', 'Post the links', 'pending'),
    ];
    const card = outcomeCard(status({ phase: 'failed', error: 'Register the service: catalog refused the file', steps, endedAt: T0 + 10_000 }));
    expect(texts(card).slice(0, 2)).toEqual([
      '❌ Create a service: beans-api failed: Register the service: catalog refused the file.',
      'Undone: Render the template; Push the new repository.',
    ]);
  });

  it('says nothing needed undoing when the first step failed', async () => {
    const card = outcomeCard(status({ phase: 'failed', steps: [step('render', 'Render the template', 'failed')], endedAt: T0 + 1_000 }));
    expect(texts(card).slice(0, 2)).toEqual(['❌ Create a service: beans-api failed: unknown error.', 'Nothing needed undoing.']);
  });

  it('says who rejected a request and why', async () => {
    const card = outcomeCard(status({ phase: 'rejected', approval: rejectedBy(noah, 'not now'), endedAt: T0 + 60_000 }));
    expect(texts(card)[0]).toBe('🚫 Create a service: beans-api: Rejected by Noah Fischer: not now.');
    expect(card.summary).toBe('🚫 Create a service: beans-api: rejected');
    expect(people(ofType(card, 'section')[0]?.text ?? [])).toEqual([noah.ref]);
  });

  it('leaves out the colon when a rejection has no reason', async () => {
    const card = outcomeCard(status({ phase: 'rejected', approval: rejectedBy(noah), endedAt: T0 + 60_000 }));
    expect(texts(card)[0]).toBe('🚫 Create a service: beans-api: Rejected by Noah Fischer.');
  });

  it('says an expired request waited without a decision', async () => {
    const approval = { status: 'expired' as const, votes: [], reminded: true, escalated: true };
    const card = outcomeCard(status({ phase: 'expired', approval, endedAt: T0 + 2 * 3_600_000 }));
    expect(texts(card)[0]).toBe('⌛ Create a service: beans-api: Expired after 2 h without a decision.');
    expect(card.summary).toBe('⌛ Create a service: beans-api: expired without a decision');
  });
});

describe('formFor', () => {
  it('has one field per input, in order, with kinds, options, hints and defaults', async () => {
    const form = formFor(action('create-service'), {}, 'slack:C0SELFSERVE');
    expect(form).toMatchObject({ action: 'create-service', title: 'Create a service', context: { where: 'slack:C0SELFSERVE', breakGlass: false } });
    expect(form.fields).toMatchObject([
      { name: 'name', label: 'Service name', kind: 'text', required: true, hint: 'The repository, the catalog name and the Slack channel all take this name' },
      { name: 'owner', label: 'Owner team', kind: 'text', required: true, hint: 'A team in the catalog, e.g. team-payments' },
      { name: 'system', label: 'System', kind: 'text', required: true, hint: 'A system in the catalog, e.g. payments' },
      {
        name: 'tier',
        label: 'Tier',
        kind: 'select',
        required: false,
        hint: expect.stringContaining('tier-1 is customer-facing'),
        options: ['tier-1', 'tier-2', 'tier-3'],
        initial: 'tier-3',
      },
      { name: 'template', label: 'Template', kind: 'select', required: false, options: ['node-service'], initial: 'node-service' },
      { name: 'createChannel', label: 'Create a Slack channel for the service', kind: 'boolean', required: false, initial: false },
    ]);
  });

  it('marks catalog pickers, and only them', async () => {
    const form = formFor(action('create-service'), {}, 'slack:C1');
    expect(Object.fromEntries(form.fields.map((f) => [f.name, f.picker]))).toEqual({
      name: undefined,
      owner: 'group',
      system: 'system',
      tier: undefined,
      template: undefined,
      createChannel: undefined,
    });
    expect(formFor(action('rollback'), {}, 'slack:C1').fields.find((f) => f.name === 'service')?.picker).toBe('service');
  });

  it('prefills what the command said, picker refs as plain names', async () => {
    const form = formFor(
      action('create-service'),
      { name: 'beans-api', owner: 'group:default/team-payments', tier: 'tier-1', createChannel: true },
      'slack:C1',
    );
    const initial = Object.fromEntries(form.fields.map((f) => [f.name, f.initial]));
    expect(initial).toEqual({ name: 'beans-api', owner: 'team-payments', system: undefined, tier: 'tier-1', template: 'node-service', createChannel: true });
  });

  it('carries break-glass and explains an empty version', async () => {
    const form = formFor(action('rollback'), { service: 'payments-api' }, 'slack:C0INC42', true);
    expect(form.context).toEqual({ where: 'slack:C0INC42', breakGlass: true });
    expect(form.fields.find((f) => f.name === 'version')).toEqual({
      name: 'version',
      label: 'Version',
      kind: 'text',
      required: false,
      hint: 'Leave empty for the previous successful deploy',
    });
  });

  it('keeps a free-text value that happens to start with a word and a colon', async () => {
    const form = formFor(action('rollback'), { reason: 'hotfix: card auth broken' }, 'slack:C1');
    expect(form.fields.find((f) => f.name === 'reason')?.initial).toBe('hotfix: card auth broken');
  });
});

describe('requestReply', () => {
  it('confirms a started request privately, by its id', async () => {
    const reply = requestReply({ kind: 'started', workflowId: 'create-service/beans-api', status: null });
    expect(reply).toMatchObject({ summary: 'Requested create-service/beans-api', visibility: 'private' });
    expect(ofType(reply, 'section')[0]?.text).toContainEqual({ code: 'create-service/beans-api' });
  });

  it('says a request with the same key is already running, with its phase', async () => {
    const reply = requestReply({ kind: 'existing', workflowId: 'create-service/beans-api', status: status() });
    expect(reply.summary).toBe('Already running: create-service/beans-api');
    expect(texts(reply)[0]).toBe('This request is already running as create-service/beans-api (awaiting-approval); nothing new was started.');
    expect(texts(requestReply({ kind: 'existing', workflowId: 'rollback/payments-api', status: null }))[0]).toBe(
      'This request is already running as rollback/payments-api; nothing new was started.',
    );
  });

  it('lists invalid inputs by their titles and gives the usage with the required inputs', async () => {
    const reply = requestReply({
      kind: 'invalid',
      action: action('create-service'),
      errors: [
        { input: 'owner', message: 'is required' },
        { input: 'colour', message: 'is not an input of create-service' },
      ],
      values: {},
    });
    expect(texts(reply)[0]).toBe(
      'I cannot request that yet:\n• Owner team: is required\n• colour: is not an input of create-service\nUsage: /create-service <name> owner=… system=…',
    );
    expect(reply.summary).toBe('Cannot request create-service: owner is required; colour is not an input of create-service');
  });

  it('gives the usage of inputs named in the usage line only once', async () => {
    const reply = requestReply({ kind: 'invalid', action: action('provision'), errors: [{ input: 'tier', message: 'is required' }], values: {} });
    expect(texts(reply)[0]).toMatch(/Usage: \/provision <type> for <service> tier=…$/);
  });

  it('passes a refusal on, and says self-service is unavailable with the reason', async () => {
    expect(texts(requestReply({ kind: 'refused', reason: 'Break-glass refused: break-glass needs an open incident.' }))).toEqual([
      '🚫 Break-glass refused: break-glass needs an open incident.',
    ]);
    const down = requestReply({ kind: 'unavailable', reason: 'Temporal at 127.0.0.1:7233 cannot be reached' });
    expect(down.summary).toBe('Self-service is unavailable');
    expect(texts(down)[0]).toContain('Self-service is unavailable right now: Temporal at 127.0.0.1:7233 cannot be reached.');
    expect(down.visibility).toBe('private');
  });
});

describe('voteReply', () => {
  it('says whether an approval was enough', async () => {
    expect(texts(voteReply({ kind: 'counted', status: 'pending' }, 'approve'))).toEqual(['Approved. It still needs more approvals.']);
    expect(texts(voteReply({ kind: 'counted', status: 'approved' }, 'approve'))).toEqual(['Approved. The request is approved and running.']);
  });

  it('confirms a rejection', async () => {
    expect(texts(voteReply({ kind: 'counted', status: 'rejected' }, 'reject'))).toEqual(['Rejected.']);
  });

  it('passes a refused vote on, and an unavailable one with the reason', async () => {
    expect(texts(voteReply({ kind: 'refused', reason: 'You already approved this request.' }, 'approve'))).toEqual(['🚫 You already approved this request.']);
    expect(voteReply({ kind: 'unavailable', reason: 'Temporal is not configured' }, 'reject').summary).toBe('Self-service is unavailable');
  });
});

describe('createActConversation', () => {
  let tree: TempTree;
  let catalog: Catalog;
  let deployments: DeploymentLog;
  let audit: AuditLog;
  let conversation: ReturnType<typeof createActConversation>;
  const actor = { id: 'slack:U03AMK81Z2Q', ref: amara.ref, displayName: amara.displayName, email: amara.email, chatIds: amara.chatIds };

  beforeAll(async () => {
    tree = tempTree();
    const file = tree.path('switchboard.db');
    catalog = openCatalog(file);
    await catalog.ingest([SAMPLE_CATALOG]);
    deployments = openDeployments(file);
    audit = openAudit(file);
    const launcher = createLauncher({
      temporal: {
        client: async () => {
          throw new SelfServiceUnavailable('Temporal is not configured');
        },
      },
      taskQueue: 'switchboard-test',
      actions,
      catalog,
      deployments,
      audit,
      incidents: async () => [],
    });
    conversation = createActConversation(launcher);
  });

  afterAll(() => {
    audit?.close();
    deployments?.close();
    catalog?.close();
    tree?.cleanup();
  });

  it('lists the action commands', async () => {
    expect(conversation.commands()).toEqual(['/create-service', '/provision', '/rollback']);
  });

  it('answers text that does not fit the usage with the problem and the usage', async () => {
    const answer = await conversation.act('/provision', 'postgres payments-api', actor, 'slack:C1');
    expect('reply' in answer && texts(answer.reply)[0]).toBe(
      'I could not read "postgres payments-api": the usage is /provision <type> for <service>\nUsage: /provision <type> for <service> tier=…',
    );
  });

  it('opens the form, prefilled, when required inputs are missing', async () => {
    const answer = await conversation.act('/create-service', 'beans-api', actor, 'slack:C1');
    expect('form' in answer && answer.form.fields.find((f) => f.name === 'name')?.initial).toBe('beans-api');
  });

  it('carries --break-glass into the form', async () => {
    const answer = await conversation.act('/rollback', '--break-glass', actor, 'slack:C0INC42');
    expect('form' in answer && answer.form.context).toEqual({ where: 'slack:C0INC42', breakGlass: true });
  });

  it('opens the form for empty text when the platform prefers forms', async () => {
    expect('form' in (await conversation.act('/rollback', ' ', actor, 'slack:C1', { preferForm: true }))).toBe(true);
  });

  it('makes the request when the text is complete, and says when self-service is down', async () => {
    const answer = await conversation.act('/rollback', 'payments-api to 1.4.2', actor, 'slack:C1');
    expect('reply' in answer && answer.reply.summary).toBe('Self-service is unavailable');
  });

  it('answers an unknown command', async () => {
    const answer = await conversation.act('/deploy', 'x', actor, 'slack:C1');
    expect('reply' in answer && texts(answer.reply)).toEqual(["I don't know the command /deploy."]);
  });

  it('returns per-field errors for a submitted form', async () => {
    const outcome = await conversation.submit({ action: 'create-service', context: { where: 'slack:C1', breakGlass: false } }, { name: 'Beans_API' }, actor);
    expect(outcome.kind === 'invalid' && outcome.errors.map((e) => e.input).sort()).toEqual(['name', 'owner', 'system']);
  });

  it('says self-service is not configured when there is none', async () => {
    const off = createActConversation(undefined);
    expect(off.commands()).toEqual([]);
    const answer = await off.act('/rollback', 'payments-api', actor, 'slack:C1');
    expect('reply' in answer && texts(answer.reply)[0]).toContain('it is not configured in this process');
  });
});
