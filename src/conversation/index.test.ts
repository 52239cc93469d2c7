import { describe, expect, it } from 'vitest';
import { createConversation, type CatalogQueries } from './index.js';

describe('castVote', () => {
  it('gives the typed outcome beside the reply, so a surface decides from its kind and not from the text', async () => {
    const conversation = createConversation({ catalog: {} as CatalogQueries });
    const { outcome, reply } = await conversation.castVote(
      'create-service/beans-api',
      'reject',
      { id: 'slack:U1', ref: null, displayName: 'U1', email: null, chatIds: { slack: 'U1' } },
      'no',
    );
    expect(outcome.kind).toBe('unavailable');
    expect(reply.summary).toBe('Self-service is unavailable');
  });
});
