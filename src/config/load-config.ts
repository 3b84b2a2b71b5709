import { readFileSync, statSync } from 'node:fs';
import { isIP } from 'node:net';
import { dirname, resolve } from 'node:path';
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument, type Document, type Node } from 'yaml';
import { Name } from '../wire/name.js';
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from '../wire/ip-address.js';
import { ConfigError, type ConfigProblem } from './config-error.js';
import type { Config, ListenAddress, ServerSettings, ZoneSettings } from './config-types.js';
import { formatDuration, parseDuration } from './duration.js';

// ---------------------------------------------------------------------------
// The schema is a set of key tables (one entry per YAML key) built from small
// value readers. A reader reports its own problems and returns undefined when
// the value is unusable; the table entry then assigns a good value to a draft.
// ---------------------------------------------------------------------------

interface Ctx {
  readonly doc: Document;
  readonly lc: LineCounter;
  /** Folder of the configuration file; relative zone files are resolved against it. */
  readonly dir: string;
  readonly problems: ConfigProblem[];
}

/** A value in the document, with where to point at it. */
interface Value {
  /** The node (aliases already followed), or null when the key has no value at all. */
  readonly node: Node | null;
  /** Key path (`server.udp-payload`, `zones[2].file`). */
  readonly path: string;
  /** Offset to report problems at: the value, or its key when the value is empty. */
  readonly offset: number;
}

type Reader<T> = (ctx: Ctx, v: Value) => T | undefined;

interface KeySpec<D> {
  readonly required?: boolean;
  read(ctx: Ctx, v: Value, draft: D): void;
}

type KeyTable<D> = Readonly<Record<string, KeySpec<D>>>;

function report(ctx: Ctx, path: string, offset: number, message: string): void {
  const { line, col } = ctx.lc.linePos(offset);
  ctx.problems.push({ path, line, col, message });
}

function problem(ctx: Ctx, v: Value, message: string): undefined {
  report(ctx, v.path, v.offset, message);
  return undefined;
}

/** A key's value as a Value; an empty value (`key:`) points at the key. */
function valueOf(ctx: Ctx, node: unknown, path: string, keyOffset: number): Value {
  let n = node as Node | null | undefined;
  if (n !== null && n !== undefined && isAlias(n)) n = (n.resolve(ctx.doc) as Node | undefined) ?? null;
  if (n === null || n === undefined) return { node: null, path, offset: keyOffset };
  const empty = isScalar(n) && n.value === null && n.range !== undefined && n.range !== null && n.range[0] === n.range[1];
  return { node: n, path, offset: empty ? keyOffset : (n.range?.[0] ?? keyOffset) };
}

/** The plain value of a scalar (null for an empty value), or undefined for a collection. */
function scalarOf(v: Value): { value: unknown } | undefined {
  if (v.node === null) return { value: null };
  return isScalar(v.node) ? { value: v.node.value } : undefined;
}

function describe(v: Value): string {
  if (v.node === null) return 'nothing';
  if (isMap(v.node)) return 'a mapping';
  if (isSeq(v.node)) return 'a list';
  const x = (v.node as { value?: unknown }).value;
  if (x === null) return v.node.range?.[0] === v.node.range?.[1] ? 'nothing' : 'null';
  if (typeof x === 'string') return `'${x}'`;
  return typeof x === 'number' || typeof x === 'boolean' ? `${typeof x} ${String(x)}` : typeof x;
}

// ---------------------------------------------------------------- readers --

function integer(min: number, max: number): Reader<number> {
  return (ctx, v) => {
    const s = scalarOf(v);
    const x = s?.value;
    if (typeof x !== 'number' || !Number.isInteger(x)) return problem(ctx, v, `expected an integer from ${min} to ${max}, got ${describe(v)}`);
    if (x < min || x > max) return problem(ctx, v, `${x} is out of range (${min}..${max})`);
    return x;
  };
}

