/**
 * docker-compose.yml, its scripts (deploy/compose), the Dockerfile and .dockerignore, checked without a
 * Docker engine: the compose file is loaded by compose-go, the library `docker compose config` loads it
 * with (schema, interpolation, merge keys, references; through deploy/check), then held to what the
 * application really reads and runs. The PostgreSQL job's script runs against a real PostgreSQL and the
 * namespace job's against a real Temporal dev server.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildDeployCheck } from '../deploy/check/run.js';
import { havePostgres, POSTGRES_URL_ENV } from '../src/testing/postgres.js';
import { describeWithTemporal, startTemporal, temporalCli } from '../src/testing/temporal.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const execFileAsync = promisify(execFile);
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

// ---- docker-compose.yml, as compose-go resolves it ----------------------------------------------------

/** The shape of `docker compose config --format json` (compose-go's project), as far as these tests read it. */
interface Mount {
  type: string;
  source?: string;
  target: string;
  read_only?: boolean;
}
interface Service {
  image?: string;
  build?: { context: string; dockerfile?: string };
  command?: string[] | null;
  entrypoint?: string[] | null;
  environment?: Record<string, string | null>;
  ports?: { target: number; published?: string; host_ip?: string }[];
  volumes?: Mount[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test?: string[]; disable?: boolean };
  restart?: string;
  container_name?: string;
  networks?: Record<string, { aliases?: string[] } | null>;
}
interface Project {
  name: string;
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

// Stand-ins for the two values the file refuses to default (any 64 hex characters will do here).
const KEYS = { SWITCHBOARD_AUDIT_KEY: 'a'.repeat(64), SWITCHBOARD_VOTE_KEY: 'b'.repeat(64) };
const check = buildDeployCheck();
const loaded = check(['compose', join(ROOT, 'docker-compose.yml')], { env: KEYS });
const project = (loaded.status === 0 ? JSON.parse(loaded.stdout) : { name: '', services: {} }) as Project;
const services = project.services;
const service = (name: string): Service => {
  const s = services[name];
  if (!s) throw new Error(`docker-compose.yml has no service "${name}"`);
  return s;
};
/** The file as written (for what resolution erases: the ${…} references). */
const raw = parse(read('docker-compose.yml'), { merge: true, uniqueKeys: true }) as Record<string, unknown>;

const BOTS = ['bot-1', 'bot-2'];
const REPLICAS = [...BOTS, 'worker'];
const JOBS = ['switchboard-db', 'temporal-schema', 'temporal-namespace'];

const envOf = (s: Service): Record<string, string> => Object.fromEntries(Object.entries(s.environment ?? {}).map(([k, v]) => [k, v ?? '']));
const dependencies = (s: Service): Record<string, string> => Object.fromEntries(Object.entries(s.depends_on ?? {}).map(([d, v]) => [d, v.condition]));
const hostPorts = (s: Service) => (s.ports ?? []).map((p) => ({ port: Number(p.published), ip: p.host_ip ?? '' }));
const namedVolumes = (s: Service) => (s.volumes ?? []).filter((v) => v.type === 'volume' && v.source);
const binds = (s: Service) => (s.volumes ?? []).filter((v) => v.type === 'bind');
const imageOf = (s: Service) => {
  const [repo = '', tag = ''] = (s.image ?? '').split('@')[0]!.split(':');
  return { repo, tag };
};
/** The script a one-shot job runs: the bind-mounted file its entrypoint names, relative to the checkout. */
function jobScript(name: string): string {
  const s = service(name);
  const target = (s.entrypoint ?? []).find((a) => a.endsWith('.sh'));
  const mount = binds(s).find((v) => v.target === target);
  expect(mount, `${name} runs a script mounted from the checkout`).toBeDefined();
  return relative(ROOT, mount!.source as string);
}

/** Compose interpolation with an empty environment: each `${VAR…}` becomes its default. */
const REFERENCE = /\$(?:\$|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|[A-Za-z_][A-Za-z0-9_]*)?/g;
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
  // A major version: its minor releases are security fixes, and the data folder's format is the major's.
  postgres: /^\d+$/,
  'temporalio/server': /^\d+\.\d+\.\d+$/,
  'temporalio/admin-tools': /^\d+\.\d+\.\d+$/,
  'temporalio/ui': /^\d+\.\d+\.\d+$/,
};

