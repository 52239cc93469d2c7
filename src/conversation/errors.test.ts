/** What a person reads of an error: a code and a first line, never a secret. */
import { describe, expect, it } from 'vitest';
import { describeError } from './errors.js';

describe('describeError', () => {
  it('gives the Slack error code of a Web API failure and the first line of the message', () => {
    expect(
      describeError(
        Object.assign(new Error('An API error occurred: invalid_trigger_id\nmore'), {
          code: 'slack_webapi_platform_error',
          data: { error: 'invalid_trigger_id' },
        }),
      ),
    ).toEqual({
      code: 'invalid_trigger_id',
      message: 'An API error occurred: invalid_trigger_id',
    });
  });

  it('keeps a bot token out of what the person reads', () => {
    expect(describeError(new Error('auth failed for xoxb-1234-5678-abcdefgh')).message).not.toContain('xoxb-1234');
  });
});
