import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { normalizeOwner, ownersForPath, parseCodeowners } from './codeowners.js';

const FIXTURES = new URL('../../../fixtures/external/codeowners/', import.meta.url);
const fixtureNames = readdirSync(FIXTURES).filter((name) => name.endsWith('CODEOWNERS'));

function fixture(name: string) {
  return parseCodeowners(readFileSync(new URL(name, FIXTURES), 'utf8'), name);
}

/** Parses inline text that must be error-free. */
function parse(text: string) {
  const { rules, errors } = parseCodeowners(text, 'CODEOWNERS');
  expect(errors).toEqual([]);
  return rules;
}

function owners(text: string, path: string): string[] | null {
  return ownersForPath(parse(text), path)?.owners ?? null;
}

describe('real CODEOWNERS files', () => {
  it('finds all ten fixture files', () => {
    expect(fixtureNames).toHaveLength(10);
  });

  it.each(fixtureNames)('%s parses without errors into some rules', (name) => {
    const { rules, errors } = fixture(name);
    expect(errors).toEqual([]);
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) {
      expect(rule.section).toBeNull();
      for (const owner of rule.owners) expect(normalizeOwner(owner)).not.toBeNull();
    }
  });

  it('nodejs/node: lib/internal/streams/* owns files directly in that directory', () => {
    const { rules } = fixture('nodejs__node__.github__CODEOWNERS');
    expect(ownersForPath(rules, 'lib/internal/streams/readable.js')).toEqual({
      owners: ['@nodejs/streams'],
      rule: { pattern: '/lib/internal/streams/*', owners: ['@nodejs/streams'], line: 33, section: null },
    });
    expect(ownersForPath(rules, 'lib/internal/tls/secure-context.js')?.owners).toEqual(['@nodejs/crypto', '@nodejs/net']);
  });

  it('nodejs/node: /lib/internal/modules/* does not reach lib/internal/modules/esm/', () => {
    const { rules } = fixture('nodejs__node__.github__CODEOWNERS');
    expect(ownersForPath(rules, 'lib/internal/modules/helpers.js')?.owners).toEqual(['@nodejs/loaders']);
    expect(ownersForPath(rules, 'lib/internal/modules/esm/loader.js')).toBeNull();
  });

  it('nodejs/node: the later /lib/internal/bootstrap/web/* beats /lib/internal/bootstrap/*', () => {
    const { rules } = fixture('nodejs__node__.github__CODEOWNERS');
    expect(ownersForPath(rules, 'lib/internal/bootstrap/node.js')?.owners).toEqual(['@nodejs/startup']);
    expect(ownersForPath(rules, 'lib/internal/bootstrap/web/exposed-wildcard.js')?.rule.line).toBe(182);
  });

  it('python/cpython: unowned exclusions at the end override earlier owners', () => {
    const { rules } = fixture('python__cpython__.github__CODEOWNERS');
    expect(ownersForPath(rules, 'Lib/smtplib.py')?.owners).toEqual(['@python/email-team']);
    // `**/*mail*` (email-team) matches .mailmap, but the bare `.mailmap` line at 581 comes later.
    expect(ownersForPath(rules, '.mailmap')).toMatchObject({ owners: [], rule: { line: 581 } });
    // `**/*ssl*` matches, then `Modules/clinic/` (line 585) removes ownership.
    expect(ownersForPath(rules, 'Modules/clinic/_ssl.c.h')).toMatchObject({ owners: [], rule: { line: 585 } });
    expect(ownersForPath(rules, 'Modules/_io/clinic/bufferedio.c.h')).toMatchObject({ owners: [], rule: { line: 584 } });
  });

  it('python/cpython: Lib/asyncio/ (line 337) wins over the earlier **/*ssl*', () => {
    const { rules } = fixture('python__cpython__.github__CODEOWNERS');
    expect(ownersForPath(rules, 'Lib/asyncio/sslproto.py')).toMatchObject({
      owners: ['@1st1', '@asvetlov', '@kumaraditya303', '@willingc'],
      rule: { line: 337 },
    });
  });

  it('grpc/grpc: /** owns everything, /src/core/lib/iomgr/*_uv.h narrows it', () => {
    const { rules } = fixture('grpc__grpc__.github__CODEOWNERS');
    expect(ownersForPath(rules, 'README.md')).toMatchObject({ rule: { line: 4 } });
    expect(ownersForPath(rules, 'src/core/lib/iomgr/tcp_uv.h')?.rule.line).toBe(23);
    expect(ownersForPath(rules, 'src/core/lib/iomgr/tcp_posix.h')?.rule.pattern).toBe('/src/core/**');
  });

  it('backstage/backstage: /.changeset/*.md has no owners, so changesets are unowned', () => {
    const { rules } = fixture('backstage__backstage__.github__CODEOWNERS');
    expect(ownersForPath(rules, '.changeset/brave-cats-fly.md')).toMatchObject({ owners: [], rule: { line: 10 } });
    expect(ownersForPath(rules, 'plugins/catalog-backend-module-aws/src/index.ts')).toMatchObject({
      owners: ['@backstage/maintainers', '@backstage/reviewers', '@backstage/catalog-maintainers', '@pjungermann'],
      rule: { line: 28 },
    });
  });

  it('slackapi/java-slack-sdk: /docs/ is anchored to the root', () => {
    const { rules } = fixture('slackapi__java-slack-sdk__.github__CODEOWNERS');
    expect(ownersForPath(rules, 'docs/guides/events.md')?.owners).toEqual(['@slackapi/developer-education']);
    expect(ownersForPath(rules, 'bolt/docs/x.md')?.owners).toEqual(['@slackapi/slack-platform-java']);
  });

  it('Kitware/SMTK (GitLab): e-mail owners of a nested directory', () => {
    const { rules } = fixture('Kitware__SMTK__.gitlab__CODEOWNERS');
    const found = ownersForPath(rules, 'smtk/extension/vtk/source/Geometry.cxx');
    expect(found?.owners).toEqual(['david.thompson@kitware.com', 'tj.corona@kitware.com']);
    expect(found?.owners.map((o) => normalizeOwner(o)?.kind)).toEqual(['email', 'email']);
    expect(ownersForPath(rules, 'smtk/README.md')).toBeNull();
  });

  it('GitGuardian/ggshield (GitLab): a last line without a trailing newline still counts', () => {
    const { rules } = fixture('GitGuardian__ggshield__.gitlab__CODEOWNERS');
    expect(rules).toEqual([{ pattern: '*', owners: ['@eugenen', '@fseifi'], line: 1, section: null }]);
  });
});

