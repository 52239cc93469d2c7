/** Self-service forms as Slack modals, built from the shipped actions and checked against Slack's limits. */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadActions, type ActionDefinition } from '../../actions/definition.js';
import { formFor, type Form, type FormField } from '../../conversation/act.js';
import { checkView } from '../../testing/slack-emulator.js';
import { FORM_CALLBACK, formValues, REJECT_CALLBACK, rejectModal, toModal } from './form.js';

const SHIPPED = fileURLToPath(new URL('../../../manifests/actions/', import.meta.url));
const actions = loadActions(SHIPPED).actions;
const action = (name: string): ActionDefinition => {
  const found = actions.find((a) => a.metadata.name === name);
  if (!found) throw new Error(`no shipped action ${name}`);
  return found;
};

type TextObject = { type: string; text: string; emoji?: boolean };
type Option = { text: TextObject; value: string };
type Element = { type: string; action_id: string; options?: Option[]; initial_option?: Option; initial_options?: Option[]; initial_value?: string };
type InputBlock = { type: 'input'; block_id: string; optional: boolean; label: TextObject; hint?: TextObject; element: Element };
type Modal = {
  type: string;
  callback_id: string;
  private_metadata: string;
  title: TextObject;
  submit: TextObject;
  close: TextObject;
  blocks: ({ type: string; text?: TextObject } & Record<string, unknown>)[];
};

const modal = (form: Form) => toModal(form) as unknown as Modal;
const inputs = (view: Modal) => view.blocks.filter((b): b is InputBlock & { type: string } => b.type === 'input') as unknown as InputBlock[];
const input = (view: Modal, name: string) => {
  const found = inputs(view).find((b) => b.block_id === name);
  if (!found) throw new Error(`no input block ${name}`);
  return found;
};
const form = (over: Partial<Form> & { fields: FormField[] }): Form => ({
  action: 'test',
  title: 'Test',
  description: 'A test form',
  context: { where: 'slack:C1', breakGlass: false },
  ...over,
});

/** The view.state.values Slack would send for a modal submitted without touching any field. */
function untouched(view: Modal): Record<string, Record<string, Record<string, unknown>>> {
  return Object.fromEntries(
    inputs(view).map((b) => {
      const e = b.element;
      const state =
        e.type === 'checkboxes'
          ? { type: e.type, selected_options: e.initial_options ?? [] }
          : e.type === 'static_select' || e.type === 'external_select'
            ? { type: e.type, selected_option: e.initial_option ?? null }
            : { type: e.type, value: e.initial_value ?? null };
      return [b.block_id, { [e.action_id]: state }];
    }),
  );
}

