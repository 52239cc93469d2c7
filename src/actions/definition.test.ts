import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { tempTree, type TempTree } from '../testing/fixtures.js';
import { loadActions, parseAction, parseDuration, type ActionProblem } from './definition.js';

const SHIPPED = fileURLToPath(new URL('../../manifests/actions/', import.meta.url));

const VALID = `apiVersion: switchboard.dev/v1alpha1
kind: Action
metadata:
  name: hello
  title: Say hello
  description: Posts a greeting
spec:
  command: /hello
  inputs:
    - name: who
      title: Who
      type: group
      required: true
  approval:
    - approvers:
        - ownerOf: who
      required: 1
  steps:
    - id: links
      title: Post the links
      run: post-links
`;

let tree: TempTree | undefined;
afterEach(() => tree?.cleanup());

function problemsOf(files: Record<string, string>): ActionProblem[] {
  tree = tempTree();
  for (const [name, text] of Object.entries(files)) tree.write(name, text);
  return loadActions(tree.dir).problems.map((p) => ({ ...p, file: p.file.slice((tree as TempTree).dir.length + 1) }));
}

describe('the shipped actions', () => {
  it('load with no problems', () => {
    const { actions, problems } = loadActions(SHIPPED);
    expect(problems).toEqual([]);
    expect(actions.map((a) => [a.metadata.name, a.spec.command])).toEqual([
      ['create-service', '/create-service'],
      ['provision', '/provision'],
      ['rollback', '/rollback'],
    ]);
  });

  it('have their durations in milliseconds', () => {
    const rollback = loadActions(SHIPPED).actions.find((a) => a.metadata.name === 'rollback');
    expect(rollback?.spec.approval[0]).toMatchObject({ remindAfter: 10 * 60_000, escalateAfter: 30 * 60_000, expireAfter: 2 * 3_600_000 });
  });
});

describe('parseDuration', () => {
  it('reads seconds, minutes, hours and days', () => {
    expect(['30s', '15m', '4h', '2d'].map(parseDuration)).toEqual([30_000, 900_000, 14_400_000, 172_800_000]);
  });

  it('refuses zero, other units and free text', () => {
    expect(['0s', '4w', '4 hours', '', '1.5h'].map(parseDuration)).toEqual([null, null, null, null, null]);
  });
});

