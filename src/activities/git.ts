/** The real git binary, for activities that create repositories. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Runs git in `cwd` with a fixed identity and no user config, so results do not depend on the host. */
export async function git(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await run('git', args, {
    cwd,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: cwd,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_AUTHOR_NAME: 'Switchboard',
      GIT_AUTHOR_EMAIL: 'switchboard@localhost',
      GIT_COMMITTER_NAME: 'Switchboard',
      GIT_COMMITTER_EMAIL: 'switchboard@localhost',
    },
  });
  return stdout.trim();
}