describe('ownersForPath', () => {
  it('last matching rule wins', () => {
    const text = '* @all\n/src/ @src\n*.md @docs\n';
    expect(owners(text, 'src/README.md')).toEqual(['@docs']);
    expect(owners(text, 'src/index.ts')).toEqual(['@src']);
    expect(owners(text, 'LICENSE')).toEqual(['@all']);
  });

  it('returns null when no rule matches', () => {
    expect(ownersForPath(parse('/docs/ @docs\n'), 'src/a.ts')).toBeNull();
  });

  it('a rule with no owners makes the path explicitly unowned', () => {
    const rules = parse('/apps/ @octocat\n/apps/github\n');
    expect(ownersForPath(rules, 'apps/main/index.js')?.owners).toEqual(['@octocat']);
    expect(ownersForPath(rules, 'apps/github/index.js')).toEqual({ owners: [], rule: rules[1] });
  });

  it('a leading slash anchors to the repository root', () => {
    expect(owners('/build @b\n', 'build/x.js')).toEqual(['@b']);
    expect(owners('/build @b\n', 'src/build/x.js')).toBeNull();
  });

  it('a pattern without a slash matches at any depth', () => {
    expect(owners('build @b\n', 'src/build/x.js')).toEqual(['@b']);
    expect(owners('*.js @js\n', 'a/b/c.js')).toEqual(['@js']);
  });

  it('a slash in the middle anchors too', () => {
    expect(owners('docs/api @d\n', 'docs/api/x.md')).toEqual(['@d']);
    expect(owners('docs/api @d\n', 'site/docs/api/x.md')).toBeNull();
  });

  it('a trailing slash matches a directory and everything under it, but not a file of that name', () => {
    expect(owners('logs/ @l\n', 'app/logs/2024/01.txt')).toEqual(['@l']);
    expect(owners('logs/ @l\n', 'app/logs')).toBeNull();
  });

  it('a pattern that matches a directory also matches everything below it', () => {
    expect(owners('/src/lib @l\n', 'src/lib/deep/er/x.ts')).toEqual(['@l']);
    expect(owners('/plugins/catalog-* @c\n', 'plugins/catalog-graph/src/x.ts')).toEqual(['@c']);
  });

  it('docs/* matches files directly in docs only', () => {
    expect(owners('docs/* @d\n', 'docs/getting-started.md')).toEqual(['@d']);
    expect(owners('docs/* @d\n', 'docs/build-app/troubleshooting.md')).toBeNull();
  });

  it('* does not cross a slash, ** does', () => {
    expect(owners('/src/*.ts @s\n', 'src/a/b.ts')).toBeNull();
    expect(owners('/src/**/*.ts @s\n', 'src/a/b.ts')).toEqual(['@s']);
    expect(owners('/src/**/*.ts @s\n', 'src/b.ts')).toEqual(['@s']);
    expect(owners('**/logs @l\n', 'a/b/logs/x')).toEqual(['@l']);
  });

  it('* matches dotfiles and dot-directories', () => {
    expect(owners('* @all\n', '.github/workflows/ci.yml')).toEqual(['@all']);
  });

  it('? matches exactly one character other than a slash', () => {
    expect(owners('/v? @v\n', 'v1/x')).toEqual(['@v']);
    expect(owners('/v? @v\n', 'v10/x')).toBeNull();
  });

  it('glob-looking characters CODEOWNERS does not define are literal', () => {
    expect(owners('/pkg/a(b|c).js @p\n', 'pkg/a(b|c).js')).toEqual(['@p']);
    expect(owners('/pkg/a(b|c).js @p\n', 'pkg/ab.js')).toBeNull();
    expect(owners('/pkg/{a,b}.js @p\n', 'pkg/{a,b}.js')).toEqual(['@p']);
    expect(owners('/node_modules/@scope/x @p\n', 'node_modules/@scope/x/index.js')).toEqual(['@p']);
  });

  it('character classes follow fnmatch', () => {
    expect(owners('Python/ceval*.[ch] @c\n', 'Python/ceval_gil.h')).toEqual(['@c']);
    expect(owners('/x[!a].txt @c\n', 'xb.txt')).toEqual(['@c']);
    expect(owners('/x[!a].txt @c\n', 'xa.txt')).toBeNull();
  });

  it('ignores a leading slash on the queried path', () => {
    expect(owners('/a/ @a\n', '/a/b.txt')).toEqual(['@a']);
  });

  it('combines owners of each GitLab section, de-duplicated, and returns the last section rule', () => {
    const rules = parse(['* @general', '', '[Docs]', 'docs/ @docs @general', '', '[Backend]', '*.md @tech-writers', 'docs/api/ @api'].join('\n'));
    expect(ownersForPath(rules, 'docs/api/index.md')).toEqual({
      owners: ['@general', '@docs', '@api'],
      rule: rules[3],
    });
    // Only the unnamed section matches here.
    expect(ownersForPath(rules, 'src/a.ts')).toEqual({ owners: ['@general'], rule: rules[0] });
  });

  it('last match wins within a GitLab section', () => {
    expect(owners('[Docs]\ndocs/ @a\ndocs/api/ @b\n', 'docs/api/x.md')).toEqual(['@b']);
  });

  it('GitLab section names are case-insensitive and repeated sections are combined', () => {
    const rules = parse('[Docs]\ndocs/ @a\n[Other]\nsrc/ @o\n[docs]\ndocs/api/ @b\n');
    expect(ownersForPath(rules, 'docs/api/x.md')).toEqual({ owners: ['@b'], rule: rules[2] });
  });
});