/** A string; `maxBytes` limits its UTF-8 length. */
function text(maxBytes = Infinity): Reader<string> {
  return (ctx, v) => {
    const x = scalarOf(v)?.value;
    if (typeof x !== 'string') {
      const hint = typeof x === 'number' || typeof x === 'boolean' ? ' (quote it)' : '';
      return problem(ctx, v, `expected a string, got ${describe(v)}${hint}`);
    }
    if (x === '') return problem(ctx, v, 'empty string');
    if (Buffer.byteLength(x, 'utf8') > maxBytes) return problem(ctx, v, `longer than ${maxBytes} octets`);
    return x;
  };
}

/** A string, or null (written `null`, `~` or nothing). Returns `{ value }` so null is a good value. */
function nullableText(maxBytes: number): Reader<{ value: string | null }> {
  const str = text(maxBytes);
  return (ctx, v) => {
    if (scalarOf(v)?.value === null) return { value: null };
    const s = str(ctx, v);
    return s === undefined ? undefined : { value: s };
  };
}

function oneOf<T extends string>(choices: readonly T[]): Reader<T> {
  return (ctx, v) => {
    const x = scalarOf(v)?.value;
    if (typeof x === 'string' && (choices as readonly string[]).includes(x)) return x as T;
    return problem(ctx, v, `expected one of ${choices.join(', ')}, got ${describe(v)}`);
  };
}

/** A duration in milliseconds, more than `minExclusiveMs` and at most `maxMs`. */
function duration(minExclusiveMs: number, maxMs: number): Reader<number> {
  return (ctx, v) => {
    const x = scalarOf(v)?.value;
    if (typeof x !== 'string' && typeof x !== 'number') return problem(ctx, v, `expected a duration such as 10s, got ${describe(v)}`);
    let ms: number;
    try {
      ms = parseDuration(x);
    } catch (err) {
      return problem(ctx, v, (err as Error).message);
    }
    if (ms <= minExclusiveMs) return problem(ctx, v, `must be more than ${formatDuration(minExclusiveMs)}`);
    if (ms > maxMs) return problem(ctx, v, `must be at most ${formatDuration(maxMs)}`);
    return ms;
  };
}

/**
 * Reads a mapping against a key table: unknown keys and missing required
 * keys are reported, each known key is handed to its entry. Returns false
 * when the value is not a mapping at all. A null value (`server:` with
 * nothing under it) counts as an empty mapping.
 */
function readMap<D>(ctx: Ctx, v: Value, table: KeyTable<D>, draft: D): boolean {
  const seen = new Set<string>();
  if (v.node !== null && !(isScalar(v.node) && v.node.value === null)) {
    if (!isMap(v.node)) {
      problem(ctx, v, `expected a mapping, got ${describe(v)}`);
      return false;
    }
    for (const pair of v.node.items) {
      const keyNode = pair.key as Node | null;
      const keyOffset = keyNode?.range?.[0] ?? v.offset;
      const key = keyNode !== null && isScalar(keyNode) ? keyNode.value : undefined;
      if (typeof key !== 'string' && typeof key !== 'number' && typeof key !== 'boolean') {
        report(ctx, v.path, keyOffset, 'a key must be a plain word');
        continue;
      }
      const name = String(key);
      const path = v.path === '' ? name : `${v.path}.${name}`;
      const spec = Object.hasOwn(table, name) ? table[name] : undefined;
      if (spec === undefined) {
        const near = closest(name, Object.keys(table));
        report(ctx, path, keyOffset, `unknown key '${name}'${near === undefined ? '' : ` (did you mean '${near}'?)`}`);
        continue;
      }
      seen.add(name);
      spec.read(ctx, valueOf(ctx, pair.value, path, keyOffset), draft);
    }
  }
  for (const [name, spec] of Object.entries(table)) {
    if (spec.required === true && !seen.has(name)) {
      report(ctx, v.path === '' ? name : `${v.path}.${name}`, v.offset, 'required key missing');
    }
  }
  return true;
}

/** A key table entry that reads a value and assigns it when good. */
function field<D, T>(reader: Reader<T>, assign: (draft: D, value: T, v: Value) => void, required = false): KeySpec<D> {
  return {
    required,
    read(ctx, v, draft) {
      const x = reader(ctx, v);
      if (x !== undefined) assign(draft, x, v);
    },
  };
}

