/** Card data a client echoes back is believed only under the bot's seal. */
import { describe, expect, it } from 'vitest';
import { createSeal } from './seal.js';

describe('card data seal', () => {
  const seal = createSeal('app-password-123');
  const context = { where: 'teams:19%3Aabc@thread.tacv2:171', breakGlass: false };

  it('accepts its own seal, whatever order the keys come back in', () => {
    expect(seal.check({ breakGlass: false, where: context.where }, seal.sign(context))).toBe(true);
  });

  it('refuses a changed value, a missing seal and a seal made with another key', () => {
    const signed = seal.sign(context);
    expect(seal.check({ ...context, where: 'teams:19%3Aother@thread.tacv2' }, signed)).toBe(false);
    expect(seal.check({ ...context, breakGlass: true }, signed)).toBe(false);
    expect(seal.check(context, undefined)).toBe(false);
    expect(seal.check(context, createSeal('another-password').sign(context))).toBe(false);
  });
});
