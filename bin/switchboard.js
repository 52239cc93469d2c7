#!/usr/bin/env node
// The switchboard command. Runs the compiled CLI in dist/ (scripts/build.mjs; `npm install` builds it).
// When a source changed since that build, it compiles again first, saying so in one line on stderr
// (under a second); where it cannot (esbuild missing, a read-only installation), it runs the TypeScript
// sources through tsx instead, which works but spends seconds compiling on every call.
import { enableCompileCache } from 'node:module';
import { build, check } from '../scripts/build.mjs';

/** The long-running commands: they get source-mapped stack traces. */
const SERVERS = new Set(['start', 'bot', 'worker']);
const argv = process.argv.slice(2);

// V8's compiled code for each module, kept on disk (the OS temp folder) between calls: a `whoowns`
// spends most of its time loading modules, and this saves 10–15% of it. Node checks each entry
// against its file's content.
enableCompileCache();

const found = check();
let compiled = true;
if (found.state === 'stale') {
  process.stderr.write(`switchboard: ${found.reason}; compiling to dist/ first\n`);
  try {
    await build();
  } catch (err) {
    compiled = false;
    const why = err?.code === 'ERR_MODULE_NOT_FOUND' ? 'esbuild is not installed' : (err?.message ?? String(err)).split('\n')[0];
    process.stderr.write(`switchboard: cannot compile (${why}); running the TypeScript sources through tsx\n`);
  }
}

let main;
if (compiled) {
  // Stack traces name the .ts sources (the build writes source maps beside dist/) in the servers' logs.
  // Not for one-off commands: reading the maps costs a `whoowns` about 8% (NODE_OPTIONS=--enable-source-maps
  // turns them on anywhere).
  if (argv.some((a) => SERVERS.has(a))) process.setSourceMapsEnabled(true);
  ({ main } = await import('../dist/src/cli.js'));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli.ts'));
}
process.exitCode = await main(argv);
