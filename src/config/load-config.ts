/**
 * Reads and checks a configuration file: the sections of the schema, the
 * checks made once the whole file has been read, and loadConfig/parseConfig.
 * The schema kit (value readers, key tables, the YAML walk) is in
 * yaml-value.ts, key-table.ts and the *-readers.ts files.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { LineCounter, isMap, isSeq, parseDocument } from 'yaml';
import { Name } from '../wire/name.js';
import { ConfigError, type ConfigProblem } from './config-error.js';
import type { AclEntry } from '../xfr/acl.js';
import type { Peer } from '../xfr/peer.js';
import { TSIG_ALGORITHMS, tsigMacSize, type TsigAlgorithm } from '../xfr/tsig-key.js';
import type { Config, KeySettings, ListenAddress, ServerSettings, ZoneSettings } from './config-types.js';
import { SERIAL_POLICIES, type SerialPolicy } from '../daemon/serial-policy.js';
import { DEFAULT_ZONE_LIMITS, type ZoneLimits } from '../zonefile/zone-limits.js';
import { RATE_LIMIT_DEFAULTS, type RateLimitSettings } from '../server/rate-limit.js';
import { aclList, network, type Network } from './acl-readers.js';
import { canonicalHost, listenAddress } from './address-readers.js';
import { field, readMap, type KeyTable as SchemaKeyTable, type Reader as SchemaReader } from './key-table.js';
import { checkKeyRefs, keyNameKey, type KeyRefCtx } from './key-refs.js';
import { peerList } from './peer-readers.js';
import { boolean, byteSize, duration, folder, integer, nullableText, oneOf, sizeOrAuto, text } from './scalar-readers.js';
import { describe, problem, report, scalarOf, valueOf, type Value } from './yaml-value.js';

/** The schema kit's Ctx with key references, and what the zones collect for the end of the file. */
interface Ctx extends KeyRefCtx {
  /** Zones with a `serial-policy` of their own; the others take the server's once the whole file has been read. */
  readonly ownSerialPolicy: Set<ZoneSettings>;
  /** Each zone's `file` as written, resolved once the whole file has been read. */
  readonly zoneFiles: Map<ZoneSettings, { index: number; text: string; value: Value }>;
  /** Zones' own read limits and include-confine; the rest comes from the server's once the whole file has been read. */
  readonly ownLimits: Map<ZoneSettings, { limits: Partial<ZoneLimits>; includeConfine: boolean | undefined }>;
}

type Reader<T> = SchemaReader<T, Ctx>;
type KeyTable<D> = SchemaKeyTable<D, Ctx>;

/**
 * The read limits of a zone, as settings: the same keys in `server:` (the
 * default of every zone) and in a zone entry. Ranges: at least what a
 * minimal zone needs, at most what the process can hold.
 */
function limitKeys<D>(get: (d: D) => Partial<ZoneLimits>, setConfine: (d: D, x: boolean) => void): KeyTable<D> {
  return {
    'max-include-reads': field(integer(0, 1_000_000), (d: D, x) => { get(d).maxIncludeReads = x; }),
    'max-records': field(integer(1, 100_000_000), (d: D, x) => { get(d).maxRecords = x; }),
    'max-zone-file-size': field(byteSize(1, 64 * 1024 ** 3), (d: D, x) => { get(d).maxFileBytes = x; }),
    'max-line-length': field(byteSize(1024, 1024 ** 3), (d: D, x) => { get(d).maxLineBytes = x; }),
    'include-confine': field(boolean, (d: D, x) => setConfine(d, x)),
  };
}

/**
 * Where a zone came from decides its `include-confine` when neither the
 * zone nor `server:` sets it: a zone listed in the configuration is
 * trusted as BIND trusts its zone files (false); a zone found in a zone
 * directory (issue 14), whose file a customer may have uploaded, is
 * confined (true).
 */
export function defaultIncludeConfine(source: 'listed' | 'zone-directory'): boolean {
  return source === 'zone-directory';
}

