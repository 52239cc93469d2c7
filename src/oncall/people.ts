/**
 * A person a provider names, as the card shows them: the catalog User with that e-mail (and so their
 * chat accounts), else the provider's name and e-mail with `user: email:<address>`. Two Users claiming
 * one e-mail match neither (the catalog's `person` rule), so nobody is shown as somebody they are not.
 */
import type { OnCall, Person } from '../catalog/queries/types.js';

/** The catalog User with this e-mail address, or null (none, or two claim it). */
export type PersonByEmail = (email: string) => Person | null;

export interface ProviderShift {
  name: string;
  email: string | null;
  rotation: string;
  from: Date | null;
  until: Date | null;
  source: string;
  override?: boolean;
}

export function toOnCall(shift: ProviderShift, personByEmail: PersonByEmail, at: Date): OnCall {
  const person = shift.email ? personByEmail(shift.email) : null;
  return {
    user: person?.ref ?? (shift.email ? `email:${shift.email.toLowerCase()}` : `name:${shift.name}`),
    displayName: person?.displayName ?? shift.name,
    email: person?.email ?? shift.email,
    chatIds: person?.chatIds ?? {},
    rotation: shift.rotation,
    from: (shift.from ?? at).toISOString(),
    until: shift.until ? shift.until.toISOString() : null,
    override: shift.override ?? false,
    source: shift.source,
  };
}
