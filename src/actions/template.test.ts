import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { openCatalog } from '../catalog/index.js';
import { tempTree, type TempTree } from '../testing/fixtures.js';
import { placeholdersIn, renderTemplate, TemplateError } from './template.js';

const NODE_SERVICE = fileURLToPath(new URL('../../manifests/templates/node-service/', import.meta.url));
const VALUES = { name: 'loyalty-points', owner: 'group:default/team-payments', system: 'system:default/payments', tier: 'tier-2' };

let tree: TempTree | undefined;
afterEach(() => tree?.cleanup());

function template(files: Record<string, string>): string {
  tree = tempTree();
  for (const [name, text] of Object.entries(files)) tree.write(name, text);
  return tree.dir;
}

function errorOf(fn: () => unknown): TemplateError {
  try {
    fn();
  } catch (err) {
    if (err instanceof TemplateError) return err;
    throw err;
  }
  throw new Error('expected a TemplateError');
}

describe('the node-service template', () => {
  it('renders every file with no placeholder left', () => {
    const files = renderTemplate(NODE_SERVICE, VALUES);
    expect(files.map((f) => f.path)).toEqual(['catalog-info.yaml', 'package.json', 'README.md', 'src/index.js']);
    expect(files.filter((f) => /(?<!\$)\{\{/.test(f.content))).toEqual([]);
  });

  it('gives a catalog-info.yaml the catalog ingests as the new component', async () => {
    const rendered = renderTemplate(NODE_SERVICE, VALUES).find((f) => f.path === 'catalog-info.yaml');
    tree = tempTree();
    tree.write('repo/catalog-info.yaml', rendered?.content ?? '');
    const catalog = openCatalog(tree.path('c.db'));
    try {
      expect((await catalog.ingest([tree.path('repo/catalog-info.yaml')])).problems).toEqual([]);
      expect(catalog.whoOwns('loyalty-points')).toMatchObject({ status: 'found', owner: { ref: 'group:default/team-payments' } });
    } finally {
      catalog.close();
    }
  });

  it('gives a package.json named after the service', () => {
    const pkg = renderTemplate(NODE_SERVICE, VALUES).find((f) => f.path === 'package.json');
    expect(JSON.parse(pkg?.content ?? '')).toMatchObject({ name: 'loyalty-points' });
  });

  it('writes a picked reference as a plain name where asked', () => {
    const readme = renderTemplate(NODE_SERVICE, VALUES).find((f) => f.path === 'README.md');
    expect(readme?.content).toContain('owned by team-payments, part of the payments system (tier-2)');
  });
});

describe('renderTemplate', () => {
  it('fills placeholders in file names', () => {
    const dir = template({ 'docs/{{ name }}.md': '# {{name}}\n' });
    expect(renderTemplate(dir, { name: 'cart' })).toEqual([{ path: 'docs/cart.md', content: '# cart\n' }]);
  });

  it('names the file, line and placeholder it cannot fill', () => {
    const dir = template({ 'catalog-info.yaml': 'metadata:\n  name: {{name}}\nspec:\n  owner: {{ownr}}\n' });
    expect(errorOf(() => renderTemplate(dir, { name: 'cart' })).problems).toEqual(['catalog-info.yaml:4: unknown placeholder {{ownr}}']);
  });

  it('names a file whose name has a placeholder it cannot fill', () => {
    const dir = template({ '{{module}}.js': 'x' });
    expect(errorOf(() => renderTemplate(dir, {})).problems).toEqual(['{{module}}.js: unknown placeholder {{module}} in the file name']);
  });

  it('refuses a value that would write outside the file name', () => {
    const dir = template({ '{{owner}}.txt': 'x' });
    expect(errorOf(() => renderTemplate(dir, { owner: 'group:default/team-a' })).problems).toEqual([
      '{{owner}}.txt: the file name renders to "group:default/team-a.txt", which is not a safe file name',
    ]);
  });

  it('leaves ${{ }} expressions alone and writes \\{{ as a literal', () => {
    const dir = template({ 'ci.yml': 'node: ${{ matrix.node }}\nname: \\{{name}} is {{name}}\n' });
    expect(renderTemplate(dir, { name: 'cart' })[0]?.content).toBe('node: ${{ matrix.node }}\nname: {{name}} is cart\n');
  });

  it('reports a missing template folder', () => {
    expect(errorOf(() => renderTemplate('/nonexistent/template', {})).problems).toEqual(['/nonexistent/template: no such template folder']);
  });
});

describe('placeholdersIn', () => {
  it('lists keys as written, skipping ${{ }} and escaped ones', () => {
    expect(placeholdersIn('{{a}} {{ service.name }} ${{ b }} \\{{c}}')).toEqual(['a', 'service.name']);
  });
});