/** The known key nearest to a mistyped one (edit distance at most 2). */
function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = 3;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

// ----------------------------------------------------------------- listen --

/** `host:port` for IPv4, `[v6]:port` for IPv6. */
const listenAddress: Reader<ListenAddress> = (ctx, v) => {
  const x = scalarOf(v)?.value;
  if (typeof x !== 'string') return problem(ctx, v, `expected "host:port" or "[v6]:port", got ${describe(v)}`);
  let host: string;
  let portText: string;
  const v6 = /^\[([^\]]*)\]:(.*)$/.exec(x);
  if (v6 !== null) {
    host = v6[1]!;
    portText = v6[2]!;
    if (isIP(host) !== 6) return problem(ctx, v, `'${host}' is not an IPv6 address`);
  } else {
    const colon = x.lastIndexOf(':');
    if (colon < 0) return problem(ctx, v, `'${x}' has no port (write "host:port", or "[v6]:port" for IPv6)`);
    host = x.slice(0, colon);
    portText = x.slice(colon + 1);
    if (host.includes(':')) {
      if (isIP(host) === 6 || isIP(x) === 6) return problem(ctx, v, `'${x}': an IPv6 address goes in brackets, as "[::1]:5300"`);
      return problem(ctx, v, `'${x}' is not "host:port"`);
    }
    if (isIP(host) !== 4) return problem(ctx, v, `'${host}' is not an IP address (host names are not allowed)`);
  }
  if (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) {
    return problem(ctx, v, `bad port '${portText}' (1..65535)`);
  }
  return { host, port: Number(portText), family: v6 !== null ? 6 : 4 };
};

/** The address in one spelling, so `::1` and `0:0::1` are seen as the same. */
function canonicalHost(a: ListenAddress): string {
  const buf = new Uint8Array(16);
  if (a.family === 4) return parseIPv4(a.host, buf) ? formatIPv4(buf) : a.host;
  return parseIPv6(a.host, buf) ? formatIPv6(buf) : a.host.toLowerCase();
}

const listenList: Reader<ListenAddress[]> = (ctx, v) => {
  if (v.node === null || !isSeq(v.node)) return problem(ctx, v, `expected a list of addresses, got ${describe(v)}`);
  if (v.node.items.length === 0) return problem(ctx, v, 'must list at least one address');
  const out: ListenAddress[] = [];
  // Duplicates are reported against the later entry, naming the first.
  const first = new Map<string, number>();
  v.node.items.forEach((n, i) => {
    const item = valueOf(ctx, n, `${v.path}[${i}]`, v.offset);
    const a = listenAddress(ctx, item);
    if (a === undefined) return;
    const key = `${canonicalHost(a)}#${a.port}`;
    const j = first.get(key);
    if (j !== undefined) {
      problem(ctx, item, `duplicate of ${v.path}[${j}]`);
      return;
    }
    first.set(key, i);
    out.push(a);
  });
  return out;
};

// ------------------------------------------------------------------ zones --

interface ZoneDraft {
  name?: string;
  file?: string;
  /** Canonical key of the zone name, for duplicate checks. */
  key?: string;
  nameValue?: Value;
}

const zoneName: Reader<{ name: string; key: string }> = (ctx, v) => {
  const name = text()(ctx, v);
  if (name === undefined) return undefined;
  try {
    const n = Name.fromText(name.endsWith('.') ? name : `${name}.`);
    return { name, key: n.key };
  } catch (err) {
    return problem(ctx, v, `'${name}' is not a valid domain name (${(err as Error).message})`);
  }
};

const zoneFile: Reader<string> = (ctx, v) => {
  const file = text()(ctx, v);
  if (file === undefined) return undefined;
  const abs = resolve(ctx.dir, file);
  try {
    if (!statSync(abs).isFile()) return problem(ctx, v, `'${file}' is not a regular file`);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return problem(ctx, v, `no such file '${file}'`);
    return problem(ctx, v, `cannot use '${file}' (${code ?? (err as Error).message})`);
  }
  return abs;
};