/** zone-memory-budget bounds: 16 MiB (a test's small budget) to 1 TiB. */
const MIN_ZONE_BUDGET = 16 * 2 ** 20;
const MAX_ZONE_BUDGET = 2 ** 40;

// ----------------------------------------------------------------- listen --

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

// ------------------------------------------------------------------- keys --

interface KeyDraft {
  name?: string;
  nameValue?: Value;
  algorithm?: TsigAlgorithm;
  macLength?: number;
  secret?: Uint8Array;
}

/** A TSIG key name: a domain name, such as `transfer` or `ns1-ns2.hosting.example`. */
const keyName: Reader<string> = (ctx, v) => {
  const name = text(255)(ctx, v);
  if (name === undefined) return undefined;
  try {
    Name.fromText(name.endsWith('.') ? name : `${name}.`);
  } catch (err) {
    return problem(ctx, v, `'${name}' is not a valid key name (${(err as Error).message})`);
  }
  return name;
};

/**
 * An RFC 8945 algorithm, in any case, optionally with a MAC length in bits
 * as BIND writes it (`hmac-sha256-128`): a multiple of 8, at least 80 and
 * half the HMAC (RFC 8945 §5.2.2.1), at most all of it.
 */
const algorithm: Reader<{ alg: TsigAlgorithm; macLength?: number }> = (ctx, v) => {
  const x = scalarOf(v)?.value;
  const lower = typeof x === 'string' ? x.toLowerCase() : undefined;
  const m = lower === undefined ? null : /^(hmac-sha\d+)(?:-(\d+))?$/.exec(lower);
  if (m !== null && (TSIG_ALGORITHMS as readonly string[]).includes(m[1]!)) {
    const alg = m[1] as TsigAlgorithm;
    if (m[2] === undefined) return { alg };
    const bits = Number(m[2]);
    const full = tsigMacSize(alg) * 8;
    const min = Math.max(80, full / 2);
    if (bits % 8 !== 0 || bits < min || bits > full) {
      return problem(ctx, v, `${lower}: the MAC length must be a multiple of 8 from ${min} to ${full} bits (RFC 8945 §5.2.2.1); write ${alg} for full-length MACs`);
    }
    return bits === full ? { alg } : { alg, macLength: bits / 8 };
  }
  return problem(ctx, v, `expected one of ${TSIG_ALGORITHMS.join(', ')} (or, to allow truncated MACs, one with a length in bits as BIND writes it: hmac-sha256-128), got ${describe(v)}`);
};

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Strict base64 (padded, no white space, no stray bits); the secret itself never appears in a message. */
const secret: Reader<Uint8Array> = (ctx, v) => {
  const s = text()(ctx, v);
  if (s === undefined) return undefined;
  const bytes = BASE64.test(s) ? Buffer.from(s, 'base64') : undefined;
  if (bytes === undefined || bytes.length === 0 || bytes.toString('base64') !== s) return problem(ctx, v, 'not valid base64');
  return new Uint8Array(bytes);
};

/** Keys of one `keys:` entry. */
const KEY_KEYS: KeyTable<KeyDraft> = {
  name: field(keyName, (d, x, v) => {
    d.name = x;
    d.nameValue = v;
  }, true),
  algorithm: field(algorithm, (d, x) => {
    d.algorithm = x.alg;
    if (x.macLength !== undefined) d.macLength = x.macLength;
  }, true),
  secret: field(secret, (d, x) => { d.secret = x; }, true),
};