describe('toModal', () => {
  it('builds a modal Slack accepts for every shipped action, empty and prefilled', () => {
    const prefilled: Record<string, Record<string, unknown>> = {
      'create-service': { name: 'beans-api', owner: 'group:default/team-payments', createChannel: true },
      provision: { type: 'postgres', service: 'component:default/payments-api', tier: 'production' },
      rollback: { service: 'payments-api', version: '1.4.2', reason: 'card auth errors since 1.5.0' },
    };
    for (const a of actions) {
      for (const values of [{}, prefilled[a.metadata.name] ?? {}]) {
        expect(checkView(toModal(formFor(a, values, 'slack:C1:1712.0001'))), a.metadata.name).toBeUndefined();
      }
    }
  });

  it('cuts the title to Slack’s 24 characters', () => {
    expect(modal(formFor(action('provision'), {}, 'slack:C1')).title.text).toBe('Provision infrastructure');
    const long = modal(form({ title: 'Provision infrastructure for a service', fields: [] }));
    expect(long.title.text).toHaveLength(24);
    expect(long.title.text).toBe('Provision infrastructur…');
    expect(checkView(long)).toBeUndefined();
    for (const label of [long.submit, long.close]) expect(label.text.length).toBeLessThanOrEqual(24);
  });

  it('has one input block per input, in order, with the input’s name as block_id', () => {
    const view = modal(formFor(action('create-service'), {}, 'slack:C1'));
    expect(view.callback_id).toBe(FORM_CALLBACK);
    expect(view.blocks[0]).toMatchObject({ type: 'section', text: { type: 'mrkdwn', text: action('create-service').metadata.description } });
    expect(inputs(view).map((b) => b.block_id)).toEqual(['name', 'owner', 'system', 'tier', 'template', 'createChannel']);
    expect(inputs(view).map((b) => b.element.action_id)).toEqual(Array(6).fill('value'));
    expect(input(view, 'name').label.text).toBe('Service name');
  });

  it('marks only required inputs as needed, booleans never', () => {
    const view = modal(formFor(action('create-service'), {}, 'slack:C1'));
    expect(Object.fromEntries(inputs(view).map((b) => [b.block_id, b.optional]))).toEqual({
      name: false,
      owner: false,
      system: false,
      tier: true,
      template: true,
      createChannel: true,
    });
  });

  it('shows each input’s help as the hint', () => {
    const view = modal(formFor(action('rollback'), {}, 'slack:C1'));
    expect(input(view, 'version').hint?.text).toBe('Leave empty for the previous successful deploy');
    expect(input(view, 'reason').hint).toBeUndefined();
  });

  it('gives a select its options and the default or given value as initial_option', () => {
    const view = modal(formFor(action('create-service'), { tier: 'tier-1' }, 'slack:C1'));
    const tier = input(view, 'tier').element;
    expect(tier.type).toBe('static_select');
    expect(tier.options?.map((o) => o.value)).toEqual(['tier-1', 'tier-2', 'tier-3']);
    expect(tier.initial_option).toEqual(tier.options?.[0]);
    expect(input(view, 'template').element.initial_option?.value).toBe('node-service');
  });

  it('leaves initial_option out when there is no value, or one that is not an option', () => {
    expect(input(modal(formFor(action('provision'), {}, 'slack:C1')), 'tier').element.initial_option).toBeUndefined();
    const view = modal(formFor(action('provision'), { tier: 'prod' }, 'slack:C1'));
    expect(input(view, 'tier').element.initial_option).toBeUndefined();
    expect(checkView(view)).toBeUndefined();
  });

  it('keeps at most 100 options, each label within 75 characters', () => {
    const options = Array.from({ length: 120 }, (_, i) => `option-${i}-${'x'.repeat(80)}`);
    const select = input(modal(form({ fields: [{ name: 'pick', label: 'Pick', kind: 'select', required: true, options }] })), 'pick').element;
    expect(select.options).toHaveLength(100);
    for (const o of select.options ?? []) expect(o.text.text.length).toBeLessThanOrEqual(75);
    expect(select.options?.[0]?.value).toBe(options[0]);
  });

  it('shows a boolean as one checkbox, ticked when true', () => {
    const off = input(modal(formFor(action('create-service'), {}, 'slack:C1')), 'createChannel').element;
    expect(off).toEqual({
      type: 'checkboxes',
      action_id: 'value',
      options: [{ text: { type: 'plain_text', text: 'Create a Slack channel for the service', emoji: true }, value: 'true' }],
    });
    const on = input(modal(formFor(action('create-service'), { createChannel: true }, 'slack:C1')), 'createChannel').element;
    expect(on.initial_options).toEqual(on.options);
  });

  it('prefills text inputs, picker refs as plain names', () => {
    const view = modal(formFor(action('rollback'), { service: 'component:default/payments-api', version: '1.4.2' }, 'slack:C1'));
    expect(input(view, 'version').element).toEqual({ type: 'plain_text_input', action_id: 'value', initial_value: '1.4.2' });
    const service = input(view, 'service').element;
    expect(service.initial_option?.value ?? service.initial_value).toBe('payments-api');
  });

  it('offers catalog pickers as external selects, prefilled with the plain name', () => {
    const view = modal(formFor(action('create-service'), { owner: 'group:default/team-payments' }, 'slack:C1'));
    expect(input(view, 'owner').element).toMatchObject({
      type: 'external_select',
      action_id: 'value',
      min_query_length: 0,
      placeholder: { type: 'plain_text', text: 'Choose a team' },
      initial_option: { text: { type: 'plain_text', text: 'team-payments' }, value: 'team-payments' },
    });
    expect(input(view, 'system').element.initial_option).toBeUndefined();
    expect(input(view, 'name').element.type).toBe('plain_text_input');
  });

  it('shows a number as a number input', () => {
    const view = modal(form({ fields: [{ name: 'replicas', label: 'Replicas', kind: 'number', required: false, initial: 3 }] }));
    expect(input(view, 'replicas').element).toEqual({ type: 'number_input', action_id: 'value', is_decimal_allowed: true, initial_value: '3' });
  });

  it('carries the action, the conversation and break-glass in private_metadata', () => {
    const view = modal(formFor(action('rollback'), {}, 'slack:C0INC42:1712.0001', true));
    expect(JSON.parse(view.private_metadata)).toEqual({ action: 'rollback', where: 'slack:C0INC42:1712.0001', breakGlass: true });
  });

  it('shows the description as text: markup in it is escaped and not parsed', () => {
    const view = modal(form({ description: 'Ping <!channel> & <@U0ADMIN> @here', fields: [] }));
    expect(view.blocks[0]?.text).toEqual({ type: 'mrkdwn', text: 'Ping &lt;!channel&gt; &amp; &lt;@U0ADMIN&gt; @here', verbatim: true });
  });

  it('stays within Slack’s 100 blocks however many inputs there are', () => {
    const fields: FormField[] = Array.from({ length: 150 }, (_, i) => ({ name: `f${i}`, label: `Field ${i}`, kind: 'text', required: false }));
    const view = modal(form({ fields }));
    expect(view.blocks).toHaveLength(100);
    expect(checkView(view)).toBeUndefined();
  });
});

