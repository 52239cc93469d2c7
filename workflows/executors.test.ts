/** The executor table is whole: every undo it names is an executor, and only undo-only executors are hidden from action files. */
import { describe, expect, it } from 'vitest';
import { EXECUTORS, executorSpec, RUN_KINDS } from './executors.js';

describe('the executor table', () => {
  it('names an undo only when that undo is an executor of its own', () => {
    const undos = Object.values(EXECUTORS).flatMap((e) => ('undo' in e ? [e.undo] : []));
    expect(undos.length).toBeGreaterThan(0);
    for (const undo of undos) expect(executorSpec(undo), undo).toBeDefined();
  });

  it('lets action files name every executor but the built-in undos', () => {
    expect(RUN_KINDS).toEqual([
      'render-template',
      'git-push',
      'register-catalog',
      'create-channel',
      'post-links',
      'webhook',
      'command',
      'record-resource',
      'deploy-version',
    ]);
  });

  it('knows no executor by an inherited name', () => {
    expect(executorSpec('toString')).toBeUndefined();
    expect(executorSpec('no-such-executor')).toBeUndefined();
  });
});