const keyList: Reader<KeySettings[]> = (ctx, v) => {
  if (v.node === null || !isSeq(v.node)) return problem(ctx, v, `expected a list (write [] for none), got ${describe(v)}`);
  const out: KeySettings[] = [];
  const first = new Map<string, number>();
  v.node.items.forEach((n, i) => {
    const entry = valueOf(ctx, n, `${v.path}[${i}]`, v.offset);
    const draft: KeyDraft = {};
    if (!readMap(ctx, entry, KEY_KEYS, draft)) return;
    if (draft.name !== undefined && draft.nameValue !== undefined) {
      const canon = keyNameKey(draft.name);
      const j = first.get(canon);
      if (j !== undefined) {
        problem(ctx, draft.nameValue, `key '${draft.name}' is already listed at keys[${j}]`);
        return;
      }
      first.set(canon, i);
      ctx.keyNames.set(canon, draft.name);
    }
    if (draft.name !== undefined && draft.algorithm !== undefined && draft.secret !== undefined) {
      out.push({ name: draft.name, algorithm: draft.algorithm, secret: draft.secret, ...(draft.macLength === undefined ? {} : { macLength: draft.macLength }) });
    }
  });
  return out;
};

// ------------------------------------------------------------------ zones --

const ZONE_TYPES = ['primary', 'secondary'] as const;

