import type { SerialPolicy } from '../zone/index.js';
import type { RateLimitSettings } from '../server/rate-limit-settings.js';
import type { AclEntry } from '../xfr/acl.js';
import type { Peer } from '../xfr/peer.js';
import type { TsigAlgorithm } from '../tsig/index.js';
import type { ZoneLimits } from '../zonefile/index.js';

/** One `listen` entry: each address serves UDP and TCP. */
export interface ListenAddress {
  /** IPv4 or IPv6 literal, without brackets. */
  host: string;
  port: number;
  family: 4 | 6;
}

/** `server:` settings. */
/** `server.udp-io`. */
export type UdpIo = 'auto' | 'batched' | 'dgram';

export interface ServerSettings {
  /** Largest UDP answer we send to EDNS clients (RFC 6891 §6.2.5); 512..4096, default 1232. */
  udpPayload: number;
  /** Answers CH TXT id.server / hostname.bind and EDNS NSID; null = REFUSED / no NSID. */
  identity: string | null;
  /** Answers CH TXT version.bind; null = REFUSED. */
  version: string | null;
  /** RFC 7766 §6.2.3 idle timeout, in milliseconds (default 10 s). */
  tcpIdleTimeoutMs: number;
  /** Open TCP connections allowed at once, over all addresses of this process (default 1000). */
  tcpMaxConnections: number;
  /** `tcp-max-connections-per-client`: open TCP connections allowed from one client address (default 100). */
  tcpMaxConnectionsPerClient: number;
  /** `transfers-out`: outgoing zone transfers (AXFR, IXFR over TCP) running at once, as BIND's (default 10); the rest are REFUSED. */
  transfersOut: number;
  /** Processes serving the same sockets (node:cluster); 1 = no workers (default). */
  workers: number;
  /**
   * `threads`: threads answering UDP (issue 16 §3), each with its own
   * SO_REUSEPORT socket per listen address: the main thread and threads - 1
   * workers reading the zones the main thread loads (shared, not copied).
   * 1 (default): the main thread alone. The main thread also keeps TCP,
   * transfers, NOTIFY, file watching, control and metrics, as NSD's xfrd
   * does.
   */
  threads: number;
  /**
   * `udp-io`: how UDP is read and written (issue 16 §2). `batched`: the
   * native module (recvmmsg/sendmmsg; the start fails without it); `dgram`:
   * node:dgram; `auto` (default): batched when the module loads and
   * `workers` is 1, else dgram (with one warning when the module is missing).
   */
  udpIo: UdpIo;
  /**
   * Bounds on a secondary zone's SOA REFRESH and RETRY, in seconds, as
   * BIND's min-/max-refresh-time and min-/max-retry-time (defaults 300 s,
   * 28 d, 500 s, 14 d). EXPIRE is at least REFRESH + RETRY.
   */
  minRefreshSec: number;
  maxRefreshSec: number;
  minRetrySec: number;
  maxRetrySec: number;
  /** `serial-policy`: the default of the primary zones (default `increment`); see src/zone/serial-policy-name.ts and src/daemon/serial-policy.ts. */
  serialPolicy: SerialPolicy;
  /**
   * `data-dir`: where journals and served-serial state go (absolute), and
   * what a secondary's relative `file` is relative to; null (the default)
   * keeps them beside each zone file.
   */
  dataDir: string | null;
  /** `watch`: pick up edits of zone files and of the configuration on our own (default true); false = only on SIGHUP. */
  watch: boolean;
  /** `watch-settle`: a changed file is read once it has not changed for this long (default 100 ms). */
  watchSettleMs: number;
  /** `watch-hold`: an edit that removes more than 10 % of a zone's records, or a configuration change that removes zones, waits until the file has been unchanged this long (default 5 s). */
  watchHoldMs: number;
  /** `removed-retention`: how long the saved copy of a secondary zone that left the configuration is kept aside (default 7 days). */
  removedRetentionMs: number;
  /** `zonefile-sync`: how long after an IXFR (journaled at once) a secondary rewrites its whole saved copy (default 60 s; 0 = at once), as Knot's. */
  zonefileSyncMs: number;
  /** `answer-cache-size`: octets of prepared answers kept, overhead counted; past it CLOCK evicts those not asked for lately (default 256 MiB; 0 = none). */
  answerCacheSize: number;
  /**
   * `max-include-reads`, `max-records`, `max-zone-file-size`,
   * `max-line-length`: what one zone may cost to read (file or transfer),
   * the default of every zone (DEFAULT_ZONE_LIMITS when not set).
   */
  zoneLimits: ZoneLimits;
  /**
   * `include-confine`: the default of every zone; null (the default) leaves
   * it to where the zone came from (see defaultIncludeConfine).
   */
  includeConfine: boolean | null;
  /**
   * `zone-memory-budget`: most octets one zone being loaded (read from its
   * file) may take, estimated from its records, and the heap limit of the
   * worker that parses it; over it the load is abandoned (ZONE_MEMORY_BUDGET)
   * and the previous version keeps serving. null (the default): a quarter
   * of the process's JavaScript heap limit, so the served version, the new
   * one and their difference fit together.
   */
  zoneMemoryBudget: number | null;
  /**
   * `notify-check-interval`: a secondary's SOA check asked for (by NOTIFY) while one runs starts no
   * sooner than this after the one before, so a NOTIFY flood makes one check per interval (default 1 s; 0 = at once).
   */
  notifyCheckIntervalMs: number;
  /**
   * `secondary-probe-interval`: a primary's SOA query to each notify target, to learn what it serves
   * (the replication view, src/xfr/replication-view.ts): after each NOTIFY and then this often, with
   * jitter (default 60 s; 0 = no probes).
   */
  secondaryProbeIntervalMs: number;
  /**
   * `notify-retry`: a notify target that acknowledged a NOTIFY but does not serve its serial this long
   * after is notified again, the wait doubling up to 10 minutes (default 10 s; 0 = never again).
   */
  notifyRetryMs: number;
  /** `notify-retry-limit`: NOTIFY again until this long after the first NOTIFY of a serial, then give up and log it (default 1 h). */
  notifyRetryLimitMs: number;
  /** `rate-limit`: response rate limiting of UDP answers (BIND's RRL; on by default, loopback exempt); null = off (`rate-limit: false`). */
  rateLimit: RateLimitSettings | null;
  /** `answer-cookie` (BIND's name): answer DNS COOKIE options (RFC 7873) with server cookies (default true). */
  answerCookie: boolean;
  /**
   * `cookie-secret`: 128-bit server secrets (RFC 9018); the first makes
   * cookies, all are accepted. Empty (the default): one is generated at
   * start (shared by the workers) and replaced every 26 hours.
   */
  cookieSecrets: Uint8Array[];
}

