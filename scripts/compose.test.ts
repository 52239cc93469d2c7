/**
 * docker-compose.yml, Dockerfile and .dockerignore, checked without a Docker engine: the compose file is
 * parsed as Compose parses it (YAML merge keys on), then held to what `docker compose up` needs and to
 * what the application really reads and runs.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

// ---- docker-compose.yml ---------------------------------------------------------------------------

type Env = Record<string, unknown> | string[];
type Port = string | number | { published?: string | number; host_ip?: string };
type Volume = string | { type?: string; source?: string; target?: string };
interface Service {
  image?: string;
  build?: string | { context?: string };
  command?: string | string[];
  environment?: Env;
  ports?: Port[];
  volumes?: Volume[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string | string[]; disable?: boolean };
  container_name?: string;
}
interface Compose {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
  [key: string]: unknown;
}

/** As `docker compose config` reads it: YAML 1.2 with `<<` merge keys, duplicate keys an error. */
function loadCompose(): Compose {
  return parse(read('docker-compose.yml'), { merge: true, uniqueKeys: true }) as Compose;
}
const compose = loadCompose();
const services = compose.services;
const service = (name: string): Service => {
  const s = services[name];
  if (!s) throw new Error(`docker-compose.yml has no service "${name}"`);
  return s;
};

/** Compose interpolation with an empty environment: each `${VAR…}` becomes its default. */
const REFERENCE = /\$(?:\$|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|[A-Za-z_][A-Za-z0-9_]*)?/g;
function withDefaults(value: string): string {
  return value.replace(REFERENCE, (whole, _name: string | undefined, op: string | undefined, arg: string | undefined) =>
    whole === '$$' ? '$' : op === ':-' || op === '-' ? (arg ?? '') : '',
  );
}

function envOf(s: Service): Record<string, string> {
  const env = s.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(env.map((line) => [line.split('=')[0] as string, line.includes('=') ? line.slice(line.indexOf('=') + 1) : '']));
  }
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === null || v === undefined ? '' : String(v)]));
}

function commandOf(s: Service): string[] {
  return typeof s.command === 'string' ? s.command.trim().split(/\s+/) : (s.command ?? []);
}

function dependencies(s: Service): Record<string, string> {
  const deps = s.depends_on ?? [];
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((d) => [d, 'service_started']));
  return Object.fromEntries(Object.entries(deps).map(([d, v]) => [d, v.condition ?? 'service_started']));
}

/** Host ports a service publishes (short and long syntax), interpolated with defaults. */
function hostPorts(s: Service): number[] {
  return (s.ports ?? []).flatMap((p): number[] => {
    if (typeof p === 'object') return p.published === undefined ? [] : [Number(withDefaults(String(p.published)))];
    const parts = withDefaults(String(p)).split('/')[0]!.split(':');
    return parts.length < 2 ? [] : [Number(parts[parts.length - 2])];
  });
}

function namedVolumes(s: Service): { source: string; target: string }[] {
  return (s.volumes ?? []).flatMap((v) => {
    const [source, target] = typeof v === 'string' ? v.split(':') : [v.type === 'volume' || !v.type ? v.source : undefined, v.target];
    return source && target && !/^[./~$]/.test(source) ? [{ source, target }] : [];
  });
}

function strings(node: unknown, path: string, out: { path: string; value: string }[] = []) {
  if (typeof node === 'string') out.push({ path, value: node });
  else if (Array.isArray(node)) node.forEach((v, i) => strings(v, `${path}[${i}]`, out));
  else if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) strings(v, path ? `${path}.${k}` : k, out);
  return out;
}

// ---- the rest of the checkout ---------------------------------------------------------------------