interface ZoneDraft {
  name?: string;
  /** Canonical key of the zone name, for duplicate checks. */
  key?: string;
  nameValue?: Value;
  type?: ZoneSettings['type'];
  /** `type` was given but is not usable. */
  typeBad?: boolean;
  fileText?: string;
  fileValue?: Value;
  notify?: Peer[];
  allowTransfer?: AclEntry[];
  primaries?: Peer[];
  /** Present when `primaries` was written, even with a bad value. */
  primariesValue?: Value;
  allowNotify?: AclEntry[];
  allowNotifyValue?: Value;
  serialPolicy?: SerialPolicy;
  serialPolicyValue?: Value;
  limits: Partial<ZoneLimits>;
  includeConfine?: boolean;
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

/** Keys of one `zones:` entry. */
const ZONE_KEYS: KeyTable<ZoneDraft> = {
  ...limitKeys<ZoneDraft>((d) => d.limits, (d, x) => { d.includeConfine = x; }),
  name: field(zoneName, (d, x, v) => {
    d.name = x.name;
    d.key = x.key;
    d.nameValue = v;
  }, true),
  type: {
    read(ctx, v, d) {
      const t = oneOf(ZONE_TYPES)(ctx, v);
      if (t === undefined) d.typeBad = true;
      else d.type = t;
    },
  },
  // Checked once the type is known (a secondary's file need not exist yet).
  file: field(text(), (d, x, v) => {
    d.fileText = x;
    d.fileValue = v;
  }, true),
  notify: field(peerList, (d, x) => { d.notify = x; }),
  'allow-transfer': field(aclList, (d, x) => { d.allowTransfer = x; }),
  primaries: {
    read(ctx, v, d) {
      d.primariesValue = v;
      const x = peerList(ctx, v);
      if (x !== undefined) d.primaries = x;
    },
  },
  'allow-notify': {
    read(ctx, v, d) {
      d.allowNotifyValue = v;
      const x = aclList(ctx, v);
      if (x !== undefined) d.allowNotify = x;
    },
  },
  'serial-policy': {
    read(ctx, v, d) {
      d.serialPolicyValue = v;
      const x = oneOf(SERIAL_POLICIES)(ctx, v);
      if (x !== undefined) d.serialPolicy = x;
    },
  },
};

/**
 * The checks that depend on the zone's type. A primary's file is only
 * resolved here: a missing or unreadable zone file fails that zone alone,
 * when the daemon loads it, never the whole configuration.
 */
function checkZoneType(ctx: Ctx, entry: Value, d: ZoneDraft): boolean {
  if (d.typeBad === true) return false;
  const type = d.type ?? 'primary';
  if (type === 'primary') {
    for (const v of [d.primariesValue, d.allowNotifyValue]) {
      if (v !== undefined) report(ctx, v.path, v.keyOffset, 'only for type secondary');
    }
  } else {
    if (d.serialPolicyValue !== undefined) report(ctx, d.serialPolicyValue.path, d.serialPolicyValue.keyOffset, 'only for type primary');
    if (d.primariesValue === undefined) {
      report(ctx, `${entry.path}.primaries`, entry.offset, 'required for type secondary');
    } else if (d.primaries !== undefined && d.primaries.length === 0) {
      problem(ctx, d.primariesValue, 'must list at least one primary');
    }
  }
  return d.fileText !== undefined && d.fileValue !== undefined;
}

const zoneList: Reader<ZoneSettings[]> = (ctx, v) => {
  if (v.node === null || !isSeq(v.node)) return problem(ctx, v, `expected a list (write [] for none), got ${describe(v)}`);
  const out: ZoneSettings[] = [];
  const first = new Map<string, number>();
  v.node.items.forEach((n, i) => {
    const entry = valueOf(ctx, n, `${v.path}[${i}]`, v.offset);
    const draft: ZoneDraft = { limits: {} };
    if (!readMap(ctx, entry, ZONE_KEYS, draft)) return;
    if (draft.key !== undefined && draft.nameValue !== undefined) {
      const j = first.get(draft.key);
      if (j !== undefined) problem(ctx, draft.nameValue, `zone '${draft.name}' is already listed at zones[${j}]`);
      else first.set(draft.key, i);
    }
    if (!checkZoneType(ctx, entry, draft)) return;
    const type = draft.type ?? 'primary';
    if (draft.name !== undefined) {
      const zone: ZoneSettings = {
        name: draft.name,
        type,
        // Resolved once the whole file is read (a secondary's against `server.data-dir` when set).
        file: draft.fileText!,
        notify: draft.notify ?? [],
        allowTransfer: draft.allowTransfer ?? [],
        primaries: draft.primaries ?? [],
        allowNotify: draft.allowNotify ?? null,
        // The server's default until the end of the file (the `server:` section may come later).
        serialPolicy: draft.serialPolicy ?? SERVER_DEFAULTS.serialPolicy,
        // The server's once the whole file is read.
        limits: { ...SERVER_DEFAULTS.zoneLimits },
        includeConfine: false,
        line: ctx.lc.linePos(entry.offset).line,
      };
      ctx.ownLimits.set(zone, { limits: draft.limits, includeConfine: draft.includeConfine });
      if (draft.serialPolicy !== undefined) ctx.ownSerialPolicy.add(zone);
      ctx.zoneFiles.set(zone, { index: i, text: draft.fileText!, value: draft.fileValue! });
      out.push(zone);
    }
  });
  return out;
};

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

// ------------------------------------------------------------- rate limit --

/** A `rate-limit` mapping as written: the per-kind rates default to `responses-per-second`, as BIND's do. */
interface RateLimitDraft {
  set: Partial<RateLimitSettings>;
}

/** Per-second rates: 0 means no limit for that kind (as BIND). */
const rate = (set: (d: RateLimitDraft, x: number) => void) => field(integer(0, 1_000_000), set);

const RATE_LIMIT_KEYS: KeyTable<RateLimitDraft> = {
  'responses-per-second': rate((d, x) => { d.set.responsesPerSecond = x; }),
  'referrals-per-second': rate((d, x) => { d.set.referralsPerSecond = x; }),
  'nodata-per-second': rate((d, x) => { d.set.nodataPerSecond = x; }),
  'nxdomains-per-second': rate((d, x) => { d.set.nxdomainsPerSecond = x; }),
  'errors-per-second': rate((d, x) => { d.set.errorsPerSecond = x; }),
  // BIND's ranges for window and slip.
  window: field(integer(1, 3600), (d, x) => { d.set.window = x; }),
  slip: field(integer(0, 10), (d, x) => { d.set.slip = x; }),
  'ipv4-prefix-length': field(integer(0, 32), (d, x) => { d.set.ipv4PrefixLength = x; }),
  'ipv6-prefix-length': field(integer(0, 128), (d, x) => { d.set.ipv6PrefixLength = x; }),
  exempt: {
    read: (ctx, v, d) => {
      if (v.node === null || !isSeq(v.node)) {
        problem(ctx, v, `expected a list of networks such as ["127.0.0.0/8", "::1"] (write [] to exempt nobody), got ${describe(v)}`);
        return;
      }
      const out: Network[] = [];
      v.node.items.forEach((n, i) => {
        const x = network(ctx, valueOf(ctx, n, `${v.path}[${i}]`, v.offset));
        if (x !== undefined) out.push(x);
      });
      d.set.exempt = out;
    },
  },
  'max-table-size': field(integer(16, 4_194_304), (d, x) => { d.set.maxTableSize = x; }),
  'log-only': field(boolean, (d, x) => { d.set.logOnly = x; }),
};

/**
 * `rate-limit`: `false` (off), `true` (the defaults) or a mapping of BIND's
 * settings, each left out taking its default; an explicit `exempt`
 * replaces the default loopback list.
 */
const rateLimit: Reader<{ value: RateLimitSettings | null }> = (ctx, v) => {
  const x = scalarOf(v)?.value;
  if (x === false) return { value: null };
  if (x === true) return { value: { ...RATE_LIMIT_DEFAULTS, exempt: [...RATE_LIMIT_DEFAULTS.exempt] } };
  if (v.node === null || !isMap(v.node)) return problem(ctx, v, `expected false, true or a mapping such as { responses-per-second: 20, window: 15, slip: 2 }, got ${describe(v)}`);
  const d: RateLimitDraft = { set: {} };
  readMap(ctx, v, RATE_LIMIT_KEYS, d);
  const rps = d.set.responsesPerSecond ?? RATE_LIMIT_DEFAULTS.responsesPerSecond;
  return {
    value: {
      ...RATE_LIMIT_DEFAULTS,
      exempt: [...RATE_LIMIT_DEFAULTS.exempt],
      referralsPerSecond: rps,
      nodataPerSecond: rps,
      nxdomainsPerSecond: rps,
      errorsPerSecond: rps,
      ...d.set,
    },
  };
};

// ---------------------------------------------------------------- cookies --

/** One `cookie-secret`: 128 bits in hex (BIND's form for SipHash-2-4 cookies, RFC 9018 §4.4). */
function cookieSecret(ctx: Ctx, v: Value): Uint8Array | undefined {
  const x = scalarOf(v)?.value;
  if (typeof x !== 'string' || !/^[0-9a-fA-F]{32}$/.test(x)) {
    return problem(ctx, v, `expected 32 hex digits (a 128-bit secret, e.g. from 'openssl rand -hex 16'), got ${typeof x === 'string' ? `${x.length} characters` : describe(v)}`);
  }
  return Uint8Array.from(Buffer.from(x, 'hex'));
}

/** `cookie-secret`: one secret, or a list (the first makes cookies, all are accepted: for rotation across servers). */
const cookieSecrets: Reader<Uint8Array[]> = (ctx, v) => {
  if (v.node === null || !isSeq(v.node)) {
    const one = cookieSecret(ctx, v);
    return one === undefined ? undefined : [one];
  }
  if (v.node.items.length === 0) return problem(ctx, v, 'expected at least one secret (leave cookie-secret out to have one generated)');
  const out: Uint8Array[] = [];
  let ok = true;
  v.node.items.forEach((n, i) => {
    const one = cookieSecret(ctx, valueOf(ctx, n, `${v.path}[${i}]`, v.offset));
    if (one === undefined) ok = false;
    else out.push(one);
  });
  return ok ? out : undefined;

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
  tcpMaxConnectionsPerClient: 100,
  transfersOut: 10,
  workers: 1,
  // BIND 9's defaults for the same four options.
  minRefreshSec: 300,
  maxRefreshSec: 2_419_200,
  minRetrySec: 500,
  maxRetrySec: 1_209_600,
  serialPolicy: 'increment',
  dataDir: null,
  watch: true,
  watchSettleMs: 100,
  watchHoldMs: 5000,
  removedRetentionMs: 7 * 86_400_000,
  zonefileSyncMs: 60_000,
  answerCacheSize: 256 * 1024 * 1024,
  zoneLimits: Object.freeze({ ...DEFAULT_ZONE_LIMITS }),
  includeConfine: null,
  zoneMemoryBudget: null,
  notifyCheckIntervalMs: 1000,
  rateLimit: RATE_LIMIT_DEFAULTS,
  answerCookie: true,
  cookieSecrets: [],

});

