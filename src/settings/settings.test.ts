import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { allows } from '../catalog/rules.js';
import { ConfigError } from '../config.js';
import { tempTree, type TempTree } from '../testing/fixtures.js';
import { loadSettings, NO_SETTINGS, parseSettings } from './index.js';

let tree: TempTree;
beforeEach(() => (tree = tempTree()));
afterEach(() => tree.cleanup());

const problems = (text: string) => {
  try {
    parseSettings(text, '/etc/switchboard.yaml');
  } catch (err) {
    return (err as ConfigError).problems;
  }
  return [];
};

describe('switchboard.yaml', () => {
  it('is optional at its default path: no file, no rules', () => {
    expect(loadSettings(tree.path('switchboard.yaml'))).toBe(NO_SETTINGS);
  });

  it('must exist when SWITCHBOARD_CONFIG names it', () => {
    expect(() => loadSettings(tree.path('missing.yaml'), true)).toThrow(ConfigError);
  });

  it('names file, key path and line of a bad value', () => {
    expect(problems('catalog:\n  locations:\n    - type: file\n      target: ./a\n    - type: svn\n      target: ./b\n')).toEqual([
      '/etc/switchboard.yaml:5: catalog.locations.1.type: must be "file", "url" or "git"',
    ]);
  });

  it('names an unknown key on its own line', () => {
    expect(problems('catalog:\n  rules:\n    - allow: [Component]\n  rulez: []\n')).toEqual(['/etc/switchboard.yaml:4: catalog.rulez: is not a known setting']);
  });

  it('reports YAML syntax errors with their line', () => {
    expect(problems('catalog:\n  rules: [\n')[0]).toMatch(/^\/etc\/switchboard\.yaml:\d+: /);
  });

  it('refuses a fetch allow entry that is neither host nor CIDR', () => {
    expect(problems('catalog:\n  fetch:\n    allow: ["10.0.0.0/33"]\n')[0]).toContain('catalog.fetch.allow.0');
  });

  it('defaults the global rules to kinds without authority when the file gives none', () => {
    const { globalRule } = parseSettings('catalog: {}\n', '/etc/switchboard.yaml').catalog;
    expect(['Component', 'API', 'Location'].every((k) => allows(globalRule, k))).toBe(true);
    expect(['User', 'Group', 'Schedule'].some((k) => allows(globalRule, k))).toBe(false);
  });

  it("adds a location's rules to the global ones and resolves its path against the file's folder", () => {
    const settings = parseSettings(
      'catalog:\n  rules: [{allow: [Component]}]\n  locations:\n    - {type: file, target: ./org, rules: [{allow: [Group]}]}\n',
      '/etc/sb/switchboard.yaml',
    );
    const [org] = settings.catalog.locations;
    expect(org?.target).toBe('/etc/sb/org');
    expect(org?.rule && allows(org.rule, 'Group') && allows(org.rule, 'Component')).toBe(true);
    expect(org?.rule && allows(org.rule, 'User')).toBe(false);
  });

  it('reads a git location with its branch, its URL taken as written', () => {
    const settings = parseSettings(
      'catalog:\n  locations:\n    - {type: git, target: "https://git.example/acme/catalog.git", branch: release}\n',
      '/etc/sb/switchboard.yaml',
    );
    expect(settings.catalog.locations).toEqual([
      expect.objectContaining({ target: 'https://git.example/acme/catalog.git', source: { type: 'git', branch: 'release' } }),
    ]);
  });

  it('refuses a git target git would read as an option or run as a command, and a branch on other types', () => {
    expect(problems('catalog:\n  locations:\n    - {type: git, target: "--upload-pack=touch /tmp/x"}\n')).toEqual([
      '/etc/switchboard.yaml:3: catalog.locations.0.target: must not start with "-" (git would read it as an option)',
    ]);
    expect(problems('catalog:\n  locations:\n    - {type: git, target: "ext::sh -c id"}\n')[0]).toContain('ext::');
    expect(problems('catalog:\n  locations:\n    - {type: url, target: "https://x.example/c.yaml", branch: main}\n')[0]).toContain(
      'catalog.locations.0.branch: is only for type: git',
    );
  });
});