describe('docker-compose.yml', () => {
  it('loads as `docker compose config` loads it (compose-go: schema, interpolation, references)', () => {
    expect(loaded.stderr).toBe('');
    expect(loaded.status).toBe(0);
    expect(Object.keys(raw)).not.toContain('version');
    expect(project.name).toBe('switchboard');
    expect(Object.keys(services).sort()).toEqual(
      ['bot-1', 'bot-2', 'postgresql', 'switchboard-db', 'temporal', 'temporal-namespace', 'temporal-schema', 'temporal-ui', 'worker'].sort(),
    );
  });

  it('refuses to start without the audit and vote keys, and says which and how to make them', () => {
    const bare = check(['compose', join(ROOT, 'docker-compose.yml')], { env: {} });
    expect(bare.status).toBe(1);
    for (const name of Object.keys(KEYS)) expect(bare.stderr).toContain(`required variable ${name} is missing a value: set ${name} in .env`);
    expect(bare.stderr).toContain('openssl rand -hex 32');
  });

  it('runs official images pinned to a version (never `latest`), or the Dockerfile here', () => {
    for (const [name, s] of Object.entries(services)) {
      if (s.build !== undefined) {
        expect(relative(ROOT, s.build.context), `${name} builds the Dockerfile in the repository root`).toBe('');
        expect(s.image, `${name}: build and image together would tag the build under another name`).toBeUndefined();
        continue;
      }
      const { repo, tag } = imageOf(s);
      expect(Object.keys(OFFICIAL), `${name}: ${s.image} is not an official image`).toContain(repo);
      expect(tag, `${name}: ${s.image} must name a version`).toMatch(OFFICIAL[repo] as RegExp);
    }
  });

  it("follows Temporal's current guidance: temporalio/server after an admin-tools schema job, no auto-setup", () => {
    expect(Object.values(services).map((s) => s.image ?? '')).not.toContainEqual(expect.stringMatching(/auto-setup/));
    const server = imageOf(service('temporal'));
    expect(server.repo).toBe('temporalio/server');
    // The schema tool of the server's own release, so an upgrade migrates the schema before the server starts.
    for (const job of ['temporal-schema', 'temporal-namespace']) expect(imageOf(service(job))).toEqual({ repo: 'temporalio/admin-tools', tag: server.tag });
    expect(dependencies(service('temporal'))).toEqual({ 'temporal-schema': 'service_completed_successfully' });
    expect(dependencies(service('temporal-schema'))).toEqual({ postgresql: 'service_healthy' });
    expect(envOf(service('temporal'))).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgresql', BIND_ON_IP: '0.0.0.0' });
    expect(envOf(service('temporal-schema')).SQL_PASSWORD).toBe(envOf(service('temporal')).POSTGRES_PWD);
  });

  it('creates and updates the schema of both Temporal databases with temporal-sql-tool, repeatably', () => {
    const script = read(jobScript('temporal-schema'));
    expect(script).toMatch(/--plugin postgres12/);
    expect(script).toMatch(/for pair in temporal:temporal temporal_visibility:visibility/);
    for (const step of ['create', 'setup-schema -v 0.0', 'update-schema -d "\\$dir"']) expect(script).toMatch(new RegExp(`sql --db "\\$db" ${step}`));
    expect(script).toContain('/etc/temporal/schema/postgresql/v12');
    expect(script).toMatch(/^set -eu$/m);
  });

  it('mounts the dynamic config file the server is told to read', () => {
    const path = envOf(service('temporal')).DYNAMIC_CONFIG_FILE_PATH;
    const mount = binds(service('temporal')).find((v) => v.target === path);
    expect(mount?.read_only).toBe(true);
    expect(parse(readFileSync(mount!.source as string, 'utf8'))).toEqual({});
  });

  it('runs two bot replicas and a worker as the `bot` and `worker` sub-commands of the one image', () => {
    for (const bot of BOTS) expect(service(bot).command).toEqual(['bot']);
    expect(service('worker').command).toEqual(['worker']);
    for (const name of REPLICAS) expect(service(name).build).toEqual(service('bot-1').build);
  });

  it('gives every replica the same environment, naming only variables .env.example lists', () => {
    const env = envOf(service('bot-1'));
    for (const name of REPLICAS) expect(envOf(service(name)), name).toEqual(env);
    const known = envExampleKeys();
    const unknown = Object.keys(env).filter((k) => !known.has(k));
    expect(unknown, 'set in docker-compose.yml but missing from .env.example (and so, presumably, from config.ts)').toEqual([]);
  });

  it("points every replica at one PostgreSQL state database, Switchboard's own beside Temporal's", () => {
    const url = new URL(envOf(service('bot-1')).SWITCHBOARD_STATE_URL ?? '');
    expect(url.protocol).toBe('postgres:');
    expect(service(url.hostname).image).toMatch(/^postgres:/);
    expect(url.port).toBe('5432');
    expect(url.pathname).toBe('/switchboard');
    expect(url.username, 'its own role, not the server superuser Temporal uses').toBe('switchboard');
    expect(decodeURIComponent(url.password)).toBe(envOf(service('switchboard-db')).SWITCHBOARD_DB_PASSWORD);
    expect(envOf(service('switchboard-db'))).toMatchObject({ PGHOST: url.hostname, PGUSER: envOf(service('postgresql')).POSTGRES_USER });
    expect(jobScript('switchboard-db')).toBe('deploy/compose/switchboard-db.sh');
    expect(dependencies(service('switchboard-db'))).toEqual({ postgresql: 'service_healthy' });
    for (const name of REPLICAS) expect(dependencies(service(name))['switchboard-db'], name).toBe('service_completed_successfully');
    // The keys every replica must share with SWITCHBOARD_STATE_URL (config.ts refuses to start without them).
    expect(envOf(service('bot-1'))).toMatchObject(KEYS);
  });

  it('points every replica at the Temporal service, whose namespace job makes the namespace they poll', () => {
    const env = envOf(service('bot-1'));
    const [host, port] = (env.TEMPORAL_ADDRESS ?? '').split(':');
    expect(imageOf(service(host as string)).repo).toBe('temporalio/server');
    expect(port).toBe('7233');
    expect(envOf(service('temporal-namespace'))).toMatchObject({ TEMPORAL_ADDRESS: env.TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE: env.TEMPORAL_NAMESPACE });
    expect(jobScript('temporal-namespace')).toBe('deploy/compose/temporal-namespace.sh');
    expect(dependencies(service('worker'))['temporal-namespace']).toBe('service_completed_successfully');
    // Bots answer lookups while Temporal comes up; self-service says it is unavailable until then.
    for (const bot of BOTS) expect(dependencies(service(bot)).temporal).toBe('service_started');
    const ui = new URL(env.TEMPORAL_UI_URL ?? '');
    expect(hostPorts(service('temporal-ui')).map((p) => p.port)).toContain(Number(ui.port || 80));
  });

  it('keeps each replica its own catalog file, and shares the registry and the git repositories on named volumes', () => {
    const env = envOf(service('bot-1'));
    const dataDir = dirname(env.SWITCHBOARD_DB ?? '');
    // The data folder is the image's VOLUME: one anonymous volume per container, never a named one.
    expect([execForm(last('VOLUME'))].flat()).toContain(dataDir);
    const shared = (name: string) => namedVolumes(service(name)).map((v) => ({ source: v.source, target: v.target }));
    for (const name of REPLICAS) {
      expect(shared(name).map((v) => v.target)).not.toContain(dataDir);
      expect(shared(name), name).toEqual(shared('bot-1'));
    }
    const targets = shared('bot-1').map((v) => v.target);
    expect(targets).toContain(`${dataDir}/registry`);
    expect(targets).toContain(env.SWITCHBOARD_GIT_REMOTE);
    for (const v of shared('bot-1')) expect(Object.keys(project.volumes ?? {}), v.source).toContain(v.source);
  });

  it('creates the shared mount points in the image, owned by the user it runs as', () => {
    // Docker gives a new named volume the owner of the folder it is mounted on.
    const made = finalStage.instructions.filter((i) => i.op === 'RUN' && /mkdir -p/.test(i.args)).map((i) => i.args);
    for (const v of namedVolumes(service('worker'))) expect(made.join(' '), v.target).toMatch(new RegExp(`mkdir -p [^&]*${v.target}(\\s|$)`));
    expect(made.join(' ')).toMatch(/chown -R node:node \/app\/data/);
  });

  it('waits only for services that exist: health where a healthcheck is defined, completion only of one-shot jobs', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const [target, condition] of Object.entries(dependencies(s))) {
        expect(Object.keys(services), `${name} depends on ${target}`).toContain(target);
        if (condition === 'service_healthy') {
          const hc = service(target).healthcheck;
          expect(hc?.test && !hc.disable, `${name} waits for ${target} to be healthy, which has no healthcheck`).toBeTruthy();
        }
        if (condition === 'service_completed_successfully') expect(JOBS, `${name} waits for ${target} to finish`).toContain(target);
      }
    }
    for (const job of JOBS) {
      // `always` / `unless-stopped` would run a finished job again and again.
      expect(service(job).restart, job).toMatch(/^on-failure(:\d+)?$/);
      expect(service(job).healthcheck?.test ?? [], job).toEqual([]);
    }
    expect(dependencies(service('temporal-ui')).temporal).toBe('service_healthy');
    expect(dependencies(service('temporal-namespace')).temporal).toBe('service_healthy');
  });

  it('publishes a port per bot, Temporal and its UI on loopback only, and nothing from the worker, so it can be scaled', () => {
    const published = Object.entries(services).flatMap(([name, s]) => hostPorts(s).map((p) => ({ name, ...p })));
    for (const { name, port } of published) {
      expect(Number.isInteger(port) && port > 0, `${name} publishes port "${port}"`).toBe(true);
      expect(
        published.filter((p) => p.port === port).map((p) => p.name),
        `host port ${port}`,
      ).toEqual([name]);
    }
    expect(hostPorts(service('bot-1')).map((p) => p.port)).toEqual([3000]);
    expect(hostPorts(service('bot-2')).map((p) => p.port)).toEqual([3001]);
    for (const name of ['temporal', 'temporal-ui']) expect(hostPorts(service(name)).map((p) => p.ip)).toEqual(['127.0.0.1']);
    expect(hostPorts(service('worker'))).toEqual([]);
    expect(service('worker').container_name).toBeUndefined();
  });

  it('names both bots `bot` on the network, the host SWITCHBOARD_PUBLIC_URL gives webhook receivers', () => {
    const host = new URL(envOf(service('bot-1')).SWITCHBOARD_PUBLIC_URL ?? '').hostname;
    expect(Object.keys(services)).not.toContain(host);
    for (const bot of BOTS) expect(service(bot).networks?.default?.aliases, bot).toContain(host);
  });

  it('health-checks every replica on /healthz of the port it listens on, and Postgres with pg_isready', () => {
    for (const name of REPLICAS) expect(service(name).healthcheck?.test?.join(' '), name).toContain(`127.0.0.1:${envOf(service(name)).PORT}/healthz`);
    expect(service('postgresql').healthcheck?.test?.join(' ')).toContain('pg_isready');
  });

  it('gives every ${VAR} a default (`:-`) or a message (`:?`), so a .env with the two keys starts the stack', () => {
    const offences: string[] = [];
    const required = new Set<string>();
    for (const { path, value } of strings(raw, '')) {
      for (const m of value.matchAll(REFERENCE)) {
        const [whole, name, op, arg] = m;
        if (whole === '$$' || op === ':-' || op === '-' || op === ':+' || op === '+') continue;
        if ((op === ':?' || op === '?') && arg?.trim()) {
          required.add(name as string);
          continue;
        }
        offences.push(`${path}: ${whole}${name && !op ? ' (no default)' : ''}`);
      }
    }
    expect(offences).toEqual([]);
    expect([...required].sort()).toEqual(Object.keys(KEYS).sort());
  });
});

