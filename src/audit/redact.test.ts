import { describe, expect, it } from 'vitest';
import { redact, redactText, registerSecrets, secretsInEnvironment } from './redact.js';

describe('redaction', () => {
  it('removes the userinfo of URLs, user name and password alike', () => {
    expect(redactText("fatal: unable to access 'http://bob:s3cret-git@127.0.0.1:9/x.git/': 500")).toBe(
      "fatal: unable to access 'http://[redacted]@127.0.0.1:9/x.git/': 500",
    );
    expect(redactText('git push https://ghp_abc@github.com/o/r.git main')).toBe('git push https://[redacted]@github.com/o/r.git main');
    expect(redactText('see https://github.com/o/r and mail bob@example.com')).toBe('see https://github.com/o/r and mail bob@example.com');
  });

  it('redacts registered secrets wherever they appear, by value', () => {
    registerSecrets(['plain-webhook-secret-42', 'short']);
    expect(redactText('receiver said: bad plain-webhook-secret-42!')).toBe('receiver said: bad [redacted]!');
    // Too short to tell from ordinary text.
    expect(redactText('a short note')).toBe('a short note');
  });

  it('finds the secrets of an environment by variable name and in URL userinfo', () => {
    const found = secretsInEnvironment({
      SLACK_BOT_TOKEN: 'xoxb-1',
      PROVISION_HOOK_SECRET: 'hook-secret',
      SWITCHBOARD_GIT_REMOTE: 'http://bob:s3cret%2Fgit@127.0.0.1:9/repos',
      SWITCHBOARD_CATALOG: './manifests/catalog',
      PATH: '/usr/bin',
    });
    expect(found).toEqual(expect.arrayContaining(['xoxb-1', 'hook-secret', 's3cret%2Fgit', 's3cret/git']));
    expect(found).not.toContain('bob');
    expect(found).not.toContain('./manifests/catalog');
    expect(found).not.toContain('/usr/bin');
  });

  it('keeps the names of secret variables (secretEnv) but not values under secret keys', () => {
    expect(redact({ secretEnv: 'PROVISION_HOOK_SECRET', clientSecret: 'x', Cookie: 'a=b', signingKey: 'k' })).toEqual({
      secretEnv: 'PROVISION_HOOK_SECRET',
      clientSecret: '[redacted]',
      Cookie: '[redacted]',
      signingKey: '[redacted]',
    });
  });

  it('turns errors into their redacted type, message and stack', () => {
    const err = new Error('Command failed: git push http://bob:pw@host/x.git');
    const out = redact({ err }) as { err: { type: string; message: string; stack: string } };
    expect(out.err.type).toBe('Error');
    expect(out.err.message).toBe('Command failed: git push http://[redacted]@host/x.git');
    expect(out.err.stack).not.toContain('pw@');
  });
});
