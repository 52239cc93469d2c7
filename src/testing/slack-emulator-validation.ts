/**
 * Block Kit validation, for messages and modal views. Wording follows the errors Slack returns ("no
 * more than 50 items allowed [json-pointer:/blocks]", "must be less than 3001 characters
 * [json-pointer:/blocks/0/text/text]"); the wording for missing fields, wrong text types and
 * duplicate ids is our approximation.
 */
import { isObj, str } from './slack-emulator-args.js';

const LIMITS = {
  blocks: 50,
  blockId: 255,
  sectionText: 3000,
  fields: 10,
  fieldText: 2000,
  headerText: 150,
  contextElements: 10,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  actionId: 255,
  messageText: 40000,
  inputLabel: 2000,
  inputHint: 2000,
  // A modal's title, submit and close labels share the 24-character limit.
  viewBlocks: 100,
  viewLabel: 24,
  callbackId: 255,
  privateMetadata: 3000,
  externalId: 255,
  viewBytes: 250 * 1024,
};

/** Collects Slack-style problem lines ("<message> [json-pointer:<path>]"). */
function problems() {
  const errors: string[] = [];
  const fail = (path: string, message: string) => {
    errors.push(`${message} [json-pointer:${path}]`);
  };
  const maxLen = (value: unknown, max: number, path: string) => {
    if (typeof value === 'string' && value.length > max) fail(path, `must be less than ${max + 1} characters`);
  };
  const maxItems = (value: unknown, max: number, path: string) => {
    if (Array.isArray(value) && value.length > max) fail(path, `no more than ${max} items allowed`);
  };
  /** A composition object: `{ type: 'plain_text' | 'mrkdwn', text }`. */
  const textObject = (value: unknown, path: string, max: number, types = ['plain_text', 'mrkdwn']) => {
    const before = errors.length;
    if (!isObj(value)) fail(path, 'must be an object');
    else {
      if (typeof value.type !== 'string') fail(path, 'missing required field: type');
      else if (!types.includes(value.type)) fail(`${path}/type`, `must be one of [${types.join(', ')}]`);
      if (typeof value.text !== 'string') fail(path, 'missing required field: text');
      else maxLen(value.text, max, `${path}/text`);
    }
    // Slack prefixes problems in a plain_text-or-mrkdwn slot with this schema-level line.
    if (errors.length > before && types.length > 1) errors.splice(before, 0, `failed to match all allowed schemas [json-pointer:${path}]`);
  };
  return { errors, fail, maxLen, maxItems, textObject };
}

/**
 * Messages and modals differ in the block limit (50 / 100) and in id scope: a view needs unique
 * block_ids and unique action_ids within each block; a message is checked, as before, for action_ids
 * unique across the whole message.
 */
function blockErrors(blocks: unknown[], surface: 'message' | 'view' = 'message'): string[] {
  const { errors, fail, maxLen, maxItems, textObject } = problems();
  const root = surface === 'view' ? '/view' : '';
  const blockIds = new Set<string>();
  let actionIds = new Set<string>();
  const element = (el: unknown, path: string) => {
    if (!isObj(el)) return;
    if (typeof el.action_id === 'string') {
      maxLen(el.action_id, LIMITS.actionId, `${path}/action_id`);
      if (actionIds.has(el.action_id)) fail(`${path}/action_id`, `duplicate action_id "${el.action_id}" in ${surface === 'view' ? 'block' : 'message'}`);
      actionIds.add(el.action_id);
    }
    if (el.type === 'button') {
      textObject(el.text, `${path}/text`, LIMITS.buttonText, ['plain_text']);
      maxLen(el.value, LIMITS.buttonValue, `${path}/value`);
    }
  };

  maxItems(blocks, surface === 'view' ? LIMITS.viewBlocks : LIMITS.blocks, `${root}/blocks`);
  blocks.forEach((block, i) => {
    const p = `${root}/blocks/${i}`;
    if (!isObj(block)) return fail(p, 'must be an object');
    if (surface === 'view') actionIds = new Set();
    maxLen(block.block_id, LIMITS.blockId, `${p}/block_id`);
    if (surface === 'view' && typeof block.block_id === 'string') {
      if (blockIds.has(block.block_id)) fail(`${p}/block_id`, `duplicate block_id "${block.block_id}" in view`);
      blockIds.add(block.block_id);
    }
    switch (block.type) {
      case 'section':
        if (block.text !== undefined) textObject(block.text, `${p}/text`, LIMITS.sectionText);
        maxItems(block.fields, LIMITS.fields, `${p}/fields`);
        if (Array.isArray(block.fields)) block.fields.forEach((f, j) => textObject(f, `${p}/fields/${j}`, LIMITS.fieldText));
        if (block.accessory !== undefined) element(block.accessory, `${p}/accessory`);
        break;
      case 'header':
        textObject(block.text, `${p}/text`, LIMITS.headerText, ['plain_text']);
        break;
      case 'context':
        maxItems(block.elements, LIMITS.contextElements, `${p}/elements`);
        break;
      case 'actions':
        maxItems(block.elements, LIMITS.actionsElements, `${p}/elements`);
        if (Array.isArray(block.elements)) block.elements.forEach((el, j) => element(el, `${p}/elements/${j}`));
        break;
      case 'input':
        if (block.label === undefined) fail(p, 'missing required field: label');
        else textObject(block.label, `${p}/label`, LIMITS.inputLabel, ['plain_text']);
        if (block.hint !== undefined) textObject(block.hint, `${p}/hint`, LIMITS.inputHint, ['plain_text']);
        if (block.element === undefined) fail(p, 'missing required field: element');
        else element(block.element, `${p}/element`);
        break;
    }
  });
  return errors;
}