describe.skipIf(!havePostgres())('deploy/compose/switchboard-db.sh on a real PostgreSQL', () => {
  const admin = new URL(process.env[POSTGRES_URL_ENV] ?? 'postgres://localhost/postgres');
  const name = `sb_compose_${process.pid}`;
  const run = (password: string) =>
    execFileSync('sh', [join(ROOT, 'deploy/compose/switchboard-db.sh')], {
      env: {
        PATH: process.env.PATH,
        PGHOST: admin.hostname,
        PGPORT: admin.port,
        PGUSER: admin.username,
        SWITCHBOARD_DB_NAME: name,
        SWITCHBOARD_DB_PASSWORD: password,
      },
      encoding: 'utf8',
    });
  const query = async (database: string, user: string, sql: string) => {
    const url = new URL(admin);
    url.pathname = `/${database}`;
    url.username = user;
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    try {
      return (await client.query(sql)).rows;
    } finally {
      await client.end();
    }
  };
  const password = async () =>
    (await query('postgres', admin.username, `SELECT rolpassword FROM pg_authid WHERE rolname = '${name}'`))[0]?.rolpassword as string;

  afterAll(async () => {
    await query('postgres', admin.username, `DROP DATABASE IF EXISTS ${name}`);
    await query('postgres', admin.username, `DROP ROLE IF EXISTS ${name}`);
  });

  it('makes a login role without superuser rights and a database it owns, where it can create tables', async () => {
    expect(run('first-secret')).toContain(`role and database "${name}" ready`);
    const [role] = await query('postgres', admin.username, `SELECT rolsuper, rolcreatedb, rolcreaterole, rolcanlogin FROM pg_roles WHERE rolname = '${name}'`);
    expect(role).toEqual({ rolsuper: false, rolcreatedb: false, rolcreaterole: false, rolcanlogin: true });
    const [db] = await query('postgres', admin.username, `SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = '${name}'`);
    expect(db).toEqual({ owner: name });
    await query(name, name, 'CREATE TABLE migrations_probe (id int)');
    expect(await query(name, name, 'SELECT current_user AS who')).toEqual([{ who: name }]);
  });

  it('runs again without error, keeping the data and taking the new password', async () => {
    const before = await password();
    expect(run('second-secret')).toContain('ready');
    expect(await password()).not.toBe(before);
    expect(await query(name, name, "SELECT to_regclass('migrations_probe') IS NOT NULL AS kept")).toEqual([{ kept: true }]);
  });

  it('refuses to run without a password, naming the variable', () => {
    expect(() =>
      execFileSync('sh', [join(ROOT, 'deploy/compose/switchboard-db.sh')], { env: { PATH: process.env.PATH }, encoding: 'utf8', stdio: 'pipe' }),
    ).toThrow(/SWITCHBOARD_DB_PASSWORD must be set/);
  });
});

