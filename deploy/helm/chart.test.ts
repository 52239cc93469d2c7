/**
 * The Helm chart (deploy/helm/switchboard), rendered by a real `helm` (HELM_PATH, or scripts/ensure-helm
 * builds one from Go modules) with its defaults and with the variants operators use: `helm lint`, then
 * every rendered manifest decoded strictly into its Kubernetes API type (deploy/check: client-go's
 * scheme and the Prometheus Operator's, so a misspelt or misplaced field fails), then held to what the
 * application needs: replicas, probes on /healthz, where the environment comes from, no Service for the
 * worker, the ServiceMonitor only when asked for, and the refusals (two bots without PostgreSQL).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { buildDeployCheck } from '../check/run.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CHART = join(ROOT, 'deploy/helm/switchboard');
// Inside the chart's kubeVersion range, and independent of the version a helm binary assumes by default.
const KUBE_VERSION = '1.33.0';

function findHelm(): string | null {
  if (process.env.HELM_PATH) return process.env.HELM_PATH;
  try {
    return execFileSync(join(ROOT, 'scripts/ensure-helm'), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 20 * 60_000 }).trim() || null;
  } catch {
    return null;
  }
}
const helmPath = findHelm();
const NO_HELM = 'skipped: no helm (run scripts/ensure-helm, needs Go, or set HELM_PATH)';
if (!helmPath) {
  if (process.env.CI) throw new Error(NO_HELM.replace('skipped', 'cannot run'));
  console.warn(`[switchboard tests] ${NO_HELM}`);
}

type Values = Record<string, unknown>;
interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
}
// The parts of a Deployment these tests read.
interface Probe {
  httpGet: { path: string; port: string | number };
}
interface Container {
  name: string;
  image: string;
  args: string[];
  ports?: { name: string; containerPort: number }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  startupProbe?: Probe;
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: { readOnlyRootFilesystem?: boolean; allowPrivilegeEscalation?: boolean; capabilities?: { drop?: string[] } };
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
}
interface Deployment extends Manifest {
  spec: {
    replicas: number;
    selector: { matchLabels: Record<string, string> };
    template: {
      metadata: { labels: Record<string, string>; annotations?: Record<string, string> };
      spec: {
        containers: Container[];
        securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
        volumes?: { name: string; emptyDir?: object; configMap?: { name: string }; secret?: { secretName: string } }[];
      };
    };
  };
}

const tmp = mkdtempSync(join(tmpdir(), 'switchboard-chart-'));
let files = 0;
function helm(args: string[], values: Values = {}) {
  const file = join(tmp, `values-${++files}.json`);
  writeFileSync(file, JSON.stringify(values));
  const run = spawnSync(helmPath as string, [...args, '-f', file], { encoding: 'utf8' });
  if (run.error) throw run.error;
  return { status: run.status ?? -1, stdout: run.stdout, stderr: run.stderr };
}
const template = (values: Values) => helm(['template', 'sb', CHART, '--namespace', 'chat', '--kube-version', KUBE_VERSION], values);

/** Renders and parses; fails the test with helm's message when the chart refuses the values. */
function render(values: Values): Manifest[] {
  const out = template(values);
  expect(out.stderr).toBe('');
  expect(out.status).toBe(0);
  return parseAllDocuments(out.stdout)
    .map((d) => d.toJS() as Manifest | null)
    .filter((m): m is Manifest => m !== null);
}
const one = <T extends Manifest = Manifest>(manifests: Manifest[], kind: string, name: string): T => {
  const found = manifests.filter((m) => m.kind === kind && m.metadata.name === name);
  expect(found.map((m) => `${m.kind}/${m.metadata.name}`)).toEqual([`${kind}/${name}`]);
  return found[0] as T;
};
const deployment = (manifests: Manifest[], component: 'bot' | 'worker') => one<Deployment>(manifests, 'Deployment', `sb-switchboard-${component}`);
const container = (d: Deployment) => d.spec.template.spec.containers[0] as Container;
const configMapData = (manifests: Manifest[], name = 'sb-switchboard') => one(manifests, 'ConfigMap', name).data as Record<string, string>;

/** Deep merge for values: objects merge, everything else replaces. */
function merged(base: Values, over: Values): Values {
  const out: Values = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && b && typeof b === 'object' && !Array.isArray(b) ? merged(b as Values, v as Values) : v;
  }
  return out;
}

