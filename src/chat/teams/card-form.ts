/**
 * Self-service forms as Adaptive Cards: one input per action input (id = the input's name), pickers
 * searched as the person types (`Data.Query`, answered through `application/search`), errors under their
 * field with the values kept, submitted with Action.Execute (verb `sb-form`) carrying the form's context.
 */
import { z } from 'zod';
import type { Form, FormField } from '../../conversation/index.js';
import type { AdaptiveCard } from './cards.js';
import { escapeText } from './cards.js';

const cut = (s: string, n: number) => (s.length <= n ? s : `${s.slice(0, n - 1)}…`);

function input(form: Form, f: FormField, value: string | undefined): Record<string, unknown> {
  const base = { id: f.name, label: cut(f.label, 100), isRequired: f.required, errorMessage: `${cut(f.label, 60)} is required.` };
  const initial = value ?? (f.initial === undefined ? undefined : String(f.initial));
  switch (f.kind) {
    case 'select':
      return {
        ...base,
        type: 'Input.ChoiceSet',
        style: 'compact',
        choices: (f.options ?? []).slice(0, 100).map((o) => ({ title: o, value: o })),
        ...(initial && { value: initial }),
      };
    case 'boolean':
      return { ...base, type: 'Input.Toggle', title: cut(f.label, 100), valueOn: 'true', valueOff: 'false', value: initial === 'true' ? 'true' : 'false' };
    case 'number':
      return { ...base, type: 'Input.Number', ...(initial !== undefined && initial !== '' && { value: Number(initial) }) };
    default:
      if (f.picker) {
        // Typeahead from the catalog: Teams sends application/search with this dataset.
        return {
          ...base,
          type: 'Input.ChoiceSet',
          style: 'filtered',
          choices: initial ? [{ title: initial, value: initial }] : [],
          'choices.data': { type: 'Data.Query', dataset: `${form.action}/${f.name}` },
          ...(initial && { value: initial }),
          placeholder: `Choose a ${f.picker === 'group' ? 'team' : f.picker}`,
        };
      }
      return {
        ...base,
        type: 'Input.Text',
        maxLength: 3000,
        ...(initial !== undefined && { value: initial }),
        ...(f.hint && { placeholder: cut(f.hint, 150) }),
      };
  }
}

/** The form; `errors` are shown under their fields and `values` kept as entered. */
export function toFormCard(form: Form, opts: { errors?: { input: string; message: string }[]; values?: Record<string, string> } = {}): AdaptiveCard {
  const body: Record<string, unknown>[] = [
    { type: 'TextBlock', text: escapeText(cut(form.title, 200)), size: 'Large', weight: 'Bolder', wrap: true },
    { type: 'TextBlock', text: escapeText(cut(form.description, 3000)), wrap: true, isSubtle: true },
  ];
  const names = new Set(form.fields.map((f) => f.name));
  const loose = (opts.errors ?? []).filter((e) => !names.has(e.input));
  if (loose.length) body.push({ type: 'TextBlock', text: escapeText(loose.map((e) => e.message).join('; ')), color: 'Attention', wrap: true });
  for (const f of form.fields.slice(0, 50)) {
    body.push(input(form, f, opts.values?.[f.name]));
    const errors = (opts.errors ?? []).filter((e) => e.input === f.name);
    if (errors.length)
      body.push({
        type: 'TextBlock',
        text: escapeText(errors.map((e) => e.message).join('; ')),
        color: 'Attention',
        size: 'Small',
        wrap: true,
        spacing: 'None',
      });
    else if (f.hint && f.kind !== 'text')
      body.push({ type: 'TextBlock', text: escapeText(cut(f.hint, 300)), isSubtle: true, size: 'Small', wrap: true, spacing: 'None' });
  }
  return {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.5',
    body,
    actions: [
      { type: 'Action.Execute', title: 'Submit', verb: 'sb-form', style: 'positive', data: { sbForm: { action: form.action, context: form.context } } },
    ],
    msteams: { width: 'Full' },
  };
}

const submission = z.object({
  sbForm: z.object({ action: z.string().min(1).max(100), context: z.object({ where: z.string().min(1).max(1000), breakGlass: z.boolean() }) }),
});

/** What Teams sends back from a form: the context it carried and the inputs by id (all strings). */
export function formSubmission(data: unknown): { meta: z.infer<typeof submission>['sbForm']; values: Record<string, string> } | null {
  const parsed = submission.safeParse(data);
  if (!parsed.success) return null;
  const values: Record<string, string> = {};
  for (const [k, v] of Object.entries(data as Record<string, unknown>)) {
    if (k === 'sbForm' || k === 'origin') continue;
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') values[k] = String(v);
  }
  return { meta: parsed.data.sbForm, values };
}

const search = z.object({
  queryText: z.string().max(200).default(''),
  dataset: z.string().min(1).max(200),
  queryOptions: z
    .object({ top: z.number().int().positive().max(100) })
    .partial()
    .optional(),
});

/** An `application/search` invoke: the dataset (`<action>/<input>`), the text typed, how many to answer. */
export function searchQuery(value: unknown): { dataset: string; text: string; max: number } | null {
  const parsed = search.safeParse(value);
  return parsed.success ? { dataset: parsed.data.dataset, text: parsed.data.queryText, max: parsed.data.queryOptions?.top ?? 15 } : null;
}

/** The documented search answer. */
export const searchResponse = (options: { label: string; value: string }[]) => ({
  statusCode: 200,
  type: 'application/vnd.microsoft.search.searchResponse',
  value: { results: options.map((o) => ({ title: cut(o.label, 100), value: o.value })) },
});
