/**
 * Self-service forms as Adaptive Cards: one input per action input, errors shown under their field with
 * the values typed before kept, and picker inputs that search the catalog as the person types (dynamic
 * typeahead: an `Input.ChoiceSet` with `choices.data` of type `Data.Query`, answered through the
 * `application/search` invoke; Teams docs, dynamic-search.md). Submit is an `Action.Execute` with verb
 * `sb-form`; Teams merges the inputs, by id, beside `sbForm` in the invoke's `value.action.data`.
 *
 * A picker's `dataset` is `<action>/<input>` (`create-service/owner`), not the bare picker type: the
 * suggestions come from `act.suggest(action, input, text)`, which needs both, and a `Data.Query` carries
 * nothing else back to the bot.
 *
 * Input ids are the field names behind `in:`, so no field can collide with `sbForm` and keys Teams or a
 * client adds are ignored. Everything in `data` comes back from the client that clicked: formSubmission
 * checks its shape, and the core validates the values and decides what `context` allows.
 */
import { z } from 'zod';
import type { PickerType } from '../../actions/schema.js';
import type { Form, FormField } from '../../conversation/index.js';
import { type AdaptiveCard, CARD_SCHEMA, type CardElement, escapeMarkdown, plainText } from './render.js';

export const FORM_VERB = 'sb-form';
export const INPUT_PREFIX = 'in:';

export const FORM_LIMITS = {
  /** Ours, as Slack's form takes an initial value: characters of one text input. */
  inputText: 3000,
  /** Ours, as Slack's static_select: options of one select. */
  choices: 100,
  /** "The number of options in the dropdown is limited to 15" (dynamic-search.md). */
  searchResults: 15,
  queryText: 200,
} as const;

/** A picker's Data.Query dataset: the action and the input it belongs to. */
export const datasetOf = (action: string, input: string) => `${action}/${input}`;

const PICKER_NOUN: Record<PickerType, string> = { group: 'team', system: 'system', service: 'service' };

const text = (s: string, extra: Record<string, unknown> = {}): CardElement => ({ type: 'TextBlock', text: escapeMarkdown(s), wrap: true, ...extra });
const attention = (message: string) => text(message, { color: 'Attention', spacing: 'Small' });

function input(form: Form, f: FormField, value: string | undefined): CardElement {
  const id = `${INPUT_PREFIX}${f.name}`;
  const label = plainText(f.label);
  const required = f.required ? { isRequired: true, errorMessage: plainText(`${f.label} is required`) } : {};
  if (f.kind === 'boolean') {
    // A toggle is always answered (on or off): never "required".
    return { type: 'Input.Toggle', id, title: label, valueOn: 'true', valueOff: 'false', value: value === 'true' ? 'true' : 'false' };
  }
  if (f.kind === 'number') {
    const n = value === undefined || value.trim() === '' ? NaN : Number(value);
    return { type: 'Input.Number', id, label, ...required, ...(Number.isFinite(n) && { value: n }) };
  }
  if (f.kind === 'select') {
    const options = (f.options ?? []).slice(0, FORM_LIMITS.choices);
    const choices = options.map((o) => ({ title: plainText(o), value: o }));
    return { type: 'Input.ChoiceSet', id, label, style: 'compact', choices, ...required, ...(value !== undefined && options.includes(value) && { value }) };
  }
  if (f.picker) {
    // The current value is offered as the one choice, so the input shows it before any search.
    const current = value?.trim() ? [{ title: plainText(value), value }] : [];
    return {
      type: 'Input.ChoiceSet',
      id,
      label,
      style: 'filtered',
      isMultiSelect: false,
      placeholder: `Choose a ${PICKER_NOUN[f.picker]}`,
      choices: current,
      'choices.data': { type: 'Data.Query', dataset: datasetOf(form.action, f.name) },
      ...required,
      ...(current.length && { value }),
    };
  }
  return {
    type: 'Input.Text',
    id,
    label,
    maxLength: FORM_LIMITS.inputText,
    ...required,
    ...(value !== undefined && { value: value.slice(0, FORM_LIMITS.inputText) }),
  };
}

export interface FormCardOptions {
  /** Per-field errors from the last submission; an input not in the form is shown above the fields. */
  errors?: { input: string; message: string }[];
  /** What was submitted before, by field name: kept over the fields' initial values. */
  values?: Record<string, string>;
}

