/**
 * Reads configuration text into a Config without touching the file system:
 * the YAML syntax, the top-level keys and every section, the key
 * references, and what zones take from `server:`. The problems found are
 * returned with the zones' files, which file-checks.ts checks next (see
 * parseConfig in load-config.ts).
 */
import { dirname } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { ConfigError, type ConfigProblem } from './config-error.js';
import type { Config } from './config-types.js';
import type { ZoneFileRef } from './file-checks.js';
import { field, readMap, type KeyTable } from './key-table.js';
import { checkKeyRefs } from './key-refs.js';
import { keyList } from './keys-section.js';
import { listenList } from './listen-section.js';
import { controlSection, settleControl, type ControlDraft } from './control-section.js';
import { LOG_KEYS } from './log-section.js';
import { metricsSection } from './metrics-section.js';
import { SERVER_DEFAULTS, SERVER_KEYS, THREADS_AT, UDP_IO_BATCHED_AT } from './server-section.js';
import { settleZoneDirectories, zoneDirectoryList } from './zone-directories-section.js';
import { checkCatalogRefs, settleZones, zoneList, type ZonesCtx } from './zones-section.js';
import { report, valueOf } from './yaml-value.js';

/** `control:` as read, by the Config being read, until readConfigDocument settles it. */
const CONTROL_DRAFTS = new WeakMap<Config, { draft: ControlDraft | null; offset: number }>();
/** Where `metrics:` was written (for the workers check once `server:` is read, wherever it comes in the file). */
const METRICS_AT = new WeakMap<Config, number>();

const TOP_KEYS: KeyTable<Config, ZonesCtx> = {
  listen: field(listenList, (c, x) => { c.listen = x; }, true),
  log: { read: (ctx, v, c) => { readMap(ctx, v, LOG_KEYS, c.log); } },
  server: { read: (ctx, v, c) => { readMap(ctx, v, SERVER_KEYS, c.server); } },
  keys: field(keyList, (c, x) => { c.keys = x; }),
  zones: field(zoneList, (c, x) => { c.zones = x; }, true),
  'zone-directories': field(zoneDirectoryList, (c, x) => { c.zoneDirectories = x; }),
  // Settled after the whole file is read (its default depends on server.data-dir): see readConfigDocument.
  control: field(controlSection, (c, x, v) => { CONTROL_DRAFTS.set(c, { draft: x.value, offset: v.keyOffset }); }),
  metrics: field(metricsSection, (c, x, v) => {
    c.metrics = x.value;
    if (x.value !== null) METRICS_AT.set(c, v.keyOffset);
  }),
};

/** The order of ConfigError.problems: by position (a stable sort keeps the order of problems at one place). */
export function byPosition(a: ConfigProblem, b: ConfigProblem): number {
  return a.line - b.line || a.col - b.col;
}

/** Configuration text read: the Config, the problems found, and the zones' files still to check. */
export interface ConfigDocument {
  config: Config;
  problems: ConfigProblem[];
  zoneFiles: ZoneFileRef[];
}

/**
 * Reads configuration text that came from `file` (absolute). Throws
 * ConfigError CONFIG_SYNTAX when the text is not well-formed YAML; every
 * other problem is returned.
 */
export function readConfigDocument(text: string, file: string): ConfigDocument {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // a BOM would shift the columns of line 1
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const ctx: ZonesCtx = { doc, lc, dir: dirname(file), problems: [], keyNames: new Map(), keyRefs: [], ownSerialPolicy: new Set(), zoneFiles: new Map(), ownLimits: new Map(), catalogRefs: [] };

  const yamlProblems = [...doc.errors, ...doc.warnings];
  if (yamlProblems.length > 0) {
    for (const e of yamlProblems) report(ctx, '', e.pos[0], `${e.message.split('\n')[0]} [YAML ${e.code}]`);
    throw new ConfigError('CONFIG_SYNTAX', file, ctx.problems.sort(byPosition));
  }

  const config: Config = {
    path: file,
    listen: [],
    log: { level: 'info', querySample: 1 },
    server: { ...SERVER_DEFAULTS, zoneLimits: { ...SERVER_DEFAULTS.zoneLimits } },
    keys: [],
    zones: [],
    zoneDirectories: [],
    control: null,
    metrics: null,
  };
  const top = valueOf(ctx, doc.contents, '', doc.contents?.range?.[0] ?? 0);
  if (readMap(ctx, top, TOP_KEYS, config)) {
    checkKeyRefs(ctx);
    checkCatalogRefs(ctx, config.zones);
  }
  const zoneFiles = settleZones(ctx, config.zones, config.server);
  settleZoneDirectories(config.zoneDirectories, config.server);
  const control = CONTROL_DRAFTS.get(config);
  CONTROL_DRAFTS.delete(config);
  if (control !== undefined && control.draft !== null && config.server.workers > 1) {
    report(ctx, 'control', control.offset, `the control socket needs server.workers: 1 (it is not relayed to cluster workers yet); write control: false, or set workers: 1`);
  }
  const metricsAt = METRICS_AT.get(config);
  METRICS_AT.delete(config);
  if (metricsAt !== undefined && config.server.workers > 1) {
    report(ctx, 'metrics', metricsAt, `the metrics endpoint needs server.workers: 1 (each worker counts its own queries); write metrics: false, or set workers: 1`);
  }
  const batchedAt = UDP_IO_BATCHED_AT.get(config.server);
  UDP_IO_BATCHED_AT.delete(config.server);
  if (batchedAt !== undefined && config.server.workers > 1) {
    // Cluster workers share node:dgram sockets through the primary; the batched socket is one process's own.
    report(ctx, 'server.udp-io', batchedAt, `batched UDP I/O needs server.workers: 1 (cluster workers share node:dgram sockets); write udp-io: auto or dgram, or set workers: 1`);
  }
  const threadsAt = THREADS_AT.get(config.server);
  THREADS_AT.delete(config.server);
  if (threadsAt !== undefined && config.server.threads > 1 && config.server.workers > 1) {
    // Each cluster worker would start its own threads, each loading every zone again: one or the other.
    report(ctx, 'server.threads', threadsAt, `threads and workers cannot both be above 1; use threads (they share the zones and allow transfers), and set workers: 1`);
  }
  config.control = settleControl(control === undefined ? undefined : control.draft, file, config.server.dataDir, config.server.workers);
  return { config, problems: ctx.problems, zoneFiles };
}
