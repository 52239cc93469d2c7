/**
 * Self-service forms as Slack modals: one input block per action input (block_id = the input's name),
 * validation errors shown next to their field, and the reject-reason modal. Limits from Slack's
 * reference: title and button labels 24 characters, private_metadata 3,000, 100 blocks.
 */
import type { Form, FormField } from '../../conversation/index.js';
import { escape } from './render.js';

export const FORM_CALLBACK = 'sb:form';
export const REJECT_CALLBACK = 'sb:reject';
const cut = (s: string, n: number) => (s.length <= n ? s : `${s.slice(0, n - 1)}…`);
const plain = (text: string, n: number) => ({ type: 'plain_text' as const, text: cut(text, n), emoji: true });

type ViewBlock = Record<string, unknown>;

function element(f: FormField): Record<string, unknown> {
  const initial = f.initial === undefined ? undefined : String(f.initial);
  switch (f.kind) {
    case 'select': {
      const options = (f.options ?? []).slice(0, 100).map((o) => ({ text: plain(o, 75), value: o }));
      const chosen = options.find((o) => o.value === initial);
      return { type: 'static_select', action_id: 'value', options, ...(chosen && { initial_option: chosen }) };
    }
    case 'boolean': {
      const option = { text: plain(f.label, 75), value: 'true' };
      return { type: 'checkboxes', action_id: 'value', options: [option], ...(f.initial === true && { initial_options: [option] }) };
    }
    case 'text':
      if (f.picker) {
        // Options come from the catalog as the person types (block_suggestion → app.options).
        const initialOption = initial !== undefined ? { text: plain(initial, 75), value: initial } : undefined;
        return {
          type: 'external_select',
          action_id: 'value',
          min_query_length: 0,
          placeholder: plain(`Choose a ${f.picker === 'group' ? 'team' : f.picker}`, 150),
          ...(initialOption && { initial_option: initialOption }),
        };
      }
      return { type: 'plain_text_input', action_id: 'value', ...(initial !== undefined && { initial_value: cut(initial, 3000) }) };
    case 'number':
      return { type: 'number_input', action_id: 'value', is_decimal_allowed: true, ...(initial !== undefined && { initial_value: initial }) };
    default:
      return { type: 'plain_text_input', action_id: 'value', ...(initial !== undefined && { initial_value: cut(initial, 3000) }) };
  }
}

export interface FormMetadata {
  action: string;
  where: string;
  breakGlass: boolean;
}

export function toModal(form: Form): Record<string, unknown> {
  // The description comes from an action file: text, like everything else a file says.
  const blocks: ViewBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text: cut(escape(form.description), 3000), verbatim: true } }];
  for (const f of form.fields.slice(0, 99)) {
    blocks.push({
      type: 'input',
      block_id: f.name,
      optional: !f.required || f.kind === 'boolean',
      label: plain(f.label, 2000),
      element: element(f),
      ...(f.hint && { hint: plain(f.hint, 2000) }),
    });
  }
  const metadata: FormMetadata = { action: form.action, where: form.context.where, breakGlass: form.context.breakGlass };
  return {
    type: 'modal',
    callback_id: FORM_CALLBACK,
    private_metadata: JSON.stringify(metadata),
    title: plain(form.title, 24),
    submit: plain('Request', 24),
    close: plain('Cancel', 24),
    blocks,
  };
}

type StateValue = { type?: string; value?: string | null; selected_option?: { value: string } | null; selected_options?: { value: string }[] };

/** The submitted values by input name, from `view.state.values`. */
export function formValues(state: Record<string, Record<string, StateValue>>): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [name, actions] of Object.entries(state)) {
    const v = actions.value;
    if (!v) continue;
    if (v.type === 'checkboxes') values[name] = (v.selected_options ?? []).length > 0;
    else if (v.type === 'static_select' || v.type === 'external_select') values[name] = v.selected_option?.value;
    else if (v.value !== null && v.value !== undefined && v.value !== '') values[name] = v.value;
  }
  return values;
}

/** `summary` is the DM's text as Slack sends it back: mrkdwn, so its entities are decoded first. */
export function rejectModal(workflowId: string, summary: string): Record<string, unknown> {
  const decoded = summary.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  return {
    type: 'modal',
    callback_id: REJECT_CALLBACK,
    private_metadata: workflowId,
    title: plain('Reject the request', 24),
    submit: plain('Reject', 24),
    close: plain('Cancel', 24),
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: cut(`Rejecting *${decoded.replace(/[&<>]/g, '')}*. The requester sees your reason.`, 3000) } },
      {
        type: 'input',
        block_id: 'reason',
        label: plain('Reason', 2000),
        element: { type: 'plain_text_input', action_id: 'value', multiline: true, max_length: 500 },
      },
    ],
  };
}
