/** Conversation and message refs: one grammar, parsed by one function, never by split(':'). */
import { describe, expect, it } from 'vitest';
import { conversationOf, formatRef, parseRef, platformOf } from './threads.js';

describe('thread refs', () => {
  it('reads Slack refs as they were always written', () => {
    expect(parseRef('slack:C123:1712.0001:1711.0009')).toEqual({ platform: 'slack', conversation: 'C123', message: '1712.0001', root: '1711.0009' });
    expect(formatRef({ platform: 'slack', conversation: 'C123', message: '1712.0001' })).toBe('slack:C123:1712.0001');
  });

  it('round-trips Teams conversation ids, which contain colons, semicolons and percent signs', () => {
    for (const conversation of ['19:abc@thread.tacv2;messageid=1712345678901', 'a:1Xyz-_AbC', '29:1%3A2', 'x%y']) {
      const ref = formatRef({ platform: 'teams', conversation, message: '1:2' });
      expect(parseRef(ref)).toEqual({ platform: 'teams', conversation, message: '1:2' });
      expect(conversationOf(ref)).toBe(formatRef({ platform: 'teams', conversation }));
      expect(platformOf(ref)).toBe('teams');
    }
  });

  it('refuses a ref without a platform or a conversation, quoting it', () => {
    expect(() => parseRef('C123')).toThrow('"C123" is not a conversation or message ref');
    expect(() => parseRef('slack:')).toThrow('"slack:"');
    expect(() => parseRef('slack:a:b:c:d')).toThrow();
  });
});