describe('formValues', () => {
  it('maps each kind of element back to its input', () => {
    expect(
      formValues({
        name: { value: { type: 'plain_text_input', value: 'beans-api' } },
        owner: { value: { type: 'external_select', selected_option: { value: 'team-payments' } } },
        tier: { value: { type: 'static_select', selected_option: { value: 'tier-1' } } },
        createChannel: { value: { type: 'checkboxes', selected_options: [{ value: 'true' }] } },
        replicas: { value: { type: 'number_input', value: '3' } },
      }),
    ).toEqual({ name: 'beans-api', owner: 'team-payments', tier: 'tier-1', createChannel: true, replicas: '3' });
  });

  it('reads an unticked checkbox as false', () => {
    expect(formValues({ createChannel: { value: { type: 'checkboxes', selected_options: [] } } })).toEqual({ createChannel: false });
  });

  it('leaves out empty text and unchosen selects, so defaults apply', () => {
    const values = formValues({
      version: { value: { type: 'plain_text_input', value: null } },
      reason: { value: { type: 'plain_text_input', value: '' } },
      size: { value: { type: 'static_select', selected_option: null } },
    });
    expect(values.version).toBeUndefined();
    expect(values.reason).toBeUndefined();
    expect(values.size).toBeUndefined();
    expect('version' in values || 'reason' in values).toBe(false);
  });

  it('ignores blocks without the value action', () => {
    expect(formValues({ note: { other: { type: 'plain_text_input', value: 'x' } } })).toEqual({});
  });

  it('gives back what the modal was prefilled with when submitted untouched', () => {
    const prefilled = { name: 'beans-api', owner: 'team-payments', system: 'payments', tier: 'tier-2', createChannel: true };
    const view = modal(formFor(action('create-service'), prefilled, 'slack:C1'));
    expect(formValues(untouched(view) as never)).toEqual({ ...prefilled, template: 'node-service' });
  });
});

describe('rejectModal', () => {
  it('asks for a reason, carrying the workflow id', () => {
    const view = rejectModal(
      'provision/payments-api/postgres/production',
      'Provision infrastructure: payments-api · postgres · production',
    ) as unknown as Modal;
    expect(checkView(view)).toBeUndefined();
    expect(view).toMatchObject({ type: 'modal', callback_id: REJECT_CALLBACK, private_metadata: 'provision/payments-api/postgres/production' });
    expect(view.title.text).toBe('Reject the request');
    expect(view.submit.text).toBe('Reject');
    const reason = input(view, 'reason');
    expect(reason.optional).toBeUndefined();
    expect(reason.element).toMatchObject({ type: 'plain_text_input', action_id: 'value', multiline: true, max_length: 500 });
  });

  it('names the request without markup a summary could smuggle in', () => {
    const view = rejectModal('create-service/beans-api', 'Create <!channel> & <@U123>') as unknown as Modal;
    const text = view.blocks[0]?.text?.text;
    expect(text).toBe('Rejecting *Create !channel  @U123*. The requester sees your reason.');
  });

  it('decodes the escaped message text it is given before taking markup out', () => {
    const view = rejectModal('create-service/beans-api', 'R&amp;D &lt;!channel&gt;') as unknown as Modal;
    expect(view.blocks[0]?.text?.text).toBe('Rejecting *RD !channel*. The requester sees your reason.');
  });

  it('keeps a very long summary within the section limit', () => {
    const view = rejectModal('create-service/beans-api', 'x'.repeat(5000)) as unknown as Modal;
    expect(checkView(view)).toBeUndefined();
  });
});
