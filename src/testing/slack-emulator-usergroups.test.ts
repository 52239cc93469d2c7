/** The emulator's user groups answer as Slack documents, over real HTTP. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSlackEmulator, type SlackEmulator } from './slack-emulator.js';

let emu: SlackEmulator;
let narrow: SlackEmulator;
const users = [
  { id: 'U0ALICE', email: 'alice@example.test' },
  { id: 'U0BOB', email: 'bob@example.test' },
];

beforeAll(async () => {
  emu = await startSlackEmulator({ users });
  narrow = await startSlackEmulator({ users, scopes: ['chat:write', 'usergroups:read'] });
});
afterAll(async () => {
  await emu.close();
  await narrow.close();
});

async function call(on: SlackEmulator, method: string, args: Record<string, unknown>): Promise<Record<string, unknown>> {
  const res = await fetch(`${on.url}${method}`, {
    method: 'POST',
    headers: { authorization: 'Bearer xoxb-test', 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify(args),
  });
  return (await res.json()) as Record<string, unknown>;
}

describe('Slack emulator user groups', () => {
  it('creates a group, lists it by handle and sets its members', async () => {
    const made = await call(emu, 'usergroups.create', { name: 'Payments on call', handle: 'payments-oncall' });
    expect(made.ok).toBe(true);
    const id = (made.usergroup as { id: string }).id;
    expect(id).toMatch(/^S/);
    expect(await call(emu, 'usergroups.users.update', { usergroup: id, users: 'U0ALICE,U0BOB' })).toMatchObject({
      ok: true,
      usergroup: { users: ['U0ALICE', 'U0BOB'] },
    });
    expect(await call(emu, 'usergroups.users.list', { usergroup: id })).toEqual({ ok: true, users: ['U0ALICE', 'U0BOB'] });
    const listed = await call(emu, 'usergroups.list', { include_users: true });
    expect(listed.usergroups).toEqual([expect.objectContaining({ id, handle: 'payments-oncall', users: ['U0ALICE', 'U0BOB'], user_count: 2 })]);
  });

  it('disables a group, hiding it unless include_disabled, keeps its handle, and enables it again', async () => {
    const made = await call(emu, 'usergroups.create', { name: 'Search on call', handle: 'search-oncall' });
    const id = (made.usergroup as { id: string }).id;
    expect(await call(emu, 'usergroups.disable', { usergroup: id })).toMatchObject({ ok: true, usergroup: { id, date_delete: expect.any(Number) } });
    const handles = async (args: Record<string, unknown>) =>
      ((await call(emu, 'usergroups.list', args)).usergroups as { handle: string }[]).map((g) => g.handle);
    expect(await handles({})).not.toContain('search-oncall');
    expect(await handles({ include_disabled: true })).toContain('search-oncall');
    expect(await call(emu, 'usergroups.create', { name: 'Search again', handle: 'search-oncall' })).toEqual({ ok: false, error: 'handle_already_exists' });
    expect(await call(emu, 'usergroups.users.list', { usergroup: id })).toEqual({ ok: false, error: 'no_such_subteam' });
    expect(await call(emu, 'usergroups.enable', { usergroup: id })).toMatchObject({ ok: true, usergroup: { date_delete: 0 } });
    expect(await handles({})).toContain('search-oncall');
    expect(await call(emu, 'usergroups.enable', { usergroup: 'S99999999' })).toEqual({ ok: false, error: 'no_such_subteam' });
    expect(await call(narrow, 'usergroups.disable', { usergroup: id })).toMatchObject({ ok: false, error: 'missing_scope', needed: 'usergroups:write' });
  });

  it('refuses a second group with the same handle', async () => {
    expect(await call(emu, 'usergroups.create', { name: 'Another', handle: 'payments-oncall' })).toEqual({ ok: false, error: 'handle_already_exists' });
  });

  it('answers no_such_subteam for an unknown group', async () => {
    expect(await call(emu, 'usergroups.users.update', { usergroup: 'S99999999', users: 'U0ALICE' })).toEqual({ ok: false, error: 'no_such_subteam' });
    expect(await call(emu, 'usergroups.users.list', { usergroup: 'S99999999' })).toEqual({ ok: false, error: 'no_such_subteam' });
  });

  it('answers invalid_users for an empty list or an unknown user', async () => {
    const id = ((await call(emu, 'usergroups.create', { name: 'Ledger on call', handle: 'ledger-oncall' })).usergroup as { id: string }).id;
    expect(await call(emu, 'usergroups.users.update', { usergroup: id, users: '' })).toEqual({ ok: false, error: 'invalid_users' });
    expect(await call(emu, 'usergroups.users.update', { usergroup: id, users: 'U0ALICE,U0NOBODY' })).toEqual({ ok: false, error: 'invalid_users' });
  });

  it('answers missing_scope with the scope needed when the token lacks usergroups:write', async () => {
    expect(await call(narrow, 'usergroups.create', { name: 'X', handle: 'x-oncall' })).toEqual({
      ok: false,
      error: 'missing_scope',
      needed: 'usergroups:write',
      provided: 'chat:write,usergroups:read',
    });
    expect((await call(narrow, 'usergroups.list', {})).ok).toBe(true);
  });

  it('answers ratelimited with Retry-After when told to', async () => {
    emu.rateLimitNext('usergroups.users.update', 1, 2);
    const res = await fetch(`${emu.url}usergroups.users.update`, {
      method: 'POST',
      headers: { authorization: 'Bearer xoxb-test', 'content-type': 'application/json' },
      body: JSON.stringify({ usergroup: 'S00000001', users: 'U0ALICE' }),
    });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('2');
    expect(await res.json()).toEqual({ ok: false, error: 'ratelimited' });
  });
});
