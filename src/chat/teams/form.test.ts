import { describe, expect, it } from 'vitest';
import type { Form } from '../../conversation/index.js';
import { FORM_VERB, formSubmission, INPUT_PREFIX, searchQuery, searchResponse, toFormCard } from './form.js';
import type { CardElement } from './render.js';

const form = (over: Partial<Form> = {}): Form => ({
  action: 'create-service',
  title: 'Create a service',
  description: 'Creates the repository **and** the [catalog](http://evil) entry',
  fields: [
    { name: 'name', label: 'Service name', kind: 'text', required: true, hint: 'The repository takes this name', initial: 'beans-api' },
    { name: 'owner', label: 'Owner team', kind: 'text', required: true, picker: 'group', initial: 'team-payments' },
    { name: 'replicas', label: 'Replicas', kind: 'number', required: false, initial: 2 },
    { name: 'tier', label: 'Tier', kind: 'select', required: true, options: ['gold', 'silver'], initial: 'silver' },
    { name: 'createChannel', label: 'Create a channel', kind: 'boolean', required: false, initial: true },
  ],
  context: { where: 'teams:19:abc@thread.v2:1712', breakGlass: false },
  ...over,
});

const inputs = (body: CardElement[]) => body.filter((b) => b.type.startsWith('Input.'));
const byId = (body: CardElement[], name: string) => body.find((b) => b.id === `${INPUT_PREFIX}${name}`) as CardElement;
const submit = (body: CardElement[]) => (body.at(-1)!.actions as CardElement[])[0]!;

describe('forms as Adaptive Cards', () => {
  it('gives each kind of field its input, with label, required and an error message', () => {
    const { body } = toFormCard(form());
    expect(inputs(body).map((i) => [i.id, i.type])).toEqual([
      ['in:name', 'Input.Text'],
      ['in:owner', 'Input.ChoiceSet'],
      ['in:replicas', 'Input.Number'],
      ['in:tier', 'Input.ChoiceSet'],
      ['in:createChannel', 'Input.Toggle'],
    ]);
    expect(byId(body, 'name')).toMatchObject({ label: 'Service name', isRequired: true, errorMessage: 'Service name is required', value: 'beans-api' });
    expect(byId(body, 'replicas')).toMatchObject({ value: 2 });
    expect(byId(body, 'replicas').isRequired).toBeUndefined();
    expect(byId(body, 'tier')).toMatchObject({
      style: 'compact',
      value: 'silver',
      choices: [
        { title: 'gold', value: 'gold' },
        { title: 'silver', value: 'silver' },
      ],
    });
    expect(byId(body, 'createChannel')).toMatchObject({ title: 'Create a channel', valueOn: 'true', valueOff: 'false', value: 'true' });
  });

  it('makes a picker a typeahead that names its action and input, showing its current value', () => {
    expect(byId(toFormCard(form()).body, 'owner')).toMatchObject({
      style: 'filtered',
      'choices.data': { type: 'Data.Query', dataset: 'create-service/owner' },
      choices: [{ title: 'team-payments', value: 'team-payments' }],
      value: 'team-payments',
      placeholder: 'Choose a team',
    });
  });

  it('shows the hint as subtle text under its field', () => {
    const { body } = toFormCard(form());
    const at = body.indexOf(byId(body, 'name'));
    expect(body[at + 1]).toMatchObject({ type: 'TextBlock', text: 'The repository takes this name', isSubtle: true });
  });

  it('escapes the description like any other text', () => {
    expect(toFormCard(form()).body[1]).toMatchObject({ text: `Creates the repository \\*\\*and\\*\\* the \\[catalog\\]\u2060(http:\u2060//evil) entry` });
  });

  it('keeps the values submitted before and shows each error under its field', () => {
    const { body } = toFormCard(form(), {
      values: { name: 'Beans API', tier: 'gold', createChannel: 'false' },
      errors: [
        { input: 'name', message: 'must match ^[a-z-]+$' },
        { input: 'extra', message: 'is not an input of create-service' },
      ],
    });
    expect(byId(body, 'name')).toMatchObject({ value: 'Beans API' });
    expect(byId(body, 'tier')).toMatchObject({ value: 'gold' });
    expect(byId(body, 'createChannel')).toMatchObject({ value: 'false' });
    const at = body.indexOf(byId(body, 'name'));
    expect(body[at + 2]).toEqual({ type: 'TextBlock', text: 'Service name must match ^\\[a-z-\\]+$', wrap: true, color: 'Attention', spacing: 'Small' });
    expect(body[2]).toMatchObject({ text: 'extra: is not an input of create-service', color: 'Attention' });
  });

  it('submits with Action.Execute, verb sb-form, carrying the action and its context unchanged', () => {
    const f = form({ context: { where: 'teams:19:x@thread.v2:1', breakGlass: true } });
    expect(submit(toFormCard(f).body)).toEqual({
      type: 'Action.Execute',
      verb: FORM_VERB,
      title: 'Request',
      style: 'positive',
      data: { sbForm: { action: 'create-service', context: { where: 'teams:19:x@thread.v2:1', breakGlass: true } } },
    });
  });
});

