/** The `server:` section: its keys and their defaults. */
import { hostname } from 'node:os';
import { RATE_LIMIT_DEFAULTS } from '../server/rate-limit-settings.js';
import { DEFAULT_ZONE_LIMITS } from '../zonefile/index.js';
import { SERIAL_POLICIES } from '../zone/index.js';
import type { ServerSettings, UdpIo } from './config-types.js';
import { cookieSecrets } from './cookie-secrets.js';
import { field, type KeyTable } from './key-table.js';
import { rateLimit } from './rate-limit-section.js';
import { boolean, byteSize, duration, folder, integer, nullableText, oneOf, sizeOrAuto } from './scalar-readers.js';
import { limitKeys } from './zone-limit-keys.js';

/**
 * `identity`'s default: the host name, as Knot and NSD answer (so NSID and
 * id.server say which server answered); cut to the 255 octets a TXT string
 * holds (RFC 1035 §3.3.14). `identity: null` turns it off.
 */
export function defaultIdentity(): string | null {
  const h = Buffer.from(hostname(), 'utf8').subarray(0, MAX_TXT).toString('utf8').replace(/\uFFFD$/, '');
  return h === '' ? null : h;
}

/** A CH TXT answer holds one character-string, so at most 255 octets. */
const MAX_TXT = 255;

/** Defaults of the `server:` section. */
export const SERVER_DEFAULTS: Readonly<ServerSettings> = Object.freeze({
  udpPayload: 1232,
  identity: defaultIdentity(),
  version: null,
  tcpIdleTimeoutMs: 10_000,
  tcpMaxConnections: 1000,
  tcpMaxConnectionsPerClient: 100,
  transfersOut: 10,
  workers: 1,
  threads: 1,
  udpIo: 'auto',
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
  secondaryProbeIntervalMs: 60_000,
  notifyRetryMs: 10_000,
  notifyRetryLimitMs: 3_600_000,
  rateLimit: RATE_LIMIT_DEFAULTS,
  answerCookie: true,
  cookieSecrets: [],
});

/** `server.udp-io`'s choices. */
export const UDP_IO_MODES: readonly UdpIo[] = ['auto', 'batched', 'dgram'];

/** `threads` was written (for the check against `workers` once the whole section is read). */
export const THREADS_AT = new WeakMap<ServerSettings, number>();

/** Where `udp-io: batched` was written (for the workers check once the whole file is read). */
export const UDP_IO_BATCHED_AT = new WeakMap<ServerSettings, number>();

/** zone-memory-budget bounds: 16 MiB (a test's small budget) to 1 TiB. */
const MIN_ZONE_BUDGET = 16 * 2 ** 20;
const MAX_ZONE_BUDGET = 2 ** 40;

/** A duration setting kept in whole seconds (at least 1 s, at most 28 days). */
const seconds = (set: (s: ServerSettings, sec: number) => void) =>
  field(duration(999, 2_419_200_000), (s: ServerSettings, ms: number) => set(s, Math.round(ms / 1000)));

/** Keys of the `server:` section. */
export const SERVER_KEYS: KeyTable<ServerSettings> = {
  'udp-payload': field(integer(512, 4096), (s, x) => { s.udpPayload = x; }),
  identity: field(nullableText(MAX_TXT), (s, x) => { s.identity = x.value; }),
  version: field(nullableText(MAX_TXT), (s, x) => { s.version = x.value; }),
  'tcp-idle-timeout': field(duration(0, 3_600_000), (s, x) => { s.tcpIdleTimeoutMs = x; }),
  'tcp-max-connections': field(integer(1, 100_000), (s, x) => { s.tcpMaxConnections = x; }),
  'tcp-max-connections-per-client': field(integer(1, 100_000), (s, x) => { s.tcpMaxConnectionsPerClient = x; }),
  'transfers-out': field(integer(1, 1000), (s, x) => { s.transfersOut = x; }),
  workers: field(integer(1, 64), (s, x) => { s.workers = x; }),
  threads: field(integer(1, 64), (s, x, v) => {
    s.threads = x;
    THREADS_AT.set(s, v.keyOffset);
  }),
  'udp-io': field(oneOf(UDP_IO_MODES), (s, x, v) => {
    s.udpIo = x;
    if (x === 'batched') UDP_IO_BATCHED_AT.set(s, v.keyOffset);
  }),
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
  'secondary-probe-interval': field(duration(-1, 86_400_000), (s, x) => { s.secondaryProbeIntervalMs = x; }),
  'notify-retry': field(duration(-1, 3_600_000), (s, x) => { s.notifyRetryMs = x; }),
  'notify-retry-limit': field(duration(-1, 7 * 86_400_000), (s, x) => { s.notifyRetryLimitMs = x; }),
  'rate-limit': field(rateLimit, (s, x) => { s.rateLimit = x.value; }),
  'answer-cookie': field(boolean, (s, x) => { s.answerCookie = x; }),
  'cookie-secret': field(cookieSecrets, (s, x) => { s.cookieSecrets = x; }),
};