const KEY = 'c'.repeat(64);
/** What an operator must add to the defaults: where Temporal is, the state database, the keys it needs. */
const REQUIRED: Values = {
  temporal: { address: 'temporal-frontend.temporal:7233' },
  state: { url: 'postgres://switchboard:secret@postgres.db:5432/switchboard' },
  secrets: { SWITCHBOARD_AUDIT_KEY: KEY, SWITCHBOARD_VOTE_KEY: 'd'.repeat(64), SLACK_BOT_TOKEN: 'xoxb-1-2-3', SLACK_SIGNING_SECRET: 'signing-secret' },
};
const VARIANTS: Record<string, Values> = {
  defaults: REQUIRED,
  serviceMonitor: merged(REQUIRED, { serviceMonitor: { enabled: true }, secrets: { SWITCHBOARD_METRICS_TOKEN: 'metrics-token-0123456789' } }),
  existingSecret: {
    temporal: { address: 'temporal-frontend.temporal:7233', tls: { existingSecret: 'temporal-client', ca: true } },
    state: { existingSecret: 'switchboard-postgres', existingSecretKey: 'url' },
    existingSecret: 'switchboard-credentials',
  },
  replicas3: merged(REQUIRED, { bot: { replicas: 3 }, worker: { replicas: 2 } }),
  configFile: merged(REQUIRED, {
    configFile: { catalog: { locations: [{ type: 'file', target: './org' }] } },
    env: { BACKSTAGE_URL: 'https://backstage.example.com' },
  }),
};

