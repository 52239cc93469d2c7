import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, logger: createLogger({ level: 'info' }, stream) };
}

describe('logger redaction', () => {
  it('redacts secrets in messages, merged objects and errors under any key', () => {
    const { lines, logger } = capture();
    logger.info(
      { remote: 'http://bob:s3cret-git@127.0.0.1:9/x.git', headers: { authorization: 'Bearer abcdefgh12345' } },
      'pushing to %s',
      'http://bob:s3cret-git@127.0.0.1:9/x.git',
    );
    logger.error({ err: new Error('git push http://bob:s3cret-git@127.0.0.1:9/x.git failed') }, 'step failed');
    logger.warn({ error: new Error('token xoxb-123-456-abc rejected') }, 'oops');
    logger.error(new Error('bare error with http://bob:s3cret-git@h/x'));
    const out = lines.join('');
    expect(lines).toHaveLength(4);
    expect(out).not.toContain('s3cret-git');
    expect(out).not.toContain('xoxb-123');
    expect(out).not.toContain('abcdefgh12345');
    expect(out).toContain('http://[redacted]@127.0.0.1:9/x.git');
    expect(JSON.parse(lines[1] as string).err.message).toBe('git push http://[redacted]@127.0.0.1:9/x.git failed');
    expect(JSON.parse(lines[3] as string).msg).toBe('bare error with http://[redacted]@h/x');
  });
});