/** One `keys:` entry (RFC 8945 shared secret). */
export interface KeySettings {
  /** Key name as written (the TSIG owner name). */
  name: string;
  algorithm: TsigAlgorithm;
  /** The decoded base64 secret. */
  secret: Uint8Array;
  /**
   * MAC length in octets, from a BIND-style algorithm name with a length
   * (`hmac-sha256-128`: 16): MACs sent are cut to it and shorter ones are
   * answered BADTRUNC. Absent: full-length MACs only (RFC 8945 §5.2.2.1, as BIND).
   */
  macLength?: number;
}

/** One `zones:` entry. */
export interface ZoneSettings {
  /** Zone name as written (no trailing dot needed). */
  name: string;
  /**
   * `primary` (the default) serves `file`; `secondary` copies the zone from
   * `primaries` and keeps it in `file`; `catalog` is an RFC 9432 catalog
   * zone Tyne generates from its members (zones whose `catalog` names it).
   */
  type: 'primary' | 'secondary' | 'catalog';
  /**
   * Absolute path of the zone file (relative paths are resolved against the
   * config file's folder). A catalog has no zone file: this is the stem its
   * journal, served-serial state and member IDs are kept under
   * (`<data-dir or the configuration's folder>/<name>.catalog`).
   */
  file: string;
  /** NOTIFY targets (RFC 1996); port 53 when left out. */
  notify: Peer[];
  /** Who may AXFR/IXFR the zone; empty (the default) = nobody. */
  allowTransfer: AclEntry[];
  /** Secondary only: the primaries, tried in order. */
  primaries: Peer[];
  /** Secondary only: who may send NOTIFY; null (the default) = the primaries' addresses. */
  allowNotify: AclEntry[] | null;
  /**
   * Primary only: the serial to serve when the file changes (see
   * src/daemon/serial-policy.ts), resolved: the zone's own `serial-policy`,
   * else the server's. A secondary gets the server's and does not use it.
   */
  serialPolicy: SerialPolicy;
  /** The zone's read limits, resolved: its own settings, else the server's. */
  limits: ZoneLimits;
  /**
   * Primary only: $INCLUDE confined to the zone file's folder, resolved:
   * the zone's own `include-confine`, else the server's, else the default
   * of where the zone came from (defaultIncludeConfine).
   */
  includeConfine: boolean;
  /** Primary only: the catalog zone (`type: catalog`, by name as written there) that lists this zone; null = none. */
  catalog: string | null;
  /** `catalog-group`: the RFC 9432 §4.4.2 groups the zone is listed with in its catalog (empty: none). */
  catalogGroups: string[];
  /** Secondary only: consume the zone as an RFC 9432 catalog, each member a secondary zone with these settings; null = not a catalog. */
  members: CatalogMembersSettings | null;
  /** Where the entry came from: the index of its `zone-directories` entry, or null for a zone listed in `zones:`. */
  directory: number | null;
  /** 1-based line of the entry in the config file (of its `zone-directories` entry for a zone found in one), for messages. */
  line: number;
}

