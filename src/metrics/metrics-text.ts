/**
 * The Prometheus text exposition format, version 0.0.4 (prometheus.io,
 * "Exposition formats"): per metric family one `# HELP` and one `# TYPE`
 * line, then its samples `name{label="value",...} number`. Label values
 * escape backslash, double quote and line feed; HELP text escapes
 * backslash and line feed. Built only when scraped.
 */

export type MetricType = 'counter' | 'gauge' | 'histogram';
export type Labels = Readonly<Record<string, string>>;

/** The Content-Type of the text format. */
export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** A label value as the text format writes it between double quotes. */
export function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** A sample value: integers as they are, +Inf/-Inf/NaN by their names. */
export function formatValue(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return '+Inf';
  if (x === -Infinity) return '-Inf';
  return String(x);
}

function labelText(labels: Labels | undefined): string {
  if (labels === undefined) return '';
  const keys = Object.keys(labels);
  if (keys.length === 0) return '';
  return `{${keys.map((k) => `${k}="${escapeLabelValue(labels[k]!)}"`).join(',')}}`;
}

/** A page of metrics being written, family by family. */
export class MetricsText {
  readonly #lines: string[] = [];

  /** Starts a family: its HELP and TYPE lines. Its samples follow (sample / histogram). */
  family(name: string, type: MetricType, help: string): this {
    this.#lines.push(`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${type}`);
    return this;
  }

  sample(name: string, value: number, labels?: Labels): this {
    this.#lines.push(`${name}${labelText(labels)} ${formatValue(value)}`);
    return this;
  }

  /**
   * A histogram's samples from per-bucket counts (not cumulative; the last
   * is above the largest bound): `_bucket{le}` cumulative, `le="+Inf"`
   * equal to `_count`, and `_sum`.
   */
  histogram(name: string, bounds: readonly number[], perBucket: ArrayLike<number>, sum: number, labels: Labels = {}): this {
    let total = 0;
    for (let i = 0; i < bounds.length; i++) {
      total += perBucket[i]!;
      this.sample(`${name}_bucket`, total, { ...labels, le: formatValue(bounds[i]!) });
    }
    total += perBucket[bounds.length] ?? 0;
    this.sample(`${name}_bucket`, total, { ...labels, le: '+Inf' });
    this.sample(`${name}_sum`, sum, labels);
    this.sample(`${name}_count`, total, labels);
    return this;
  }

  toString(): string {
    return this.#lines.length === 0 ? '' : `${this.#lines.join('\n')}\n`;
  }
}