/** Keys of .env.example: the variables config.ts reads (as scripts/compose.test.ts reads them too). */
const envExampleKeys = new Set([...readFileSync(join(ROOT, '.env.example'), 'utf8').matchAll(/^\s*(?:#\s*)?([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1] as string));

describe.skipIf(!helmPath)(`deploy/helm/switchboard${helmPath ? '' : ` (${NO_HELM})`}`, () => {
  const check = buildDeployCheck();

  it('passes helm lint --strict with the values an operator must set', () => {
    const lint = helm(['lint', '--strict', CHART, '--kube-version', KUBE_VERSION], REQUIRED);
    expect(lint.stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
    expect(lint.status).toBe(0);
  });

  for (const [name, values] of Object.entries(VARIANTS)) {
    it(`renders (${name}) manifests that decode strictly into their Kubernetes types`, () => {
      const out = template(values);
      expect(out.status, out.stderr).toBe(0);
      const checked = check(['kube'], { input: out.stdout });
      expect(checked.stderr).toBe('');
      expect(checked.status).toBe(0);
      const results = checked.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { kind: string; checked: boolean });
      expect(results.length).toBeGreaterThanOrEqual(5);
      expect(results.filter((r) => !r.checked)).toEqual([]);
    });
  }

  it('catches a misspelt field (the check this test relies on can fail)', () => {
    const out = template(REQUIRED).stdout.replace('readinessProbe:', 'readinesProbe:');
    const checked = check(['kube'], { input: out });
    expect(checked.status).toBe(1);
    expect(checked.stderr).toContain('unknown field "spec.template.spec.containers[0].readinesProbe"');
  });

  it('refuses the bare defaults: Temporal must be named', () => {
    const out = template({});
    expect(out.status).toBe(1);
    expect(out.stderr).toContain('temporal.address is required');
  });

  it('refuses more than one bot or worker without PostgreSQL, saying what to set', () => {
    for (const replicas of [{ bot: { replicas: 2 } }, { bot: { replicas: 1 }, worker: { replicas: 2 } }]) {
      const out = template({ temporal: REQUIRED.temporal, ...replicas });
      expect(out.status).toBe(1);
      expect(out.stderr).toContain('more than one replica needs shared state in PostgreSQL; set state.url');
    }
    // One of each may run on each pod's own SQLite (a trial: NOTES.txt warns that a restart loses it).
    const single = template({ temporal: REQUIRED.temporal, bot: { replicas: 1 } });
    expect(single.status, single.stderr).toBe(0);
  });

  it('refuses shared state without the audit and vote keys every replica must share', () => {
    const out = template({ temporal: REQUIRED.temporal, state: REQUIRED.state });
    expect(out.status).toBe(1);
    expect(out.stderr).toContain('needs secrets.SWITCHBOARD_AUDIT_KEY and secrets.SWITCHBOARD_VOTE_KEY');
  });

  it('refuses secrets given both as values and as an existing Secret', () => {
    const out = template(merged(REQUIRED, { existingSecret: 'switchboard-credentials' }));
    expect(out.status).toBe(1);
    expect(out.stderr).toContain('set either secrets or existingSecret, not both');
  });

  it('refuses a misspelt key or a bad value through values.schema.json', () => {
    const typo = template(merged(REQUIRED, { bot: { replica: 3 } }));
    expect(typo.status).toBe(1);
    expect(typo.stderr).toContain("at '/bot': additional properties 'replica' not allowed");
    const address = template(merged(REQUIRED, { temporal: { address: 'temporal-frontend' } }));
    expect(address.status).toBe(1);
    expect(address.stderr).toMatch(/at '\/temporal\/address'/);
    const url = template(merged(REQUIRED, { state: { url: 'mysql://db/switchboard' } }));
    expect(url.stderr).toMatch(/at '\/state\/url'/);
    const reserved = template(merged(REQUIRED, { env: { LOG_LEVEL: 'debug' } }));
    expect(reserved.stderr).toContain('env.LOG_LEVEL: use logLevel');
  });

  it('runs two bots by default and the replicas asked for, each container the sub-command of its Deployment', () => {
    const defaults = render(REQUIRED);
    expect(deployment(defaults, 'bot').spec.replicas).toBe(2);
    expect(deployment(defaults, 'worker').spec.replicas).toBe(1);
    expect(container(deployment(defaults, 'bot')).args).toEqual(['bot']);
    expect(container(deployment(defaults, 'worker')).args).toEqual(['worker']);
    const scaled = render(VARIANTS.replicas3 as Values);
    expect(deployment(scaled, 'bot').spec.replicas).toBe(3);
    expect(deployment(scaled, 'worker').spec.replicas).toBe(2);
    expect((one(scaled, 'PodDisruptionBudget', 'sb-switchboard-bot').spec as { maxUnavailable: number }).maxUnavailable).toBe(1);
    // The image of the chart's release unless another tag is asked for.
    const appVersion = (parse(readFileSync(join(CHART, 'Chart.yaml'), 'utf8')) as { appVersion: string }).appVersion;
    expect(container(deployment(defaults, 'bot')).image).toBe(`switchboard:${appVersion}`);
  });

  it('probes every pod on GET /healthz of the port the process listens on (PORT)', () => {
    const manifests = render(REQUIRED);
    const port = Number(configMapData(manifests).PORT);
    for (const component of ['bot', 'worker'] as const) {
      const c = container(deployment(manifests, component));
      const http = c.ports?.find((p) => p.name === 'http');
      expect(http?.containerPort, component).toBe(port);
      for (const probe of [c.startupProbe, c.readinessProbe, c.livenessProbe]) expect(probe?.httpGet, component).toEqual({ path: '/healthz', port: 'http' });
    }
  });

  it('puts a Service in front of the bots only: the worker has none', () => {
    const manifests = render(REQUIRED);
    const services = manifests.filter((m) => m.kind === 'Service');
    expect(services.map((s) => s.metadata.name)).toEqual(['sb-switchboard']);
    const selector = (services[0]?.spec as { selector: Record<string, string> }).selector;
    const selects = (d: Deployment) => Object.entries(selector).every(([k, v]) => d.spec.template.metadata.labels[k] === v);
    expect(selects(deployment(manifests, 'bot'))).toBe(true);
    expect(selects(deployment(manifests, 'worker'))).toBe(false);
    expect((services[0]?.spec as { ports: { targetPort: string }[] }).ports.map((p) => p.targetPort)).toEqual(['http']);
  });

  it('gives both Deployments their environment from the ConfigMap and the Secret, the state URL by key', () => {
    const manifests = render(REQUIRED);
    const data = configMapData(manifests);
    expect(data).toMatchObject({ TEMPORAL_ADDRESS: 'temporal-frontend.temporal:7233', TEMPORAL_NAMESPACE: 'default', SWITCHBOARD_REFRESH: '5m' });
    // Every variable is one config.ts reads (HOME is for the read-only root filesystem).
    expect(Object.keys(data).filter((k) => k !== 'HOME' && !envExampleKeys.has(k))).toEqual([]);
    const secret = one(manifests, 'Secret', 'sb-switchboard').stringData as Record<string, string>;
    expect(secret).toMatchObject({ SWITCHBOARD_STATE_URL: (REQUIRED.state as { url: string }).url, SWITCHBOARD_AUDIT_KEY: KEY });
    for (const component of ['bot', 'worker'] as const) {
      const c = container(deployment(manifests, component));
      expect(c.envFrom).toEqual([{ configMapRef: { name: 'sb-switchboard' } }, { secretRef: { name: 'sb-switchboard' } }]);
      expect(c.env).toEqual([{ name: 'SWITCHBOARD_STATE_URL', valueFrom: { secretKeyRef: { name: 'sb-switchboard', key: 'SWITCHBOARD_STATE_URL' } } }]);
    }
  });

  it('with existingSecret, makes no Secret and reads the named ones (credentials, state URL, Temporal mTLS)', () => {
    const manifests = render(VARIANTS.existingSecret as Values);
    expect(manifests.filter((m) => m.kind === 'Secret')).toEqual([]);
    const data = configMapData(manifests);
    expect(data).toMatchObject({
      TEMPORAL_TLS_CERT: '/etc/switchboard/temporal-tls/tls.crt',
      TEMPORAL_TLS_KEY: '/etc/switchboard/temporal-tls/tls.key',
      TEMPORAL_TLS_CA: '/etc/switchboard/temporal-tls/ca.crt',
    });
    for (const component of ['bot', 'worker'] as const) {
      const d = deployment(manifests, component);
      const c = container(d);
      expect(c.envFrom).toContainEqual({ secretRef: { name: 'switchboard-credentials' } });
      expect(c.env).toEqual([{ name: 'SWITCHBOARD_STATE_URL', valueFrom: { secretKeyRef: { name: 'switchboard-postgres', key: 'url' } } }]);
      const tls = d.spec.template.spec.volumes?.find((v) => v.name === 'temporal-tls');
      expect(tls?.secret?.secretName).toBe('temporal-client');
      expect(c.volumeMounts).toContainEqual({ name: 'temporal-tls', mountPath: dirname(data.TEMPORAL_TLS_CERT as string), readOnly: true });
    }
  });

  it('runs non-root on a read-only root filesystem, writing to emptyDirs at the data folder and /tmp (HOME)', () => {
    const manifests = render(REQUIRED);
    const data = configMapData(manifests);
    for (const component of ['bot', 'worker'] as const) {
      const d = deployment(manifests, component);
      const c = container(d);
      expect(d.spec.template.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
      expect(c.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
      expect(c.resources?.requests?.memory, component).toBeDefined();
      const writable = (c.volumeMounts ?? []).filter((m) => !m.readOnly);
      for (const m of writable) expect(d.spec.template.spec.volumes?.find((v) => v.name === m.name)?.emptyDir, m.mountPath).toEqual({});
      expect(writable.map((m) => m.mountPath).sort()).toEqual([dirname(data.SWITCHBOARD_DB as string), data.HOME].sort());
    }
  });

  it('mounts the config file and points SWITCHBOARD_CONFIG at it', () => {
    const manifests = render(VARIANTS.configFile as Values);
    const data = configMapData(manifests);
    expect(data.BACKSTAGE_URL).toBe('https://backstage.example.com');
    const file = configMapData(manifests, 'sb-switchboard-config')['switchboard.yaml'] as string;
    expect(parse(file)).toEqual((VARIANTS.configFile as { configFile: unknown }).configFile);
    const c = container(deployment(manifests, 'bot'));
    expect(c.volumeMounts).toContainEqual({ name: 'config', mountPath: dirname(data.SWITCHBOARD_CONFIG as string), readOnly: true });
  });

  it('rolls the pods when their configuration changes', () => {
    const annotation = (values: Values) => deployment(render(values), 'bot').spec.template.metadata.annotations?.['checksum/config'];
    expect(annotation(REQUIRED)).toMatch(/^[0-9a-f]{64}$/);
    expect(annotation(merged(REQUIRED, { logLevel: 'debug' }))).not.toBe(annotation(REQUIRED));
  });

  it('renders a ServiceMonitor only when enabled, scraping the bots at /metrics with the metrics token', () => {
    expect(render(REQUIRED).filter((m) => m.kind === 'ServiceMonitor')).toEqual([]);
    const manifests = render(VARIANTS.serviceMonitor as Values);
    const monitor = one(manifests, 'ServiceMonitor', 'sb-switchboard');
    expect(monitor.apiVersion).toBe('monitoring.coreos.com/v1');
    const spec = monitor.spec as {
      selector: { matchLabels: Record<string, string> };
      endpoints: { port: string; path: string; authorization?: { credentials: { name: string; key: string } } }[];
    };
    const service = one(manifests, 'Service', 'sb-switchboard');
    expect(Object.entries(spec.selector.matchLabels).every(([k, v]) => service.metadata.labels?.[k] === v)).toBe(true);
    expect(spec.endpoints).toHaveLength(1);
    expect(spec.endpoints[0]).toMatchObject({
      port: 'http',
      path: '/metrics',
      authorization: { credentials: { name: 'sb-switchboard', key: 'SWITCHBOARD_METRICS_TOKEN' } },
    });
  });
});