/**
 * `max-removals`: how many zones one scan of a zone directory may remove
 * at once; more are held (logged at error level) until SIGHUP. The larger
 * of a share of the zones found before and a count.
 */
export interface MaxRemovals {
  /** Share of the zones before the scan, 0..1 (default 0.1). */
  share: number;
  /** At least this many (default 5). */
  atLeast: number;
}

/** Settings of the members of one RFC 9432 §4.4.2 group, over the `members:` defaults (null: the default). */
export interface MemberGroupSettings {
  primaries: Peer[] | null;
  allowTransfer: AclEntry[] | null;
  allowNotify: AclEntry[] | null;
}

/** A secondary zone's `members:`: it is consumed as an RFC 9432 catalog (issue 14 §3). */
export interface CatalogMembersSettings {
  /** Each member's saved copy, absolute, `%s` standing for the member's name as a file name. */
  file: string;
  /** The members' primaries; null: the catalog's. */
  primaries: Peer[] | null;
  allowTransfer: AclEntry[];
  /** null: the members' primaries' addresses. */
  allowNotify: AclEntry[] | null;
  /** Per-group settings; a member of a group not listed (or of none) takes the defaults. */
  groups: Map<string, MemberGroupSettings>;
  maxRemovals: MaxRemovals;
}

/** One `zone-directories:` entry: every matching file in `path` is a primary zone named after its file. */
export interface ZoneDirectorySettings {
  /** The folder, absolute (relative to the configuration's folder). */
  path: string;
  /** `match` as written (default `^(.+)\.zone$`), for messages. */
  matchText: string;
  /** A file name's origin is the first capture of this (applied to the whole name). */
  match: RegExp;
  /** What every zone found takes: the primary-zone settings of the entry, settled against `server:` (name, file and directory are per file). */
  template: Omit<ZoneSettings, 'name' | 'file'>;
  maxRemovals: MaxRemovals;
  /** 1-based line of the entry in the config file, for messages. */
  line: number;
}

/**
 * `control:`: the control socket (HTTP with JSON over a Unix domain
 * socket) that the `tyne` commands talk to (src/control).
 */
export interface ControlSettings {
  /** Absolute path of the socket. */
  socket: string;
  /** True when `control.socket` was written (a socket that cannot be made is then fatal; the default one is skipped with an error line). */
  explicit: boolean;
  /** Permission bits of the socket file (default 0o660). */
  mode: number;
  /** Group of the socket file (a name or a numeric id); null (the default) leaves the process's. */
  group: string | null;
}

/** `metrics:`: the Prometheus endpoint (issue 15 §3; src/metrics). */
export interface MetricsSettings {
  /** Where `/metrics`, `/health` and `/ready` are served over HTTP (default 127.0.0.1:9153). */
  listen: ListenAddress;
  /** `per-zone`: the series labelled by zone (tyne_zone_*, tyne_xfr_*, tyne_secondary_*) are written (default true). */
  perZone: boolean;
}

/** A checked configuration file. */
export interface Config {
  /** Absolute path of the file it was read from. */
  path: string;
  listen: ListenAddress[];
  log: {
    level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
    /** `query-sample`: at debug level, one query in this many gets a `query` line (default 1: every query). */
    querySample: number;
  };
  server: ServerSettings;
  /** TSIG keys, by name. */
  keys: KeySettings[];
  zones: ZoneSettings[];
  /** `zone-directories:` (empty: none). The zones found in them are added to `zones` by the daemon, at each scan. */
  zoneDirectories: ZoneDirectorySettings[];
  /** `control:` (null: `control: false`, or the default with `server.workers` above 1). */
  control: ControlSettings | null;
  /** `metrics:` (null: left out or `metrics: false`, the default). */
  metrics: MetricsSettings | null;
}