/** Slack's answer for a message it refuses, or undefined when it is acceptable. */
export function checkMessage(msg: Record<string, unknown>, requireContent = true): (Record<string, unknown> & { ok: boolean }) | undefined {
  const text = str(msg.text);
  if (text !== undefined && text.length > LIMITS.messageText) return { ok: false, error: 'msg_too_long' };
  const { blocks, attachments } = msg;
  const hasContent = !!text || (Array.isArray(blocks) && blocks.length > 0) || (Array.isArray(attachments) && attachments.length > 0);
  if (requireContent && !hasContent) return { ok: false, error: 'no_text' };
  if (blocks === undefined) return undefined;
  if (!Array.isArray(blocks)) return { ok: false, error: 'invalid_blocks_format' };
  const errors = blockErrors(blocks);
  if (errors.length === 0) return undefined;
  return { ok: false, error: 'invalid_blocks', errors, response_metadata: { messages: errors.map((e) => `[ERROR] ${e}`) } };
}

/**
 * Slack's answer for a modal view it refuses (views.open / push / update), or undefined when it is
 * acceptable. Schema problems come back as invalid_arguments with "[ERROR] ..." lines, as Slack does.
 */
export function checkView(view: unknown): (Record<string, unknown> & { ok: boolean }) | undefined {
  const { errors, fail, maxLen, textObject } = problems();
  if (view === undefined) fail('/', 'missing required field: view');
  else if (!isObj(view)) fail('/view', 'must be an object');
  else if (Buffer.byteLength(JSON.stringify(view)) > LIMITS.viewBytes) return { ok: false, error: 'view_too_large' };
  else {
    if (typeof view.type !== 'string') fail('/view', 'missing required field: type');
    else if (view.type !== 'modal') fail('/view/type', 'must be one of [modal]');
    if (view.title === undefined) fail('/view', 'missing required field: title');
    else textObject(view.title, '/view/title', LIMITS.viewLabel, ['plain_text']);
    for (const button of ['submit', 'close'] as const) {
      if (view[button] !== undefined && view[button] !== null) textObject(view[button], `/view/${button}`, LIMITS.viewLabel, ['plain_text']);
    }
    maxLen(view.callback_id, LIMITS.callbackId, '/view/callback_id');
    maxLen(view.private_metadata, LIMITS.privateMetadata, '/view/private_metadata');
    maxLen(view.external_id, LIMITS.externalId, '/view/external_id');
    if (!Array.isArray(view.blocks)) fail('/view', 'missing required field: blocks');
    else {
      errors.push(...blockErrors(view.blocks, 'view'));
      const hasInput = view.blocks.some((b) => isObj(b) && b.type === 'input');
      if (hasInput && (view.submit === undefined || view.submit === null))
        fail('/view', 'missing required field: submit (a modal with input blocks needs one)');
    }
  }
  if (errors.length === 0) return undefined;
  return { ok: false, error: 'invalid_arguments', response_metadata: { messages: errors.map((e) => `[ERROR] ${e}`) } };
}
