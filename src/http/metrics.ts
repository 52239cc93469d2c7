/** A few counters and gauges in Prometheus' text format; enough for a bot, no client library needed. */

type Labels = Record<string, string>;

interface Metric {
  help: string;
  type: 'counter' | 'gauge';
  values: Map<string, number>;
}

const labelKey = (labels: Labels) =>
  Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
    .join(',');

export class Metrics {
  private readonly metrics = new Map<string, Metric>();
  private readonly collectors: (() => void)[] = [];

  private metric(name: string, help: string, type: Metric['type']): Metric {
    let m = this.metrics.get(name);
    if (!m) {
      m = { help, type, values: new Map() };
      this.metrics.set(name, m);
    }
    return m;
  }

  inc(name: string, help: string, labels: Labels = {}, by = 1): void {
    const m = this.metric(name, help, 'counter');
    const key = labelKey(labels);
    m.values.set(key, (m.values.get(key) ?? 0) + by);
  }

  set(name: string, help: string, value: number, labels: Labels = {}): void {
    this.metric(name, help, 'gauge').values.set(labelKey(labels), value);
  }

  /** Runs `fn` before each scrape, to refresh gauges that are cheaper to read than to track. */
  onCollect(fn: () => void): void {
    this.collectors.push(fn);
  }

  render(): string {
    this.collectors.forEach((fn) => fn());
    const lines: string[] = [];
    for (const [name, m] of this.metrics) {
      lines.push(`# HELP ${name} ${m.help}`, `# TYPE ${name} ${m.type}`);
      for (const [key, value] of m.values) lines.push(`${name}${key ? `{${key}}` : ''} ${value}`);
    }
    return lines.join('\n') + '\n';
  }
}