export function toFormCard(form: Form, opts: FormCardOptions = {}): AdaptiveCard {
  const errors = opts.errors ?? [];
  const names = new Set(form.fields.map((f) => f.name));
  // The title and description come from an action file: text, like everything else a file says.
  const body: CardElement[] = [text(form.title, { size: 'Large', weight: 'Bolder' }), text(form.description)];
  for (const e of errors.filter((e) => !names.has(e.input))) body.push(attention(`${e.input}: ${e.message}`));
  for (const f of form.fields) {
    const value = opts.values?.[f.name] ?? (f.initial === undefined ? undefined : String(f.initial));
    body.push(input(form, f, value));
    if (f.hint) body.push(text(f.hint, { isSubtle: true, size: 'Small', spacing: 'Small' }));
    for (const e of errors.filter((e) => e.input === f.name)) body.push(attention(`${f.label} ${e.message}`));
  }
  body.push({
    type: 'ActionSet',
    actions: [
      { type: 'Action.Execute', verb: FORM_VERB, title: 'Request', style: 'positive', data: { sbForm: { action: form.action, context: form.context } } },
    ],
  });
  return { $schema: CARD_SCHEMA, type: 'AdaptiveCard', version: '1.5', body, msteams: { width: 'Full', entities: [] } };
}

const FormMeta = z.object({
  action: z.string().min(1).max(200),
  context: z.object({ where: z.string().min(1).max(1000), breakGlass: z.boolean() }),
});
const InputValue = z.union([z.string().max(FORM_LIMITS.inputText), z.number(), z.boolean()]);
const FormData = z.looseObject({ sbForm: FormMeta });

export interface FormSubmission {
  meta: z.infer<typeof FormMeta>;
  /** By field name; inputs left empty are left out, as the Slack form leaves them out. */
  values: Record<string, string>;
}

/** A submitted form from the invoke's `value.action.data`, or null when it is not one of ours or not well-formed. */
export function formSubmission(data: unknown): FormSubmission | null {
  const parsed = FormData.safeParse(data);
  if (!parsed.success) return null;
  const values: [string, string][] = [];
  for (const [key, raw] of Object.entries(parsed.data)) {
    if (!key.startsWith(INPUT_PREFIX) || key.length === INPUT_PREFIX.length) continue;
    const value = InputValue.safeParse(raw);
    if (!value.success) return null;
    const v = String(value.data);
    if (v !== '') values.push([key.slice(INPUT_PREFIX.length), v]);
  }
  // fromEntries defines own properties: an input named __proto__ stays data.
  return { meta: { action: parsed.data.sbForm.action, context: parsed.data.sbForm.context }, values: Object.fromEntries(values) };
}

// What Teams sends for a Data.Query (dynamic-search.md, "Invoke request"; @microsoft/teams.api
// SearchInvokeValue): `kind` is left out by typeahead inputs.
const DATASET = /^[a-z0-9][a-z0-9-]{0,99}\/[a-z][a-zA-Z0-9]{0,99}$/;
const SearchValue = z.looseObject({
  // @microsoft/teams.api SearchInvokeValue: search, searchAnswer or typeahead; typeahead inputs may leave it out.
  kind: z.enum(['search', 'searchAnswer', 'typeahead']).optional(),
  queryText: z.string(),
  dataset: z.string().regex(DATASET),
  queryOptions: z.looseObject({ skip: z.number().int().min(0).optional(), top: z.number().int().min(1).optional() }).optional(),
});

/** A picker's search from an `application/search` invoke's value, or null when it is not a typeahead of ours. */
export function searchQuery(value: unknown): { dataset: string; text: string; max: number } | null {
  const parsed = SearchValue.safeParse(value);
  if (!parsed.success) return null;
  const top = parsed.data.queryOptions?.top ?? FORM_LIMITS.searchResults;
  return { dataset: parsed.data.dataset, text: parsed.data.queryText.trim().slice(0, FORM_LIMITS.queryText), max: Math.min(top, FORM_LIMITS.searchResults) };
}

export interface SearchResponse {
  statusCode: 200;
  type: 'application/vnd.microsoft.search.searchResponse';
  value: { results: { title: string; value: string }[] };
}

/** The invoke response with the choices a picker offers (teams.api SearchInvokeResponse). */
export function searchResponse(options: { label: string; value: string }[]): SearchResponse {
  const results = options.slice(0, FORM_LIMITS.searchResults).map((o) => ({ title: plainText(o.label), value: o.value }));
  return { statusCode: 200, type: 'application/vnd.microsoft.search.searchResponse', value: { results } };
}
