/**
 * Reads and checks a configuration file: the top-level keys, what is
 * settled once the whole file has been read, and loadConfig/parseConfig.
 * The schema kit is in yaml-value.ts, key-table.ts and the *-readers.ts
 * files; the sections in *-section.ts.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { ConfigError, type ConfigProblem } from './config-error.js';
import type { Config, ZoneSettings } from './config-types.js';
import { field, readMap, type KeyTable } from './key-table.js';
import { checkKeyRefs } from './key-refs.js';
import { keyList } from './keys-section.js';
import { listenList } from './listen-section.js';
import { LOG_KEYS } from './log-section.js';
import { SERVER_DEFAULTS, SERVER_KEYS } from './server-section.js';
import { defaultIncludeConfine } from './zone-limit-keys.js';
import { zoneList, type ZonesCtx as Ctx } from './zones-section.js';
import { problem, report, valueOf, type Value } from './yaml-value.js';

export { LOG_LEVELS } from './log-section.js';
export { SERVER_DEFAULTS } from './server-section.js';
export { defaultIncludeConfine } from './zone-limit-keys.js';

/**
 * A secondary's zone file, relative to `base` (the configuration's folder,
 * or `server.data-dir`): it need not exist yet (the first transfer writes
 * it), and neither need its folder; but if it exists it must be a regular
 * file, and the nearest existing folder above it must be a folder.
 */
function secondaryFile(ctx: Ctx, v: Value, file: string, base: string): string | undefined {
  const abs = resolve(base, file);
  const shown = (p: string): string => (isAbsolute(file) ? p : relative(base, p) || '.');
  let at = abs;
  for (;;) {
    try {
      const st = statSync(at);
      if (at === abs) {
        if (!st.isFile()) return problem(ctx, v, `'${file}' is not a regular file`);
      } else if (!st.isDirectory()) {
        return problem(ctx, v, `cannot create '${file}': '${shown(at)}' is not a folder`);
      }
      return abs;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOTDIR') {
        // Some folder above is a file: keep walking up to name it.
      } else if (code !== 'ENOENT') {
        return problem(ctx, v, `cannot use '${file}' (${code ?? (err as Error).message})`);
      }
    }
    const up = dirname(at);
    if (up === at) return abs;
    at = up;
  }
}

/**
 * Resolves every zone's file, once `server:` is known: a primary's against
 * the configuration's folder, a secondary's against `server.data-dir` when
 * set (as BIND's `directory` and Knot's `storage`), and checks that a file
 * a secondary writes is no other zone's. Returns the zones whose file is usable.
 */
function resolveZoneFiles(ctx: Ctx, zones: ZoneSettings[], dataDir: string | null): ZoneSettings[] {
  const files = new Map<string, { i: number; type: ZoneSettings['type'] }>();
  const out: ZoneSettings[] = [];
  for (const z of zones) {
    const f = ctx.zoneFiles.get(z)!;
    const abs = z.type === 'primary' ? resolve(ctx.dir, f.text) : secondaryFile(ctx, f.value, f.text, dataDir ?? ctx.dir);
    if (abs === undefined) continue;
    const other = files.get(abs);
    if (other !== undefined && (other.type === 'secondary' || z.type === 'secondary')) {
      problem(ctx, f.value, `'${f.text}' is also the file of zones[${other.i}] (a secondary's file must be its own)`);
      continue;
    }
    if (other === undefined) files.set(abs, { i: f.index, type: z.type });
    z.file = abs;
    out.push(z);
  }
  return out;
}

// ------------------------------------------------------------- top level --
const TOP_KEYS: KeyTable<Config, Ctx> = {
  listen: field(listenList, (c, x) => { c.listen = x; }, true),
  log: { read: (ctx, v, c) => { readMap(ctx, v, LOG_KEYS, c.log); } },
  server: { read: (ctx, v, c) => { readMap(ctx, v, SERVER_KEYS, c.server); } },
  keys: field(keyList, (c, x) => { c.keys = x; }),
  zones: field(zoneList, (c, x) => { c.zones = x; }, true),
};

function byPosition(a: ConfigProblem, b: ConfigProblem): number {
  return a.line - b.line || a.col - b.col;
}

/**
 * Checks configuration text. `path` is the file it came from: it appears in
 * messages, and relative zone file paths are resolved against its folder
 * (a relative `path` is first resolved against the working directory).
 * Throws ConfigError listing every problem found.
 */
export function parseConfig(text: string, path: string): Config {
  const file = resolve(path);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // a BOM would shift the columns of line 1
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const ctx: Ctx = { doc, lc, dir: dirname(file), problems: [], keyNames: new Map(), keyRefs: [], ownSerialPolicy: new Set(), zoneFiles: new Map(), ownLimits: new Map() };

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
  };
  const top = valueOf(ctx, doc.contents, '', doc.contents?.range?.[0] ?? 0);
  if (readMap(ctx, top, TOP_KEYS, config)) checkKeyRefs(ctx);
  for (const z of config.zones) if (!ctx.ownSerialPolicy.has(z)) z.serialPolicy = config.server.serialPolicy;
  for (const z of config.zones) {
    const own = ctx.ownLimits.get(z);
    z.limits = { ...config.server.zoneLimits, ...own?.limits };
    z.includeConfine = own?.includeConfine ?? config.server.includeConfine ?? defaultIncludeConfine('listed');
  }
  config.zones = resolveZoneFiles(ctx, config.zones, config.server.dataDir);
  if (ctx.problems.length > 0) throw new ConfigError('CONFIG_INVALID', file, ctx.problems.sort(byPosition));
  return config;
}

/** Reads and checks a configuration file (a relative `path` is resolved against the working directory). */
export function loadConfig(path: string): Config {
  const file = resolve(path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'ENOENT' ? 'no such file' : e.code === 'EISDIR' ? 'is a directory' : (e.code ?? e.message);
    throw new ConfigError('CONFIG_UNREADABLE', file, [{ path: '', line: 0, col: 0, message: `cannot read configuration (${why})` }], { cause: err });
  }
  return parseConfig(text, file);
}
