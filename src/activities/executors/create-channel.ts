/** `create-channel`: a channel for the new service, with the requester and the owning team's members. */
import type { PersonRef, StepActivity } from '../../../workflows/contract.js';
import type { SelfServiceDeps } from '../deps.js';
import { notifierFor, once, str } from '../support.js';

export const createChannel =
  (deps: SelfServiceDeps): StepActivity =>
  (ctx) =>
    once(deps, ctx, async () => {
      const name = str(ctx.step.with.name) ?? String(ctx.values.name);
      const inviteRef = str(ctx.step.with.invite);
      const members = inviteRef ? (deps.catalog.whoOwns(inviteRef).owner?.members ?? []) : [];
      const people: PersonRef[] = [ctx.requester, ...members.map((m) => ({ ref: m.ref, displayName: m.displayName, email: m.email, chatIds: m.chatIds }))];
      const channel = await notifierFor(deps, ctx.thread).createChannel(name, people);
      return { output: { channel: channel.ref }, links: channel.url ? [{ title: `#${channel.name}`, url: channel.url }] : [], detail: `#${channel.name}` };
    });
