/**
 * Switchboard as the operator runs it: `node bin/switchboard.js <mode>` in a process of its own, ready
 * when its log says so (a sentinel line, never a delay), and an action that holds a request on a webhook
 * so a test can kill a worker in the middle of it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/switchboard.js', import.meta.url));

/** `create-hooked`: render, push, a webhook that calls back (the receiver may hold it), register. */
export const HOOKED_ACTION = `apiVersion: switchboard.dev/v1alpha1
kind: Action
metadata:
  name: create-hooked
  title: Create with a hook
  description: Creates a repository, waits for an infrastructure hook, then registers the service
spec:
  command: /create-hooked
  usage: <name>
  key: "{{name}}"
  inputs:
    - { name: name, title: Name, type: string, required: true, notInCatalog: true }
    - { name: owner, title: Owner, type: group, required: true }
    - { name: system, title: System, type: system, required: true }
    - { name: tier, title: Tier, type: enum, values: [tier-1, tier-2, tier-3], default: tier-3 }
    - { name: template, title: Template, type: enum, values: [node-service], default: node-service }
  approval:
    approvers: [{ group: team-platform }]
  steps:
    - { id: render, title: Render the template, run: render-template }
    - { id: push, title: Push the repository, run: git-push }
    - id: hook
      title: Provision its database
      run: webhook
      with: { url: "https://infra.quillmere.example/hooks/provision", secretEnv: PROVISION_HOOK_SECRET, callback: true, timeout: 5m }
    - { id: register, title: Register in the catalog, run: register-catalog }
`;

export interface Replica {
  name: string;
  child: ChildProcess;
  url: string;
  log: () => string;
}

/** Starts `switchboard <mode>` and resolves once its log says `ready` (a sentinel line, not a delay). */
export function startProcess(name: string, mode: 'bot' | 'worker', env: Record<string, string>, ready: RegExp): Promise<Replica> {
  const child = spawn(process.execPath, [BIN, mode], { env: { ...process.env, ...env, LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start: ${out.slice(-3000)}`)), 90_000);
    const onData = (d: Buffer) => {
      out = (out + d.toString()).slice(-200_000);
      if (ready.test(out)) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stderr?.off('data', onData);
        child.stdout?.on('data', (more: Buffer) => (out = (out + more.toString()).slice(-200_000)));
        child.stderr?.on('data', (more: Buffer) => (out = (out + more.toString()).slice(-200_000)));
        resolve({ name, child, url: `http://127.0.0.1:${env.PORT}`, log: () => out });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code ?? signal}) before it was ready: ${out.slice(-3000)}`));
    });
  });
}

export const exited = (child: ChildProcess) =>
  new Promise<void>((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r())));