describe('loadActions on bad files', () => {
  it('names the file, line and field of an approval rule needing no one', () => {
    const problems = problemsOf({ 'hello.yaml': VALID.replace('      required: 1', '      required: 0') });
    expect(problems).toEqual([{ file: 'hello.yaml', line: 17, path: 'spec.approval[0].required', message: 'must be at least 1' }]);
  });

  it('reports a bad duration with the formats it accepts', () => {
    const problems = problemsOf({ 'hello.yaml': VALID.replace('      required: 1', '      required: 1\n      expireAfter: 1 day') });
    expect(problems).toEqual([
      { file: 'hello.yaml', line: 18, path: 'spec.approval[0].expireAfter', message: 'must be a duration such as 30s, 15m, 4h or 2d' },
    ]);
  });

  it('reports an unknown field as such', () => {
    const problems = problemsOf({ 'hello.yaml': VALID.replace('  title: Say hello', '  title: Say hello\n  owner: me') });
    expect(problems).toMatchObject([{ path: 'metadata.owner', message: 'is not a known field', line: 6 }]);
  });

  it('reports an approver naming an input that does not exist', () => {
    const problems = problemsOf({ 'hello.yaml': VALID.replace('ownerOf: who', 'ownerOf: service') });
    expect(problems).toMatchObject([{ path: 'spec.approval[0].approvers[0].ownerOf', message: 'names no input (inputs are: who)' }]);
  });

  it('reports an enum input without values', () => {
    const problems = problemsOf({ 'hello.yaml': VALID.replace('type: group', 'type: enum') });
    expect(problems).toContainEqual(expect.objectContaining({ path: 'spec.inputs[0].values', message: 'is required for an enum input' }));
  });

  it('reports a webhook polling without a poll URL at its with block', () => {
    const steps = `  steps:
    - id: hook
      title: Call the hook
      run: webhook
      with:
        url: https://hooks.example/x
        secretEnv: HOOK_SECRET
        callback: false
        timeout: 30m
`;
    const problems = problemsOf({ 'hello.yaml': VALID.replace(/ {2}steps:[\s\S]*$/, steps) });
    expect(problems).toEqual([{ file: 'hello.yaml', line: 22, path: 'spec.steps[0].with.pollUrl', message: 'is required when callback is false' }]);
  });

  it('reports a step placeholder that names no input', () => {
    const problems = problemsOf({ 'hello.yaml': VALID.replace('run: post-links', 'run: post-links\n      with: { text: "hi {{whom}}" }') });
    expect(problems).toMatchObject([{ path: 'spec.steps[0].with.text', message: expect.stringMatching(/^\{\{whom\}\} names no input/) }]);
  });

  it('reports YAML syntax errors with their line', () => {
    const problems = problemsOf({ 'broken.yaml': 'metadata:\n  name: [a\n' });
    expect(problems).toMatchObject([{ file: 'broken.yaml', path: '', message: expect.stringMatching(/^YAML syntax error/) }]);
  });

  it('reports a second action with the same name or command and keeps the first', () => {
    tree = tempTree();
    tree.write('a.yaml', VALID);
    tree.write('b.yaml', VALID.replace('title: Say hello', 'title: Hello again'));
    const { actions, problems } = loadActions(tree.dir);
    expect(actions.map((a) => a.metadata.title)).toEqual(['Say hello']);
    expect(problems.map((p) => [p.file.slice(tree!.dir.length + 1), p.path, p.message])).toEqual([
      ['b.yaml', 'metadata.name', 'hello is already defined in a.yaml'],
      ['b.yaml', 'spec.command', '/hello is already used by a.yaml'],
    ]);
  });

  it('keeps the good files beside a bad one', () => {
    tree = tempTree();
    tree.write('good.yaml', VALID);
    tree.write('bad.yaml', VALID.replace('name: hello', 'name: Hello').replace('/hello', '/other'));
    const { actions, problems } = loadActions(tree.dir);
    expect(actions.map((a) => a.metadata.name)).toEqual(['hello']);
    expect(problems).toHaveLength(1);
  });

  it('reports a folder it cannot read instead of throwing', () => {
    expect(loadActions('/nonexistent/actions').problems).toMatchObject([{ file: '/nonexistent/actions', path: '' }]);
  });
});

describe('parseAction', () => {
  it('accepts a single approval rule written without a list', () => {
    const single = VALID.replace('    - approvers:\n        - ownerOf: who\n      required: 1', '    approvers:\n      - ownerOf: who\n    required: 2');
    const { action, problems } = parseAction(single, 'single.yaml');
    expect(problems).toEqual([]);
    expect(action?.spec.approval).toMatchObject([{ required: 2, selfApproval: false, expireAfter: 86_400_000 }]);
  });

  it('names a problem in a single rule without an index', () => {
    const single = VALID.replace('    - approvers:\n        - ownerOf: who\n      required: 1', '    approvers:\n      - ownerOf: who\n    required: 0');
    expect(parseAction(single, 'single.yaml').problems).toEqual([
      { file: 'single.yaml', line: 17, path: 'spec.approval.required', message: 'must be at least 1' },
    ]);
  });

  it('says what approval should be when it is neither a rule nor a list', () => {
    const text = VALID.replace(/ {2}approval:[\s\S]*?(?= {2}steps:)/, '  approval: platform\n');
    expect(parseAction(text, 'a.yaml').problems).toEqual([
      { file: 'a.yaml', line: 14, path: 'spec.approval', message: 'must be an approval rule or a list of them' },
    ]);
  });

  it('expands a compensation written as a bare run kind', () => {
    const { action } = parseAction(VALID.replace('run: post-links', 'run: post-links\n      compensate: register-catalog'), 'c.yaml');
    expect(action?.spec.steps[0]?.compensate).toEqual({ run: 'register-catalog', with: {} });
  });
});