describe('form submissions', () => {
  it('reads what Teams sends back: the form meta and the inputs by field name', () => {
    const { body } = toFormCard(form());
    // Teams merges every input, by id, into the clicked action's data.
    const data = { ...(submit(body).data as object), 'in:name': 'beans-api', 'in:replicas': 3, 'in:createChannel': 'true', 'in:owner': '', other: { x: 1 } };
    expect(formSubmission(data)).toEqual({
      meta: { action: 'create-service', context: { where: 'teams:19:abc@thread.v2:1712', breakGlass: false } },
      values: { name: 'beans-api', replicas: '3', createChannel: 'true' },
    });
  });

  it('keeps an input named __proto__ as data', () => {
    const data = JSON.parse('{"sbForm":{"action":"a","context":{"where":"w","breakGlass":false}},"in:__proto__":"x"}') as unknown;
    const parsed = formSubmission(data);
    expect(Object.getPrototypeOf(parsed!.values)).toBe(Object.prototype);
    expect(Object.keys(parsed!.values)).toEqual(['__proto__']);
  });

  it('refuses junk', () => {
    const meta = { action: 'a', context: { where: 'w', breakGlass: false } };
    for (const junk of [
      null,
      'sbForm',
      [meta],
      {},
      { sbForm: 'create-service' },
      { sbForm: { action: '', context: meta.context } },
      { sbForm: { action: 'a', context: { where: 'w', breakGlass: 'yes' } } },
      { sbForm: { action: 'a', context: { where: 'w' } } },
      { sbForm: meta, 'in:name': { value: 'x' } },
      { sbForm: meta, 'in:name': ['x'] },
      { sbForm: meta, 'in:name': 'x'.repeat(3001) },
    ]) {
      expect(formSubmission(junk), JSON.stringify(junk).slice(0, 80)).toBeNull();
    }
  });
});

describe('picker search', () => {
  it('reads the documented application/search invoke value', () => {
    expect(searchQuery({ queryText: ' pay ', queryOptions: { skip: 0, top: 15 }, dataset: 'rollback/service' })).toEqual({
      dataset: 'rollback/service',
      text: 'pay',
      max: 15,
    });
    expect(searchQuery({ queryText: '', dataset: 'create-service/owner', kind: 'typeahead' })).toEqual({ dataset: 'create-service/owner', text: '', max: 15 });
  });

  it('never asks for more than the dropdown shows', () => {
    expect(searchQuery({ queryText: 'a', queryOptions: { top: 500 }, dataset: 'create-service/system' })?.max).toBe(15);
  });

  it('refuses a dataset that names no action input, an unknown kind of search and junk', () => {
    for (const junk of [
      null,
      'pay',
      { queryText: 'a', dataset: 'group' },
      { queryText: 'a', dataset: '../x/owner' },
      { queryText: 'a', dataset: 'create-service/owner', kind: 'messageExtension' },
      { dataset: 'create-service/owner' },
    ]) {
      expect(searchQuery(junk), JSON.stringify(junk)).toBeNull();
    }
  });

  it('answers with the documented search response, at most 15 results', () => {
    const options = Array.from({ length: 20 }, (_, i) => ({ label: `payments-${i} — <at>Payments</at>`, value: `payments-${i}` }));
    const response = searchResponse(options);
    expect(response).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.search.searchResponse' });
    expect(response.value.results).toHaveLength(15);
    expect(response.value.results[0]).toEqual({ title: 'payments-0 — ＜at＞Payments＜/at＞', value: 'payments-0' });
  });
});
