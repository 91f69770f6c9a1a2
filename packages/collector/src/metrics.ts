/**
 * The collector's own counters and the Prometheus text exposition of them
 * (https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format). Kept dependency-free: a handful
 * of counters, gauges and one histogram do not need a metrics SDK.
 */

export type Labels = Record<string, string>;

interface Family {
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
}

/** Upper bounds (seconds) of the request-duration histogram buckets. */
const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

class Histogram {
  readonly counts = new Array<number>(DURATION_BUCKETS.length).fill(0);
  count = 0;
  sum = 0;

  observe(value: number): void {
    this.count++;
    this.sum += value;
    for (let i = 0; i < DURATION_BUCKETS.length; i++) {
      if (value <= DURATION_BUCKETS[i]!) {
        this.counts[i]!++;
        return;
      }
    }
  }
}

const NEEDS_ESCAPE = /[\\"\n]/;

/** `k1="v1",k2="v2"` with the exposition format's escapes; called per request, so no intermediate arrays. */
function labelKey(labels: Labels): string {
  let key = '';
  for (const name in labels) {
    const raw = labels[name]!;
    const value = NEEDS_ESCAPE.test(raw) ? raw.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n') : raw;
    key += `${key === '' ? '' : ','}${name}="${value}"`;
  }
  return key;
}

export class MetricsRegistry {
  private readonly families = new Map<string, Family>();
  private readonly values = new Map<string, Map<string, number>>();
  private readonly histograms = new Map<string, Map<string, Histogram>>();

  define(name: string, type: Family['type'], help: string): void {
    this.families.set(name, { type, help });
  }

  add(name: string, value = 1, labels: Labels = {}): void {
    const series = this.series(name);
    const key = labelKey(labels);
    series.set(key, (series.get(key) ?? 0) + value);
  }

  set(name: string, value: number, labels: Labels = {}): void {
    this.series(name).set(labelKey(labels), value);
  }

  observe(name: string, value: number, labels: Labels = {}): void {
    let series = this.histograms.get(name);
    if (!series) this.histograms.set(name, (series = new Map()));
    const key = labelKey(labels);
    let histogram = series.get(key);
    if (!histogram) series.set(key, (histogram = new Histogram()));
    histogram.observe(value);
  }

  /** Current value of a counter or gauge series (tests and logs). */
  get(name: string, labels: Labels = {}): number {
    return this.values.get(name)?.get(labelKey(labels)) ?? 0;
  }

  render(): string {
    const lines: string[] = [];
    for (const [name, family] of this.families) {
      lines.push(`# HELP ${name} ${family.help}`, `# TYPE ${name} ${family.type}`);
      if (family.type === 'histogram') {
        for (const [key, h] of this.histograms.get(name) ?? []) {
          const prefix = key === '' ? '' : `${key},`;
          let cumulative = 0;
          DURATION_BUCKETS.forEach((bound, i) => {
            cumulative += h.counts[i]!;
            lines.push(`${name}_bucket{${prefix}le="${bound}"} ${cumulative}`);
          });
          lines.push(`${name}_bucket{${prefix}le="+Inf"} ${h.count}`);
          const suffix = key === '' ? '' : `{${key}}`;
          lines.push(`${name}_sum${suffix} ${h.sum}`, `${name}_count${suffix} ${h.count}`);
        }
        continue;
      }
      const series = this.values.get(name);
      if (!series || series.size === 0) {
        lines.push(`${name} 0`);
        continue;
      }
      for (const [key, value] of series) lines.push(key === '' ? `${name} ${value}` : `${name}{${key}} ${value}`);
    }
    return `${lines.join('\n')}\n`;
  }

  private series(name: string): Map<string, number> {
    let series = this.values.get(name);
    if (!series) this.values.set(name, (series = new Map()));
    return series;
  }
}
