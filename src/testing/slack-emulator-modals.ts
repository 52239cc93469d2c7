/**
 * The Slack emulator's modals: trigger_ids minted for signed payloads, and views.open / push /
 * update over one view stack per user, refused as Slack refuses them.
 */
import { randomBytes } from 'node:crypto';
import { jsonArg, str, type Answer, type Handler, type Obj } from './slack-emulator-args.js';
import type { EmulatorView } from './slack-emulator-contract.js';
import { checkView } from './slack-emulator-validation.js';

const TRIGGER_TTL_MS = 3000;
/** The root view plus the two views Slack lets an app push on top of it. */
const VIEW_STACK_MAX = 3;

/** views.open / views.push / views.update over minted trigger_ids and one view stack per user. */
export function createModals(ids: { teamId: string; botId: string; appId: string }, now: () => number) {
  const triggers = new Map<string, { user: string; at: number; exchanged: boolean }>();
  const views = new Map<string, EmulatorView>();
  const stacks = new Map<string, string[]>(); // user → view ids, root first
  let triggerSeq = 0;
  let viewSeq = 0;

  const trigger = (userId = '') => {
    triggerSeq += 1;
    const id = `${now()}.${triggerSeq}.${randomBytes(6).toString('hex')}`;
    triggers.set(id, { user: userId, at: now(), exchanged: false });
    return id;
  };

  /** Runs `act` for the trigger's user; the trigger is spent only when `act` succeeds. */
  const withTrigger = (args: Obj, act: (user: string) => Answer): Answer => {
    const t = triggers.get(str(args.trigger_id) ?? str(args.interactivity_pointer) ?? '');
    if (!t) return { ok: false, error: 'invalid_trigger_id' };
    if (t.exchanged) return { ok: false, error: 'exchanged_trigger_id' };
    if (now() - t.at > TRIGGER_TTL_MS) return { ok: false, error: 'expired_trigger_id' };
    const answer = act(t.user);
    if (answer.ok) t.exchanged = true;
    return answer;
  };

  const byExternalId = (externalId: string) => [...views.values()].find((v) => v.external_id === externalId);
  /** Slack's refusal of a view payload; `self` is the id a views.update keeps. */
  const refuseView = (view: unknown, self?: string): Answer | undefined => {
    const bad = checkView(view);
    if (bad) return bad;
    const externalId = str((view as Obj).external_id);
    const holder = externalId ? byExternalId(externalId) : undefined;
    return holder && holder.id !== self ? { ok: false, error: 'duplicate_external_id' } : undefined;
  };
  const store = (view: Obj, id: string, root: string, previous: string | null, externalId = ''): EmulatorView => {
    const stored: EmulatorView = {
      team_id: ids.teamId,
      private_metadata: '',
      callback_id: '',
      clear_on_close: false,
      notify_on_close: false,
      ...view,
      id,
      external_id: str(view.external_id) ?? externalId,
      state: { values: {} },
      hash: `${Math.floor(now() / 1000)}.${randomBytes(4).toString('hex')}`,
      root_view_id: root,
      previous_view_id: previous,
      app_id: ids.appId,
      bot_id: ids.botId,
    };
    views.set(id, stored);
    return stored;
  };
  const nextViewId = () => `V${(++viewSeq).toString(36).toUpperCase().padStart(8, '0')}`;

  const methods: Record<string, Handler> = {
    'views.open': (args) =>
      withTrigger(args, (user) => {
        const view = jsonArg(args.view);
        const refused = refuseView(view);
        if (refused) return refused;
        const id = nextViewId();
        stacks.set(user, [id]);
        return { ok: true, view: store(view as Obj, id, id, null) };
      }),
    // A push with no modal open for the trigger's user starts a stack (Slack's answer there is undocumented).
    'views.push': (args) =>
      withTrigger(args, (user) => {
        const view = jsonArg(args.view);
        const refused = refuseView(view);
        if (refused) return refused;
        const stack = stacks.get(user) ?? [];
        if (stack.length >= VIEW_STACK_MAX) return { ok: false, error: 'push_limit_reached' };
        const id = nextViewId();
        stack.push(id);
        stacks.set(user, stack);
        return { ok: true, view: store(view as Obj, id, stack[0]!, stack.at(-2) ?? null) };
      }),
    'views.update': (args) => {
      const viewId = str(args.view_id);
      const externalId = str(args.external_id);
      if (!viewId && !externalId) {
        return { ok: false, error: 'invalid_arguments', response_metadata: { messages: ['[ERROR] either view_id or external_id is required'] } };
      }
      const current = viewId ? views.get(viewId) : byExternalId(externalId!);
      if (!current) return { ok: false, error: 'not_found' };
      const hash = str(args.hash);
      if (hash && hash !== current.hash) return { ok: false, error: 'hash_conflict' };
      const view = jsonArg(args.view);
      const refused = refuseView(view, current.id);
      if (refused) return refused;
      return { ok: true, view: store(view as Obj, current.id, current.root_view_id, current.previous_view_id, current.external_id) };
    },
  };
  return { trigger, views, methods };
}