describeWithTemporal('deploy/compose/temporal-namespace.sh on a real Temporal dev server', () => {
  let temporal: TestWorkflowEnvironment;
  beforeAll(async () => {
    temporal = await startTemporal();
  });
  afterAll(async () => temporal?.teardown());

  const run = async (namespace: string) =>
    (
      await execFileAsync('sh', [join(ROOT, 'deploy/compose/temporal-namespace.sh')], {
        env: {
          // The admin-tools image has the `temporal` CLI on PATH and a HOME (the CLI reads its config there).
          PATH: `${dirname(temporalCli() as string)}:${process.env.PATH}`,
          HOME: process.env.HOME,
          TEMPORAL_ADDRESS: temporal.address,
          TEMPORAL_NAMESPACE: namespace,
          TEMPORAL_WAIT_ATTEMPTS: '5',
        },
        encoding: 'utf8',
      })
    ).stdout;

  it('creates the namespace once, and finds it there the next time', async () => {
    expect(await run('compose-check')).toContain('"compose-check" created (retention 7d)');
    const ns = await temporal.connection.workflowService.describeNamespace({ namespace: 'compose-check' });
    expect(ns.namespaceInfo?.name).toBe('compose-check');
    expect(await run('compose-check')).toContain('"compose-check" exists');
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
  it('builds every stage on one pinned Node 24 release, the major CI installs (scripts/ensure-node), within engines', () => {
    const names = new Set(stages.map((s) => s.name));
    const bases = stages.map((s) => s.from).filter((f) => !names.has(f));
    expect(bases.length).toBeGreaterThan(1);
    // One image for both stages: native modules compiled in the first must load in the second.
    expect(new Set(bases).size).toBe(1);
    const [, version = '', variant] = /^node:(\d+\.\d+\.\d+)-([\w.-]+)(@sha256:[0-9a-f]{64})?$/.exec(bases[0] as string) ?? [];
    expect(variant, `${bases[0]}: pin major.minor.patch and a glibc variant`).toMatch(/^(bookworm|trixie)(-slim)?$/);
    const [major = 0, minor = 0] = version.split('.').map(Number);
    expect(String(major)).toBe(/^MAJOR=(\d+)$/m.exec(read('scripts/ensure-node'))?.[1]);
    const engines = (JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node;
    const [, eMajor = 0, eMinor = 0] = (/^>=\s*(\d+)\.(\d+)/.exec(engines) ?? []).map(Number);
    expect(major > eMajor || (major === eMajor && minor >= eMinor), `node ${version} within engines ${engines}`).toBe(true);
  });

  it("installs production dependencies in a build stage without the project's prepare, and builds dist/ in the image", () => {
    const install = stages.find((s) => s.instructions.some((i) => i.op === 'RUN' && /\bnpm ci\b/.test(i.args)));
    expect(install, 'a stage runs npm ci').toBeDefined();
    expect(install).not.toBe(finalStage);
    const ci = install!.instructions.find((i) => /\bnpm ci\b/.test(i.args))!.args;
    // `prepare` (the build) needs the sources, which that stage does not have.
    expect(ci).toMatch(/npm ci [^&]*--ignore-scripts/);
    // The dependencies whose install scripts matter run them: every one in node_modules that has one.
    const rebuilt = /npm rebuild ([^&;]+)/.exec(ci)?.[1]?.trim().split(/\s+/) ?? [];
    const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string>; dependencies: Record<string, string> };
    const withScripts = installScriptPackages();
    expect(withScripts.length, 'node_modules is installed').toBeGreaterThan(0);
    expect(rebuilt.sort()).toEqual(withScripts.filter((n) => isProductionDependency(n, pkg.dependencies)).sort());
    expect(pkg.scripts.build).toBeDefined();
    const copied = finalStage.instructions.findIndex((i) => i.op === 'COPY' && /^\.\s+\.$/.test(i.args));
    const built = finalStage.instructions.findIndex((i) => i.op === 'RUN' && /\bnpm run build\b/.test(i.args));
    const user = finalStage.instructions.findIndex((i) => i.op === 'USER');
    expect(copied).toBeGreaterThan(-1);
    expect(built, 'builds after the sources are copied, as root, before USER node').toBeGreaterThan(copied);
    expect(built).toBeLessThan(user);
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
        .map((s) => (s.command ?? [])[0] as string),
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

/** Installed packages with a preinstall, install or postinstall script. */
function installScriptPackages(): string[] {
  const root = join(ROOT, 'node_modules');
  const dirs = readdirSync(root).flatMap((d) => (d.startsWith('@') ? readdirSync(join(root, d)).map((n) => `${d}/${n}`) : [d]));
  return dirs.filter((name) => {
    const file = join(root, name, 'package.json');
    if (!existsSync(file)) return false;
    const scripts = (JSON.parse(readFileSync(file, 'utf8')) as { scripts?: Record<string, string> }).scripts ?? {};
    return ['preinstall', 'install', 'postinstall'].some((k) => scripts[k]);
  });
}

/** Whether `npm ci --omit=dev` installs the package: a dependency, or one a dependency needs (by the lock file). */
function isProductionDependency(name: string, dependencies: Record<string, string>): boolean {
  if (dependencies[name]) return true;
  const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, { dev?: boolean }> };
  const entry = lock.packages[`node_modules/${name}`];
  return entry !== undefined && !entry.dev;
}

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