/** Keys of .env.example, the list of every variable config.ts reads (a commented-out `# NAME=` line lists one left unset). */
function envExampleKeys(): Set<string> {
  return new Set([...read('.env.example').matchAll(/^\s*(?:#\s*)?([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1] as string));
}

/** The sub-commands `switchboard --help` lists. */
async function cliCommands(): Promise<string[]> {
  const { main } = await import('../src/cli.js');
  const out: string[] = [];
  const code = await main(['--help'], { out: (s) => out.push(s), err: (s) => out.push(s) }, {});
  expect(code).toBe(0);
  const section = /^Commands:\n([\s\S]*?)\n\s*\n/m.exec(out.join('\n'))?.[1] ?? '';
  return [...section.matchAll(/^ {2}([a-z][\w-]*)/gm)].map((m) => m[1] as string);
}

interface Instruction {
  op: string;
  args: string;
}
/** Dockerfile instructions per build stage (continuation lines joined, comments dropped). */
function dockerStages(): { from: string; name?: string; instructions: Instruction[] }[] {
  const lines = read('Dockerfile')
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const stages: { from: string; name?: string; instructions: Instruction[] }[] = [];
  for (const line of lines) {
    const [, op = '', args = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    if (op.toUpperCase() === 'FROM') {
      const m = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?/i.exec(args);
      stages.push({ from: m?.[1] ?? '', name: m?.[2], instructions: [] });
    } else {
      stages.at(-1)?.instructions.push({ op: op.toUpperCase(), args });
    }
  }
  return stages;
}
const stages = dockerStages();
const finalStage = stages.at(-1)!;
const last = (op: string) => finalStage.instructions.filter((i) => i.op === op).at(-1)?.args;
const execForm = (args: string | undefined): unknown => (args && args.startsWith('[') ? JSON.parse(args) : args);

const OFFICIAL: Record<string, RegExp> = {
  postgres: /^\d+(\.\d+)?$/,
  'temporalio/auto-setup': /^\d+\.\d+\.\d+$/,
  'temporalio/ui': /^\d+\.\d+\.\d+$/,
};

describe('docker-compose.yml', () => {
  it('is Compose Specification: parses, no obsolete `version:`, only known top-level keys', () => {
    expect(compose).toBeTypeOf('object');
    expect(Object.keys(compose)).not.toContain('version');
    const known = ['name', 'services', 'volumes', 'networks', 'configs', 'secrets', 'include', 'models'];
    expect(Object.keys(compose).filter((k) => !known.includes(k) && !k.startsWith('x-'))).toEqual([]);
    expect(Object.keys(services).sort()).toEqual(['bot', 'postgresql', 'temporal', 'temporal-ui', 'worker']);
  });

  it('runs official images pinned to a version (never `latest`), or the Dockerfile here', () => {
    for (const [name, s] of Object.entries(services)) {
      if (s.build !== undefined) {
        const context = typeof s.build === 'string' ? s.build : s.build.context;
        expect(context, `${name} builds the Dockerfile in the repository root`).toBe('.');
        expect(s.image, `${name}: build and image together would tag the build under another name`).toBeUndefined();
        continue;
      }
      const [repo = '', tag = ''] = (s.image ?? '').split('@')[0]!.split(':');
      expect(Object.keys(OFFICIAL), `${name}: ${s.image} is not an official image`).toContain(repo);
      expect(tag, `${name}: ${s.image} must name a version`).toMatch(OFFICIAL[repo] as RegExp);
    }
    expect(service('postgresql').image).toMatch(/^postgres:/);
    expect(service('temporal').image).toMatch(/^temporalio\/auto-setup:/);
    expect(service('temporal-ui').image).toMatch(/^temporalio\/ui:/);
  });

  it('runs the bot and the worker as the `bot` and `worker` sub-commands of the one image', () => {
    expect(commandOf(service('bot'))).toEqual(['bot']);
    expect(commandOf(service('worker'))).toEqual(['worker']);
    expect(service('bot').build).toEqual(service('worker').build);
  });

  it('gives bot and worker the same environment, naming only variables .env.example lists', () => {
    const bot = envOf(service('bot'));
    expect(envOf(service('worker'))).toEqual(bot);
    const known = envExampleKeys();
    const unknown = Object.keys(bot).filter((k) => !known.has(k));
    expect(unknown, 'set in docker-compose.yml but missing from .env.example (and so, presumably, from config.ts)').toEqual([]);
  });

  it('points bot and worker at the Temporal service, its namespace and the UI it publishes', () => {
    const env = envOf(service('bot'));
    const [host, port] = (env.TEMPORAL_ADDRESS ?? '').split(':');
    expect(service(host as string).image).toMatch(/^temporalio\/auto-setup:/);
    expect(port).toBe('7233');
    expect(envOf(service('temporal')).DEFAULT_NAMESPACE, 'auto-setup creates the namespace the worker polls').toBe(env.TEMPORAL_NAMESPACE);
    const ui = new URL(withDefaults(env.TEMPORAL_UI_URL ?? ''));
    expect(hostPorts(service('temporal-ui'))).toContain(Number(ui.port || 80));
  });

  it('keeps the SQLite file on one named volume that bot and worker share', () => {
    const db = envOf(service('bot')).SWITCHBOARD_DB ?? '';
    const mount = (s: Service) => namedVolumes(s).find((v) => db.startsWith(`${v.target}/`));
    expect(mount(service('bot')), `SWITCHBOARD_DB (${db}) must lie on a named volume`).toBeDefined();
    expect(mount(service('worker'))).toEqual(mount(service('bot')));
    const volume = execForm(last('VOLUME'));
    expect([volume].flat(), 'the Dockerfile declares the same data folder').toContain(mount(service('bot'))?.target);
  });

  it('declares every named volume it mounts', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const v of namedVolumes(s)) expect(Object.keys(compose.volumes ?? {}), `${name} mounts ${v.source}`).toContain(v.source);
    }
  });

  it('depends only on services that exist, waiting for health only where a healthcheck is defined', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const [target, condition] of Object.entries(dependencies(s))) {
        expect(Object.keys(services), `${name} depends on ${target}`).toContain(target);
        expect(['service_started', 'service_healthy', 'service_completed_successfully']).toContain(condition);
        if (condition === 'service_healthy') {
          const hc = service(target).healthcheck;
          expect(hc?.test && !hc.disable, `${name} waits for ${target} to be healthy, which has no healthcheck`).toBeTruthy();
        }
      }
    }
    expect(dependencies(service('temporal')).postgresql).toBe('service_healthy');
    expect(dependencies(service('worker')).temporal).toBe('service_healthy');
  });

  it('publishes each host port once, and nothing from the worker, so it can be scaled', () => {
    const published = Object.entries(services).flatMap(([name, s]) => hostPorts(s).map((port) => ({ name, port })));
    for (const { name, port } of published) {
      expect(Number.isInteger(port) && port > 0, `${name} publishes port "${port}"`).toBe(true);
      expect(
        published.filter((p) => p.port === port).map((p) => p.name),
        `host port ${port}`,
      ).toEqual([name]);
    }
    expect(published.map((p) => p.port)).toEqual(expect.arrayContaining([3000, 7233, 8080]));
    expect(hostPorts(service('worker'))).toEqual([]);
    expect(service('worker').container_name).toBeUndefined();
  });

  it('health-checks the bot on /healthz of the port it listens on, and Postgres with pg_isready', () => {
    const bot = [service('bot').healthcheck?.test].flat().join(' ');
    expect(bot).toContain(`127.0.0.1:${envOf(service('bot')).PORT}/healthz`);
    expect([service('postgresql').healthcheck?.test].flat().join(' ')).toContain('pg_isready');
  });

  it('gives every ${VAR} a default (`:-`) or a message (`:?`), so a bare .env starts the stack', () => {
    const offences: string[] = [];
    for (const { path, value } of strings(compose, '')) {
      for (const m of value.matchAll(REFERENCE)) {
        const [whole, name, op, arg] = m;
        if (whole === '$$' || op === ':-' || op === '-' || op === ':+' || op === '+') continue;
        if ((op === ':?' || op === '?') && arg?.trim()) continue;
        offences.push(`${path}: ${whole}${name && !op ? ' (no default)' : ''}`);
      }
    }
    expect(offences).toEqual([]);
  });
});

