/**
 * The `metrics:` section (issue 15 §3): where the Prometheus endpoint
 * (`/metrics`, `/health`, `/ready`) listens, and whether it has per-zone
 * series. Left out or `false`: no endpoint (the default); `true`: the
 * defaults, `127.0.0.1:9153` (CoreDNS's metrics port) with per-zone series.
 */
import { isMap } from 'yaml';
import { listenAddress } from './address-readers.js';
import type { MetricsSettings } from './config-types.js';
import { field, readMap, type KeyTable, type Reader } from './key-table.js';
import { boolean } from './scalar-readers.js';
import { describe, problem, scalarOf } from './yaml-value.js';

/** CoreDNS's metrics plugin listens on localhost:9153 by default; so does ours. */
export const DEFAULT_METRICS_LISTEN = { host: '127.0.0.1', port: 9153, family: 4 } as const;

const METRICS_KEYS: KeyTable<MetricsSettings> = {
  listen: field(listenAddress, (d, x) => { d.listen = x; }),
  'per-zone': field(boolean, (d, x) => { d.perZone = x; }),
};

/** `metrics`: `false` (off), `true` (the defaults) or a mapping `{ listen, per-zone }`. */
export const metricsSection: Reader<{ value: MetricsSettings | null }> = (ctx, v) => {
  const x = scalarOf(v)?.value;
  if (x === false) return { value: null };
  const d: MetricsSettings = { listen: { ...DEFAULT_METRICS_LISTEN }, perZone: true };
  if (x === true || x === null) return { value: d };
  if (v.node === null || !isMap(v.node)) return problem(ctx, v, `expected false, true or a mapping such as { listen: "127.0.0.1:9153", per-zone: false }, got ${describe(v)}`);
  readMap(ctx, v, METRICS_KEYS, d);
  return { value: d };
};
