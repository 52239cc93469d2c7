import { ApplicationFailure, CancelledFailure } from '@temporalio/activity';
import { describe, expect, it } from 'vitest';
import { CommandError, runCommand } from './command.js';
import { redacting } from './redacting.js';

const URL_WITH_PASSWORD = 'http://bob:s3cret-git@127.0.0.1:9/x.git';

describe('activity redaction', () => {
  it('redacts a failure’s message and stack, keeping its type and retryability', async () => {
    const acts = redacting({
      push: async () => {
        throw ApplicationFailure.nonRetryable(`push to ${URL_WITH_PASSWORD} refused`, 'PushFailed');
      },
    });
    const err = (await acts.push().catch((e: unknown) => e)) as ApplicationFailure;
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err).toMatchObject({ message: 'push to http://[redacted]@127.0.0.1:9/x.git refused', type: 'PushFailed', nonRetryable: true });
    expect(err.stack).not.toContain('s3cret-git');
  });

  it('turns a library error into a retryable failure of the same name, redacted, without its cause', async () => {
    const acts = redacting({
      run: async () => {
        throw Object.assign(new TypeError(`Command failed: git push ${URL_WITH_PASSWORD}`), { cause: new Error(URL_WITH_PASSWORD) });
      },
    });
    const err = (await acts.run().catch((e: unknown) => e)) as ApplicationFailure;
    expect(err).toMatchObject({ type: 'TypeError', nonRetryable: false });
    expect(err.cause).toBeUndefined();
    expect(JSON.stringify({ m: err.message, s: err.stack })).not.toContain('s3cret-git');
  });

  it('lets a cancellation through unchanged', async () => {
    const cancelled = new CancelledFailure('CANCELLED');
    const acts = redacting({
      wait: async () => {
        throw cancelled;
      },
    });
    await expect(acts.wait()).rejects.toBe(cancelled);
  });

  it('redacts results (step outputs) and arguments (what is posted to chat)', async () => {
    const seen: unknown[] = [];
    const acts = redacting({
      step: async (ctx: { note: string }) => {
        seen.push(ctx);
        return { output: { repository: URL_WITH_PASSWORD, token: 'abc', secretEnv: 'HOOK_SECRET' } };
      },
    });
    expect(await acts.step({ note: 'uses xoxb-1-2-3' })).toEqual({
      output: { repository: 'http://[redacted]@127.0.0.1:9/x.git', token: '[redacted]', secretEnv: 'HOOK_SECRET' },
    });
    expect(seen).toEqual([{ note: 'uses [redacted]' }]);
  });

  it('redacts a token a command prints, in its error and its output tail', async () => {
    const err = (await runCommand({
      argv: [process.execPath, '-e', 'console.log("login ghp_abcdefghijklmnop ok"); process.exit(3)'],
      inputs: {},
      timeoutMs: 10_000,
    }).catch((e: unknown) => e)) as CommandError;
    expect(err).toBeInstanceOf(CommandError);
    expect(err.message).toContain('login [redacted] ok');
    expect(err.result?.outputTail).toContain('login [redacted] ok');
  });
});