describe('.env.example as Docker Compose reads it (`cp .env.example .env`)', () => {
  it('has no empty value followed by a comment, which Compose would take as the value', () => {
    // Compose's dotenv parser strips " #…" only after a value: in `KEY=   # note` the note is the value.
    const offences = read('.env.example')
      .split('\n')
      .map((line, i) => ({ line, n: i + 1 }))
      .filter(({ line }) => /^\s*[A-Za-z_][A-Za-z0-9_]*\s*=\s*#/.test(line))
      .map(({ line, n }) => `.env.example:${n}: ${line.split('=')[0]}`);
    expect(offences, 'put the comment on its own line above').toEqual([]);
  });
});

describe('Dockerfile', () => {
  it('builds on Node 20, as package.json engines and CI', () => {
    const names = new Set(stages.map((s) => s.name));
    const bases = stages.map((s) => s.from).filter((f) => !names.has(f));
    expect(bases.length).toBeGreaterThan(0);
    for (const base of bases) expect(base).toMatch(/^node:20(\.\d+){0,2}(-[\w.-]+)?(@sha256:[0-9a-f]{64})?$/);
    const engines = (JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node;
    expect(engines).toMatch(/^>=\s*20\b/);
  });

  it('compiles native dependencies in a build stage: python3, make and g++, then npm ci', () => {
    const install = stages.find((s) => s.instructions.some((i) => i.op === 'RUN' && /\bnpm ci\b/.test(i.args)));
    expect(install, 'a stage runs npm ci').toBeDefined();
    const packages = install!.instructions
      .filter((i) => i.op === 'RUN' && /apt-get install/.test(i.args))
      .map((i) => i.args)
      .join(' ');
    for (const tool of ['python3', 'make', 'g\\+\\+']) expect(packages).toMatch(new RegExp(`\\s${tool}(\\s|$)`));
    expect(install).not.toBe(finalStage);
  });

  it('runs bin/switchboard.js as the non-root node user, `start` by default, with git installed', async () => {
    const entrypoint = execForm(last('ENTRYPOINT'));
    expect(entrypoint).toEqual(['node', 'bin/switchboard.js']);
    expect(existsSync(join(ROOT, 'bin/switchboard.js'))).toBe(true);
    expect(last('WORKDIR')).toBe('/app');
    expect(last('USER')).toBe('node');
    expect(execForm(last('CMD'))).toEqual(['start']);
    const runtimePackages = finalStage.instructions
      .filter((i) => i.op === 'RUN')
      .map((i) => i.args)
      .join(' ');
    expect(runtimePackages).toMatch(/apt-get install[^&;]*\sgit(\s|$)/);
    expect(last('HEALTHCHECK')).toMatch(/CMD .*fetch\(.*127\.0\.0\.1:.*\/healthz/);
  });

  it('leaves installed packages, local data and secrets out of the build context (.dockerignore)', () => {
    const patterns = read('.dockerignore')
      .split('\n')
      .map((l) => l.trim().replace(/^\/|\/$/g, ''))
      .filter((l) => l && !l.startsWith('#'));
    expect(patterns).toEqual(expect.arrayContaining(['node_modules', '.git', 'data', '.env', 'bench/.work']));
    const needed = ['bin', 'src', 'workflows', 'drizzle', 'manifests', 'package.json', 'package-lock.json'];
    expect(patterns.filter((p) => needed.includes(p) || p === '*' || p === '**')).toEqual([]);
  });
});

describe('the image', () => {
  it('runs `start` (the default), `bot` and `worker`, which `switchboard --help` lists', async () => {
    // `bot` and `worker` are the halves DESIGN.md names for separate deployment.
    const commands = await cliCommands();
    const used = [
      ...(execForm(last('CMD')) as string[]),
      ...Object.values(services)
        .filter((s) => s.build)
        .map((s) => commandOf(s)[0] as string),
    ];
    expect(commands).toEqual(expect.arrayContaining(used));
  });

  it('loads only production dependencies at start-up (the image installs with npm ci --omit=dev)', () => {
    expect(stages.some((s) => s.instructions.some((i) => /npm ci\b.*--omit=dev/.test(i.args)))).toBe(true);
    const pkg = JSON.parse(read('package.json')) as { dependencies: Record<string, string> };
    const builtins = new Set(builtinModules);
    const offences: string[] = [];
    const seen = new Set<string>();
    const queue = [join(ROOT, 'bin/switchboard.js'), join(ROOT, 'workflows/index.ts')];
    while (queue.length) {
      const file = queue.pop() as string;
      if (seen.has(file)) continue;
      seen.add(file);
      for (const { specifier, lazy } of runtimeImports(file)) {
        if (specifier.startsWith('.')) {
          const target = resolveSource(dirname(file), specifier);
          if (target) queue.push(target);
          continue;
        }
        if (lazy || specifier.startsWith('node:') || builtins.has(specifier)) continue;
        const name = specifier
          .split('/')
          .slice(0, specifier.startsWith('@') ? 2 : 1)
          .join('/');
        if (!pkg.dependencies[name]) offences.push(`${relative(ROOT, file)} imports ${name}`);
      }
    }
    expect(seen.size).toBeGreaterThan(10);
    expect(offences, 'not in package.json dependencies: move it there, or import it lazily with import()').toEqual([]);
  });
});

/** Module specifiers a file loads; `import type` vanishes at run time, `import()` is lazy. */
function runtimeImports(file: string): { specifier: string; lazy: boolean }[] {
  const text = readFileSync(file, 'utf8');
  const statics = [...text.matchAll(/^\s*(import|export)\s+(?!type\s)[^;]*?from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]/gm)].map((m) => ({
    specifier: (m[2] ?? m[3]) as string,
    lazy: false,
  }));
  const dynamics = [...text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => ({ specifier: m[1] as string, lazy: true }));
  return [...statics, ...dynamics];
}

function resolveSource(dir: string, specifier: string): string | undefined {
  const base = resolve(dir, specifier);
  const candidates = [base, base.replace(/\.js$/, '.ts'), `${base}.ts`, join(base, 'index.ts')];
  return candidates.find((c) => existsSync(c) && statSync(c).isFile());
}