describe('parseCodeowners', () => {
  it('records pattern, owners, 1-based line and null section', () => {
    expect(parse('# comment\n\n  /a/ @x  @org/t  \r\n')).toEqual([{ pattern: '/a/', owners: ['@x', '@org/t'], line: 3, section: null }]);
  });

  it('an escaped # starts a pattern, not a comment', () => {
    const rules = parse('\\#notes.md @n\n#notes.md @ignored\n');
    expect(rules).toEqual([{ pattern: '#notes.md', owners: ['@n'], line: 1, section: null }]);
    expect(ownersForPath(rules, 'dir/#notes.md')?.owners).toEqual(['@n']);
  });

  it('escaped spaces stay in the pattern', () => {
    const rules = parse('path\\ with\\ spaces/ @s\n');
    expect(rules[0]?.pattern).toBe('path with spaces/');
    expect(ownersForPath(rules, 'a/path with spaces/b.txt')?.owners).toEqual(['@s']);
  });

  it('an inline # comment after the owners is dropped', () => {
    expect(parse('/a @x # owned by x @y\n')[0]?.owners).toEqual(['@x']);
    expect(parse('/a # nobody\n')[0]?.owners).toEqual([]);
  });

  it('a # inside a token is not a comment', () => {
    expect(parse('/c#/ @x\n')[0]?.pattern).toBe('/c#/');
  });

  it('GitLab section header names the section of the rules below it', () => {
    const rules = parse('* @all\n[Section name]\n/a @x\n');
    expect(rules.map((r) => r.section)).toEqual([null, 'Section name']);
  });

  it('GitLab section default owners apply to section rules that name none', () => {
    const rules = parse('[Docs] @docs-team\ndocs/\nREADME.md @readme\n[Other]\nsrc/\n');
    expect(rules.map((r) => r.owners)).toEqual([['@docs-team'], ['@readme'], []]);
  });

  it('GitLab optional section ^[Name] is a normal section', () => {
    const rules = parse('^[Database] @database-team\nmodel/db/\n');
    expect(rules).toEqual([{ pattern: 'model/db/', owners: ['@database-team'], line: 2, section: 'Database' }]);
  });

  it('GitLab approval count [Name][2] is accepted, with default owners after it', () => {
    const rules = parse('[Documentation][2] @docs-team\ndocs/\n');
    expect(rules[0]).toMatchObject({ section: 'Documentation', owners: ['@docs-team'] });
  });

  it('a bracket pattern that is not a header stays a rule', () => {
    expect(parse('[Dd]ocs/ @d\n')[0]).toMatchObject({ pattern: '[Dd]ocs/', section: null });
  });

  it('reports an invalid owner token with its line and keeps the valid owners', () => {
    const { rules, errors } = parseCodeowners('* @all\n/docs/ @docs docs-team\n/src/ @src\n', 'CODEOWNERS');
    expect(errors).toEqual([{ file: 'CODEOWNERS', line: 2, message: expect.stringContaining('"docs-team"') }]);
    expect(rules.map((r) => r.owners)).toEqual([['@all'], ['@docs'], ['@src']]);
  });

  it('skips a line whose owners are all invalid instead of reading it as unowned', () => {
    const { rules, errors } = parseCodeowners('* @all\n/docs/ docs-team\n', 'f');
    expect(errors).toHaveLength(1);
    expect(ownersForPath(rules, 'docs/a.md')?.owners).toEqual(['@all']);
  });

  it('reports GitLab role owners (@@role) as invalid', () => {
    const { errors } = parseCodeowners('/config/ @@maintainer\n', 'f');
    expect(errors).toMatchObject([{ line: 1, message: expect.stringContaining('@@maintainer') }]);
  });

  it('reports a negated pattern and ignores the line', () => {
    const { rules, errors } = parseCodeowners('* @a\n!docs/ @b\n', 'f');
    expect(rules).toHaveLength(1);
    expect(errors).toMatchObject([{ line: 2, message: expect.stringContaining('negated') }]);
  });

  it('reports a pattern that can match nothing', () => {
    const { rules, errors } = parseCodeowners('/ @a\n', 'f');
    expect(rules).toEqual([]);
    expect(errors).toMatchObject([{ line: 1, message: expect.stringContaining('invalid pattern') }]);
  });

  it('reports malformed section headers and keeps parsing', () => {
    const { rules, errors } = parseCodeowners('[Docs\n[]\n[Ok][x] @ok bad\ndocs/\n', 'f');
    expect(errors.map((e) => e.line)).toEqual([1, 2, 3, 3]);
    expect(rules).toEqual([{ pattern: 'docs/', owners: ['@ok'], line: 4, section: 'Ok' }]);
  });

  it('never throws on arbitrary input', () => {
    for (const text of ['\\', '[', '^[', '***', '\u0000 @a', '\\#', '[a]]b', '/**/ @x', '\uFEFF* @a', 'a\\']) {
      expect(() => parseCodeowners(text, 'f')).not.toThrow();
      expect(() => ownersForPath(parseCodeowners(text, 'f').rules, 'a/b')).not.toThrow();
    }
  });
});

describe('normalizeOwner', () => {
  it('@org/team is a group named by its last segment, lower-cased', () => {
    expect(normalizeOwner('@Backstage/Catalog-Maintainers')).toEqual({
      kind: 'group',
      name: 'catalog-maintainers',
      raw: '@Backstage/Catalog-Maintainers',
    });
  });

  it('nested GitLab groups use the last segment', () => {
    expect(normalizeOwner('@group/with-nested/subgroup')).toMatchObject({ kind: 'group', name: 'subgroup' });
  });

  it('@user is a user', () => {
    expect(normalizeOwner('@AA-Turner')).toEqual({ kind: 'user', name: 'aa-turner', raw: '@AA-Turner' });
  });

  it('an e-mail address is lower-cased', () => {
    expect(normalizeOwner('Jane.Doe@Example.com')).toEqual({
      kind: 'email',
      name: 'jane.doe@example.com',
      raw: 'Jane.Doe@Example.com',
    });
  });

  it.each(['team', '@', '@org/', '@@maintainer', 'a@b', '@a b', '#x', ''])('rejects %j', (token) => {
    expect(normalizeOwner(token)).toBeNull();
  });
});