/** A duration setting kept in whole seconds (at least 1 s, at most 28 days). */
const seconds = (set: (s: ServerSettings, sec: number) => void) =>
  field(duration(999, 2_419_200_000), (s: ServerSettings, ms: number) => set(s, Math.round(ms / 1000)));

/** A CH TXT answer holds one character-string, so at most 255 octets. */
const MAX_TXT = 255;

const SERVER_KEYS: KeyTable<ServerSettings> = {
  'udp-payload': field(integer(512, 4096), (s, x) => { s.udpPayload = x; }),
  identity: field(nullableText(MAX_TXT), (s, x) => { s.identity = x.value; }),
  version: field(nullableText(MAX_TXT), (s, x) => { s.version = x.value; }),
  'tcp-idle-timeout': field(duration(0, 3_600_000), (s, x) => { s.tcpIdleTimeoutMs = x; }),
  'tcp-max-connections': field(integer(1, 100_000), (s, x) => { s.tcpMaxConnections = x; }),
  'tcp-max-connections-per-client': field(integer(1, 100_000), (s, x) => { s.tcpMaxConnectionsPerClient = x; }),
  'transfers-out': field(integer(1, 1000), (s, x) => { s.transfersOut = x; }),
  workers: field(integer(1, 64), (s, x) => { s.workers = x; }),
  'min-refresh-time': seconds((s, x) => { s.minRefreshSec = x; }),
  'max-refresh-time': seconds((s, x) => { s.maxRefreshSec = x; }),
  'min-retry-time': seconds((s, x) => { s.minRetrySec = x; }),
  'max-retry-time': seconds((s, x) => { s.maxRetrySec = x; }),
  'serial-policy': field(oneOf(SERIAL_POLICIES), (s, x) => { s.serialPolicy = x; }),
  'data-dir': field(folder, (s, x) => { s.dataDir = x; }),
  watch: field(boolean, (s, x) => { s.watch = x; }),
  'watch-settle': field(duration(-1, 60_000), (s, x) => { s.watchSettleMs = x; }),
  'watch-hold': field(duration(-1, 3_600_000), (s, x) => { s.watchHoldMs = x; }),
  'removed-retention': field(duration(-1, 3_650 * 86_400_000), (s, x) => { s.removedRetentionMs = x; }),
  'zonefile-sync': field(duration(-1, 86_400_000), (s, x) => { s.zonefileSyncMs = x; }),
  'answer-cache-size': field(byteSize(0, 64 * 1024 ** 3), (s, x) => { s.answerCacheSize = x; }),
  ...limitKeys<ServerSettings>((s) => s.zoneLimits, (s, x) => { s.includeConfine = x; }),
  'zone-memory-budget': field(sizeOrAuto(MIN_ZONE_BUDGET, MAX_ZONE_BUDGET), (s, x) => { s.zoneMemoryBudget = x.value; }),
  'notify-check-interval': field(duration(-1, 3_600_000), (s, x) => { s.notifyCheckIntervalMs = x; }),
  'rate-limit': field(rateLimit, (s, x) => { s.rateLimit = x.value; }),
  'answer-cookie': field(boolean, (s, x) => { s.answerCookie = x; }),
  'cookie-secret': field(cookieSecrets, (s, x) => { s.cookieSecrets = x; }),

};

const LOG_KEYS: KeyTable<Config['log']> = {
  level: field(oneOf(LOG_LEVELS), (l, x) => { l.level = x; }),
  'query-sample': field(integer(1, 1_000_000), (l, x) => { l.querySample = x; }),
};

const TOP_KEYS: KeyTable<Config> = {
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