/** Keys of one `zones:` entry. */
const ZONE_KEYS: KeyTable<ZoneDraft> = {
  name: field(zoneName, (d, x, v) => {
    d.name = x.name;
    d.key = x.key;
    d.nameValue = v;
  }, true),
  file: field(zoneFile, (d, x) => {
    d.file = x;
  }, true),
};

const zoneList: Reader<ZoneSettings[]> = (ctx, v) => {
  if (v.node === null || !isSeq(v.node)) return problem(ctx, v, `expected a list (write [] for none), got ${describe(v)}`);
  const out: ZoneSettings[] = [];
  const first = new Map<string, number>();
  v.node.items.forEach((n, i) => {
    const entry = valueOf(ctx, n, `${v.path}[${i}]`, v.offset);
    const draft: ZoneDraft = {};
    if (!readMap(ctx, entry, ZONE_KEYS, draft)) return;
    if (draft.key !== undefined && draft.nameValue !== undefined) {
      const j = first.get(draft.key);
      if (j !== undefined) problem(ctx, draft.nameValue, `zone '${draft.name}' is already listed at zones[${j}]`);
      else first.set(draft.key, i);
    }
    if (draft.name !== undefined && draft.file !== undefined) {
      out.push({
        name: draft.name, type: 'primary', file: draft.file, notify: [], allowTransfer: [], primaries: [], allowNotify: null,
        line: ctx.lc.linePos(entry.offset).line,
      });
    }
  });
  return out;
};

// ------------------------------------------------------------- top level --

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Defaults of the `server:` section. */
export const SERVER_DEFAULTS: Readonly<ServerSettings> = Object.freeze({
  udpPayload: 1232,
  identity: null,
  version: null,
  tcpIdleTimeoutMs: 10_000,
  tcpMaxConnections: 1000,
  workers: 1,
});

/** A CH TXT answer holds one character-string, so at most 255 octets. */
const MAX_TXT = 255;

const SERVER_KEYS: KeyTable<ServerSettings> = {
  'udp-payload': field(integer(512, 4096), (s, x) => { s.udpPayload = x; }),
  identity: field(nullableText(MAX_TXT), (s, x) => { s.identity = x.value; }),
  version: field(nullableText(MAX_TXT), (s, x) => { s.version = x.value; }),
  'tcp-idle-timeout': field(duration(0, 3_600_000), (s, x) => { s.tcpIdleTimeoutMs = x; }),
  'tcp-max-connections': field(integer(1, 100_000), (s, x) => { s.tcpMaxConnections = x; }),
  workers: field(integer(1, 64), (s, x) => { s.workers = x; }),
};

const LOG_KEYS: KeyTable<Config['log']> = {
  level: field(oneOf(LOG_LEVELS), (l, x) => { l.level = x; }),
};

const TOP_KEYS: KeyTable<Config> = {
  listen: field(listenList, (c, x) => { c.listen = x; }, true),
  log: { read: (ctx, v, c) => { readMap(ctx, v, LOG_KEYS, c.log); } },
  server: { read: (ctx, v, c) => { readMap(ctx, v, SERVER_KEYS, c.server); } },
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
  const ctx: Ctx = { doc, lc, dir: dirname(file), problems: [] };

  const yamlProblems = [...doc.errors, ...doc.warnings];
  if (yamlProblems.length > 0) {
    for (const e of yamlProblems) report(ctx, '', e.pos[0], `${e.message.split('\n')[0]} [YAML ${e.code}]`);
    throw new ConfigError('CONFIG_SYNTAX', file, ctx.problems.sort(byPosition));
  }

  const config: Config = {
    path: file,
    listen: [],
    log: { level: 'info' },
    server: { ...SERVER_DEFAULTS },
    keys: [],
    zones: [],
  };
  const top = valueOf(ctx, doc.contents, '', doc.contents?.range?.[0] ?? 0);
  readMap(ctx, top, TOP_KEYS, config);
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
