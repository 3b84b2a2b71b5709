import cluster, { type Worker } from 'node:cluster';
import { resolve } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { ConfigError, loadConfig, type Config, type ListenAddress } from '../config/index.js';
import { createLogger, type Logger } from '../log/logger.js';
import { ZoneSet } from '../query/index.js';
import { Responder } from '../server/responder.js';
import { hotAnswersFor, threadHotAnswersFor, type HotAnswers } from '../server/hot-answers.js';
import { TcpListener } from '../server/tcp-listener.js';
import { TcpQuota, type QuotaEvent, type TcpQuotaLimits } from '../server/tcp-quota.js';
import { TransferQuota } from '../server/transfer-quota.js';
import { UdpListener } from '../server/udp-listener.js';
import { BatchedUdpListener, batchedUdpCounters } from '../server/batched-udp-listener.js';
import { loadBatchModule } from '../server/batched-udp-socket.js';
import { chooseUdpIo, threadsUdpIoError, type UdpIoChoice } from '../server/udp-io-choice.js';
import { newCookieSeed } from '../server/cookie-secrets.js';
import type { ServerCookies } from '../server/server-cookie.js';
import { CookieSource } from './cookie-source.js';
import type { Zone } from '../zone/index.js';
import { ZoneRegistry } from './zone-registry.js';
import { compactHeap } from './heap-compaction.js';
import { releaseSpareWorkers } from './load-zone-async.js';
import { ZoneDirectories, type DirectoryChanges } from './zone-directories.js';
import { CatalogProducer } from './catalog-producer.js';
import { CatalogConsumer } from './catalog-consumer.js';
import { filePrint, samePrint, type FilePrint } from './file-print.js';
import { ZoneWatch } from './zone-watch.js';
import { ZoneHistories } from './zone-history.js';
import { TransferService } from './transfer-service.js';
import { START_JITTER_MS } from '../xfr/secondary-zone.js';
import type { Name } from '../wire/index.js';
import { queryLogger } from './query-log.js';
import { RateLimitService } from './rate-limit-service.js';
import type { RateLimiter } from '../server/rate-limit.js';
import { listenError, type ListenError, type Transport } from './listen-error.js';
import type { ThreadListenFailure, ThreadSettings } from './serving-thread-messages.js';
import { ServingThreads } from './serving-threads.js';
import { RateLimitedLog } from '../log/rate-limited-log.js';
import { RebuildBudget } from './rebuild-budget.js';
import { ControlError, ControlServer } from '../control/index.js';
import { DaemonControl } from './daemon-control.js';
import { notifyReady } from './systemd-notify.js';
import { MetricsError, MetricsServer, ProcessMetrics, type MetricsSource } from '../metrics/index.js';
import type { MetricsSettings } from '../config/index.js';
import { QueryCounters, countedAsV6 } from '../server/query-counters.js';
import type { QueryHooks } from '../server/listener-callbacks.js';
import { notReadyReason, zoneGauges } from './metrics-zones.js';

/**
 * Rebuilds of what is served for zones changed in the background take at
 * most this share of the main thread over time, past a burst of
 * REBUILD_ALLOWANCE_MS (see RebuildBudget): a change alone is served at
 * once (a rebuild over 10,000 zones takes a few ms).
 */
const REBUILD_SHARE = 0.1;
const REBUILD_ALLOWANCE_MS = 50;
/**
 * While the zones load at startup, at most this often: each rebuild goes
 * over every zone, and what is served only matters once they have loaded.
 */
const STARTUP_REBUILD_EVERY_MS = 500;
/** Below this many zones served or loading, what is served is rebuilt at each change (a rebuild of 200 zones takes about 0.1 ms). */
const THROTTLE_FROM_ZONES = 200;

/** A zone new in a catalog gets its own NOTIFY this long after the catalog's (see the CatalogProducer callback). */
const MEMBER_NOTIFY_AFTER_MS = 1000;

/** The most octets (MiB) of one of the young generation's two semi-spaces (see serve()). */
const MAX_SEMI_SPACE_MB = 2;

/** When this many zones more are served than at the last compaction, the parse workers are stopped and the heap compacted, COMPACT_QUIET_MS after the last change. */
const COMPACT_AFTER_ZONES = 1000;
const COMPACT_QUIET_MS = 1000;

/**
 * The environment variable in which the cluster primary hands its workers
 * the seed of the generated cookie secrets, so that a cookie one worker
 * made is valid at all of them (they share the sockets).
 */
const COOKIE_SEED_ENV = 'TYNE_COOKIE_SEED';

/**
 * Test-only: the native UDP module's file to load instead of the one `npm
 * install` builds (README "Batched UDP I/O"), so a test can make it missing
 * or unloadable for a real daemon (UDP_IO_UNAVAILABLE, UDP_IO_FALLBACK).
 * Read here only; empty or unset, the built module.
 */
const UDP_BATCH_MODULE_ENV = 'TYNE_UDP_BATCH_MODULE';

/** How long a stop may take before the process exits anyway (the issue allows 2 s). */
const STOP_GRACE_MS = 1500;

interface Endpoint {
  /** Null with serving threads: each thread has its own socket on the address (serving-threads.ts). */
  udp: UdpListener | BatchedUdpListener | null;
  tcp: TcpListener;
}

function tcpLimits(cfg: Config): TcpQuotaLimits {
  return { idleTimeoutMs: cfg.server.tcpIdleTimeoutMs, maxConnections: cfg.server.tcpMaxConnections, maxPerClient: cfg.server.tcpMaxConnectionsPerClient };
}

/** The log line of a TCP connection refused (or closed to make room), by the quota's reason. */
/** What the summary line of each TCP quota event counts. */
const QUOTA_EVENTS: Record<QuotaEvent, string> = {
  'per-client': 'TCP connections refused (tcp-max-connections-per-client)',
  full: 'TCP connections refused (tcp-max-connections)',
  'evicted-idle': 'idle TCP connections closed to make room',
};

function quotaLine(event: QuotaEvent, limits: TcpQuotaLimits): string {
  switch (event) {
    case 'per-client':
      return `tcp connection refused: ${limits.maxPerClient} connections already open from this client (server.tcp-max-connections-per-client)`;
    case 'full':
      return `tcp connection refused: ${limits.maxConnections} connections open and none idle (server.tcp-max-connections); raise it if this is legitimate load`;
    case 'evicted-idle':
      return `tcp connection closed to make room: ${limits.maxConnections} connections open (server.tcp-max-connections); the one idle longest went`;
  }
}

function endpointKey(a: ListenAddress): string {
  return a.family === 6 ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}

/**
 * `tyne serve --config FILE`. With `server.workers` above 1 this process
 * forks that many node:cluster workers, which share the sockets and each
 * load the zones; it then only relays signals. Resolves with the exit code.
 */
export async function serve(configPath: string): Promise<number> {
  // A young generation of at most 2 MiB a semi-space (V8's default grows to 16): the daemon's allocations are
  // short-lived and small (answers, one zone's load at a time). bin/tyne's shebang (and npm start) pass the flag
  // to node, which is what counts (10,000 small zones: 166 MiB, not 215); set here too for a `node` started
  // without it, where it takes effect in part (200 MiB).
  setFlagsFromString(`--max-semi-space-size=${MAX_SEMI_SPACE_MB}`);
  // Signals are taken from the start: one that arrives while zones load is
  // held until the daemon is ready, instead of killing it (SIGHUP's default).
  const signals = new SignalGate();
  let config: Config;
  // As it was before it was read: a change made before the watch is armed is still seen.
  const print = filePrint(configPath);
  try {
    config = loadConfig(configPath);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`tyne serve: configuration not usable [${err.code}]\n${err.message}\n`);
      return 1;
    }
    throw err;
  }
  const conflict = transfersNeedOneProcess(config);
  if (conflict !== null) {
    process.stderr.write(`tyne serve: configuration not usable [CONFIG_INVALID]\n${config.path}: ${conflict}\n`);
    return 1;
  }
  // server.udp-io (issue 16 §2), once per start: cluster workers share node:dgram sockets, so they use those.
  const modulePath = process.env[UDP_BATCH_MODULE_ENV] ?? '';
  const udpIo = chooseUdpIo(config.server.udpIo, config.server.workers > 1 || cluster.isWorker, modulePath === '' ? undefined : () => loadBatchModule(modulePath));
  if (udpIo.error !== null) {
    process.stderr.write(`tyne serve: ${udpIo.error.message} [${udpIo.error.code}]\n`);
    return 1;
  }
  const threadsError = threadsUdpIoError(config.server.threads, udpIo.module);
  if (threadsError !== null) {
    process.stderr.write(`tyne serve: ${threadsError.message} [${threadsError.code}]\n`);
    return 1;
  }
  if (cluster.isPrimary && config.server.workers > 1) return runPrimary(configPath, config, signals);
  return runServer(configPath, config, signals, print, udpIo);
}

type Signal = 'SIGHUP' | 'SIGTERM' | 'SIGINT';

/** Catches SIGHUP, SIGTERM and SIGINT at once; delivers them to a handler once one is set, in order. */
class SignalGate {
  #handler: ((s: Signal) => void) | null = null;
  readonly #held: Signal[] = [];

  constructor() {
    for (const s of ['SIGHUP', 'SIGTERM', 'SIGINT'] as const) {
      process.on(s, () => {
        if (this.#handler === null) this.#held.push(s);
        else this.#handler(s);
      });
    }
  }

  /** Sets the handler and delivers what arrived before it. */
  ready(handler: (s: Signal) => void): void {
    this.#handler = handler;
    for (const s of this.#held.splice(0)) handler(s);
  }
}

/** The serving process (alone, or one cluster worker). */
async function runServer(configPath: string, first: Config, signals: SignalGate, firstPrint: FilePrint | null, udpIo: UdpIoChoice): Promise<number> {
  const worker = cluster.isWorker ? cluster.worker!.id : undefined;
  const log = createLogger(first.log.level, worker === undefined ? {} : { worker });
  if (udpIo.warning !== null) log.warn({ code: udpIo.warning.code }, udpIo.warning.message);
  const batchModule = udpIo.module;
  /** The configuration file as read. */
  let fileConfig = first;
  /** What is served: the file's zones, those its zone directories hold, and the members of the catalogs it consumes (withAllZones). */
  let config = first;
  let primaryZones: Zone[] = [];
  let responder!: Responder;
  let built = false;
  /** When what is served was last rebuilt (performance.now()), and the main thread's time rebuilds take. */
  let lastRebuild = 0;
  const rebuilds = new RebuildBudget({ share: REBUILD_SHARE, allowanceMs: REBUILD_ALLOWANCE_MS });
  // One limiter across zone reloads: its buckets are about clients, not zones.
  const rateLimits = new RateLimitService(log);
  rateLimits.configure(config.server.rateLimit);
  const cookies = new CookieSource(cluster.isWorker ? process.env[COOKIE_SEED_ENV] : undefined);
  // One hot-answer table (issue 16 §1) for every responder of this server: each rebuilt one claims it,
  // so a rebuild does not allocate a new ring; made again only when answer-cache-size changes.
  let hot: { size: number; table: HotAnswers | null } | null = null;
  // With serving threads this thread, one of them, keeps hot answers only, as each does (no AnswerCache, whose
  // objects per answer would be held again beside the workers' octets: threadHotAnswersFor).
  const hotFor = (size: number): HotAnswers | null => {
    if (hot === null || hot.size !== size) hot = { size, table: first.server.threads > 1 ? threadHotAnswersFor(size) : hotAnswersFor(size) };
    return hot.table;
  };
  // Secondary zones change on their own (transfers, expiry): each change builds a new responder.
  // One per process, kept across reloads and responder rebuilds: they count what is running.
  const transferQuota = new TransferQuota(config.server.transfersOut);
  const tcpNotes = new RateLimitedLog(log);
  const tcpQuota = new TcpQuota(tcpLimits(config), (event, client) => tcpNotes.event(event, 'warn', { client, event }, quotaLine(event, tcpQuota.limits), QUOTA_EVENTS[event]));
  // --- Serving threads (issue 16 §3, server.threads): UDP answered in N worker threads from zone images; this thread keeps the rest. ---
  const threads = first.server.threads;
  /** What the responder was last built over, published to the serving threads as it is. */
  let serving: { zones: Zone[]; unavailable: Name[]; restricted: Zone[] } = { zones: [], unavailable: [], restricted: [] };
  /**
   * Each responder's share of answer-cache-size. A thread, this one among them, gives a quarter of its share to
   * hot answers and keeps nothing else (threadHotAnswersFor), so all stay within it.
   */
  const cacheShare = (cfg: Config): number => Math.floor(cfg.server.answerCacheSize / threads);
  const threadSettings = (cfg: Config, restricted: Zone[]): ThreadSettings => {
    const s = cfg.server;
    return {
      udpPayload: s.udpPayload, identity: s.identity, version: s.version, answerCacheSize: cacheShare(cfg), rateLimit: s.rateLimit,
      answerCookie: s.answerCookie, cookieSecrets: s.cookieSecrets, keys: cfg.keys,
      restrictedAcls: restricted.map((z) => [z.origin.key, transfers.transferAcl(z) ?? []]), logLevel: log.level, querySample: cfg.log.querySample,
    };
  };
  /** A query a thread relays (NOTIFY, other opcodes, IXFR and AXFR over UDP): answered and counted here, as UDP. */
  const relayed = (query: Uint8Array, address: string): Uint8Array | null => {
    const counters = queryHooks.counters;
    const t0 = counters === null ? 0 : performance.now();
    const r = responder;
    const out = r.handle(query, { tcp: false, address });
    queryHooks.observe?.(query, out, address, false);
    if (counters !== null) counters.count(false, countedAsV6(address), r.lastQtype, out === null ? -1 : r.rcodeOf(out), performance.now() - t0);
    return out;
  };
  // The main thread answers UDP too, as thread 0 (as Unbound's first thread does): threads - 1 workers, so two
  // serving threads cost one worker's memory above one process (a worker is 9 MiB before it does anything).
  const pool = threads <= 1 ? null : new ServingThreads({
    count: threads - 1, firstIndex: 1, udpIo: batchModule !== null ? 'batched' : 'dgram', modulePath: process.env[UDP_BATCH_MODULE_ENV] ?? '', cookieSeed: cookies.seedHex,
    metrics: first.metrics !== null, log, relay: relayed, tsigFailed: (info) => transfers.tsigFailed(info),
  });
  let poolStarted = false;
  /** A new zone version, before it is served: with serving threads a large one's image is written now, in slices. */
  const beforeServe = (zone: Zone): Promise<void> => (pool === null ? Promise.resolve() : pool.prepare(zone));
  // --- end of serving threads ---
  const rebuild = (): void => {
    const t0 = performance.now();
    const sec = transfers.secondaryZones();
    // Primary zones still loading at startup are answered SERVFAIL meanwhile, as BIND answers a zone not loaded yet.
    const catalogZones = catalogs.zones();
    serving = { zones: [...primaryZones, ...catalogZones, ...sec.zones], unavailable: [...sec.unavailable, ...registry.loading(), ...catalogs.loading()], restricted: catalogZones };
    const share = cacheShare(config);
    const hotTable = hotFor(share);
    responder = newResponder(
      config, serving.zones, serving.unavailable, serving.restricted,
      transfers, transferQuota, rateLimits.limiter, cookies.for(config.server), built ? responder.zones : undefined, hotTable,
      threads > 1 && hotTable !== null ? hotTable.bytes : share,
    );
    // The threads switch to the same set now (one flip for all of them).
    pool?.publish(serving.zones, serving.unavailable, serving.restricted, threadSettings(config, serving.restricted));
    built = true;
    lastRebuild = performance.now();
    rebuilds.spent(lastRebuild, lastRebuild - t0);
    afterGrowth();
  };
  const histories = new ZoneHistories(log);
  // Catalog zones (RFC 9432) list the primary zones served: a new version is served, then announced.
  const catalogs = new CatalogProducer(log, histories, (old, zone, added) => {
    rebuild();
    transfers.primaryLoaded(old, zone);
    // The new members' own NOTIFY, held back when they loaded (TransferService.primaryLoaded), goes out a moment
    // after their catalog's: consumers have added them by then (no NOTAUTH), and a plain secondary of a member
    // still hears of it.
    if (added.length > 0) {
      setTimeout(() => {
        for (const name of added) {
          const z = responder.zones.get(name);
          if (z !== null && z !== undefined) transfers.primaryLoaded(undefined, z);
        }
      }, MEMBER_NOTIFY_AFTER_MS).unref();
    }
  }, beforeServe);
  const transfers = new TransferService(log, histories, () => {
    // Rebuilt within the RebuildBudget: 10,000 saved copies loading at startup would otherwise
    // rebuild what is served over every zone once each (quadratic: 105 s for 10,000 in the small-zones bench).
    if (built) changedInBackground();
    // A consumed catalog's data may have changed (a transfer, its saved copy loaded): read it, outside this callback.
    if (consumer.catalogs().length > 0) setImmediate(() => checkCatalogs(false));
  }, beforeServe);
  /** Catalogs consumed (RFC 9432): their members are secondary zones added to the configuration's. */
  const consumer = new CatalogConsumer(log);
  const checkCatalogs = (force: boolean, only?: Name): void => {
    if (!consumer.check((origin) => transfers.secondaryData(origin), only === undefined ? { force } : { force, only })) return;
    // A member reset (a new ID) is dropped first (its copy moved aside), then added again (AXFR).
    if (consumer.resetting) {
      transfers.configure(withAllZones({ withoutResets: true }));
      consumer.resetsDone();
    }
    config = withAllZones();
    transfers.configure(config);
  };
  /**
   * Thousands of zones loaded (at startup, on ns1 from files, on ns2 from saved copies or first transfers;
   * or a folder of new files): once COMPACT_QUIET_MS pass with no change, their parse workers and the
   * garbage of their loads are given back (see heap-compaction.ts).
   */
  let compactedAt = 0;
  let compactSoon: NodeJS.Timeout | null = null;
  const afterGrowth = (): void => {
    if (responder.zones.size - compactedAt < COMPACT_AFTER_ZONES) return;
    if (compactSoon !== null) clearTimeout(compactSoon);
    // At startup, secondaries check their serials within START_JITTER_MS of loading (thousands of SOA
    // queries, whose garbage would stay resident after an earlier compaction: 197 MiB against 175 at 10,000 zones).
    const quiet = COMPACT_QUIET_MS + (compactedAt === 0 && transfers.secondaryCount > 0 ? START_JITTER_MS : 0);
    compactSoon = setTimeout(() => {
      compactSoon = null;
      compactedAt = responder.zones.size;
      const workers = releaseSpareWorkers();
      const c = compactHeap();
      // The serving threads hold the garbage of the zone sets published meanwhile (thousands of publishes' lists).
      pool?.compact();
      // The pages freed go back to the system over the next moments: the RSS is read a second later.
      setTimeout(() => {
        const after = Math.round(process.memoryUsage.rss() / 1048576);
        log.info({ zones: compactedAt, ms: Math.round(c.ms), rssMiB: { before: Math.round(c.rssBefore / 1048576), after }, workersStopped: workers }, 'memory of the zone loads given back');
      }, 1000).unref();
    }, quiet);
    compactSoon.unref();
  };
  /** Zones changed in the background: what is served is rebuilt within the RebuildBudget (thousands of zones load at startup). */
  let rebuildSoon: NodeJS.Timeout | null = null;
  /**
   * A change alone is served at once; in a burst, the changes that come while a rebuild waits for the
   * budget (or for STARTUP_REBUILD_EVERY_MS after the last one, while the zones load at startup) share it.
   */
  const changedInBackground = (): void => {
    if (rebuildSoon !== null) return;
    // With few zones a rebuild costs next to nothing: each change is served at once (as it is logged).
    // (Zones still loading count: a rebuild goes over them too.)
    const size = responder.zones.size + responder.zones.unavailable().length;
    const now = performance.now();
    const wait = size < THROTTLE_FROM_ZONES ? 0 : Math.max(rebuilds.waitAt(now), startedUp ? 0 : lastRebuild + STARTUP_REBUILD_EVERY_MS - now);
    if (wait <= 0) {
      served(true);
      return;
    }
    rebuildSoon = setTimeout(() => {
      rebuildSoon = null;
      served(true);
    }, wait);
  };
  /**
   * Zones loaded since what is served was last rebuilt. They are announced (NOTIFY) once they are
   * served, not before: RFC 1996 §3.7, the secondary asks for our SOA at once, and a zone still
   * loading in the background answers SERVFAIL.
   */
  let unannounced: [Zone | undefined, Zone][] = [];
  /** Every zone of the configuration has loaded (or failed) once: a zone loaded from now on is new. */
  let startedUp = false;
  const registry = new ZoneRegistry(log, histories, (old, zone) => void unannounced.push([old, zone]), {
    holdMs: () => config.server.watchHoldMs,
    memoryBudget: () => config.server.zoneMemoryBudget,
    onChanged: changedInBackground,
    beforeServe,
  });
  /** The configuration file as it was when last read. */
  let configPrint = firstPrint;
  const served = (changed: boolean): void => {
    if (!changed) return;
    primaryZones = registry.zones();
    rebuild();
    const t0 = performance.now();
    catalogs.served(primaryZones, registry.loading());
    rebuilds.spent(performance.now(), performance.now() - t0);
    const loaded = unannounced;
    unannounced = [];
    for (const [old, zone] of loaded) transfers.primaryLoaded(old, zone, { added: startedUp });
  };
  registry.onHeldApplied(() => served(true));
  /** Zone directories (issue 14): their zones are added to the configuration's at each scan that changes them. */
  const withDirectoryZones = (): Config => (fileConfig.zoneDirectories.length === 0 ? fileConfig : { ...fileConfig, zones: [...fileConfig.zones, ...directories.zones()] });
  const withAllZones = (opts: { withoutResets?: boolean } = {}): Config => {
    const own = withDirectoryZones();
    consumer.configure(own);
    const members = consumer.zones(opts);
    return members.length === 0 ? own : { ...own, zones: [...own.zones, ...members] };
  };
  const directoriesChanged = (c: DirectoryChanges): void => {
    // Only files of zones already served changed (edits): they are reloaded; the set of zones is as it was.
    if (c.added.length === 0 && c.removed.length === 0 && c.moved.length === 0) {
      served(registry.applyDirectoryChanges(config, c));
      return;
    }
    config = withAllZones();
    transfers.configure(config);
    catalogs.configure(config);
    served(registry.applyDirectoryChanges(config, c));
    watch.configure(config);
    log.info({ added: c.added.length, removed: c.removed.length, moved: c.moved.length, changed: c.touched.length, zones: config.zones.length }, 'zone directories changed');
  };
  const directories = new ZoneDirectories(log, directoriesChanged);
  if (fileConfig.zoneDirectories.length > 0) {
    await directories.configure(fileConfig);
  }
  // A consumed catalog's members start from their saved membership and copies, before the catalog is read again.
  config = withAllZones();
  transfers.configure(config);
  catalogs.configure(config);
  // The zones load in the background (parse workers, sliced builds): the sockets are bound at
  // once, and each zone is served as soon as it is loaded; one slow or stuck file holds up nothing.
  const initial = registry.loadAll(config);
  rebuild();
  // Zone files (and what they $INCLUDE) and the configuration are watched unless `server.watch: false`.
  const watchList = (): string[] => [...registry.watchedFiles(config), config.path];
  const watch = new ZoneWatch({
    log,
    files: watchList,
    onZoneFiles: (paths) => registry.reloadFiles(paths, config).then(served),
    onZoneFilesRemoved: (paths) => registry.filesRemoved(paths, config),
    onConfig: () => reload('configuration file changed'),
    // Files that changed between being read and the watch being armed are read again.
    onArmed: async (fresh) => {
      // Files watched all along cannot have changed unseen.
      if (fresh.size === 0) return;
      if (fresh.has(resolve(configPath)) && !samePrint(configPrint, filePrint(configPath))) reload('configuration file changed before it was watched');
      served(await registry.reloadStale(config, fresh));
    },
  });
  const current = (): Responder => responder;
  // What the listeners do with each query beyond answering it, read per query: counted while metrics are on,
  // logged while the level is debug (following `tyne loglevel` and its way back).
  const queryHooks: QueryHooks = { counters: config.metrics !== null ? new QueryCounters() : null, observe: null };
  /**
   * With serving threads, this thread's own UDP sockets (thread 0) count apart from its TCP and what the
   * threads relay (tyne_thread_requests_total{thread="0"}), and log with `thread: 0` as the threads do.
   */
  const ownUdpHooks: QueryHooks = pool === null ? queryHooks : { counters: queryHooks.counters === null ? null : new QueryCounters(), observe: null };
  const threadLog = pool === null ? log : log.child({ thread: 0 });
  const followLogLevel = (): void => {
    queryHooks.observe = log.isLevelEnabled('debug') ? queryLogger(log, config.log.querySample) : null;
    if (ownUdpHooks !== queryHooks) ownUdpHooks.observe = log.isLevelEnabled('debug') ? queryLogger(threadLog, config.log.querySample) : null;
  };
  followLogLevel();
  log.on('level-change', () => {
    followLogLevel();
    pool?.logLevel(log.level);
  });
  const onError = (err: unknown, what: string): void => log.error({ err }, `${what}: ${(err as Error)?.message ?? String(err)}`);
  const endpoints = new Map<string, Endpoint>();

  const closeEndpoint = (ep: Endpoint): Promise<unknown> => Promise.all([ep.udp?.close(), ep.tcp.close(0)]);

  /**
   * Binds the addresses `cfg.listen` adds, all or none: when one cannot be
   * bound, those just bound are closed again and the failures returned
   * (the running addresses are not touched either way).
   */
  const bindAdded = async (cfg: Config): Promise<ListenError[]> => {
    const failed: ListenError[] = [];
    const added = new Map<string, Endpoint>();
    for (const a of cfg.listen) {
      const key = endpointKey(a);
      if (endpoints.has(key) || added.has(key)) continue;
      // With serving threads this thread's UDP socket is one of the SO_REUSEPORT ones (thread 0), and TCP is bound
      // first, without SO_REUSEPORT: a second server on the address fails there rather than sharing the UDP port unseen.
      const reusePort = pool !== null;
      const udp = batchModule !== null
        ? new BatchedUdpListener(batchModule, current, a.host, a.port, onError, ownUdpHooks, { reusePort })
        : new UdpListener(current, a.host, a.port, onError, ownUdpHooks, { reusePort });
      const tcp = new TcpListener(current, a.host, a.port, tcpQuota, onError, queryHooks);
      let transport: Transport = reusePort ? 'tcp' : 'udp';
      try {
        if (reusePort) {
          await tcp.listen();
          transport = 'udp';
          await udp.listen();
        } else {
          await udp.listen();
          transport = 'tcp';
          await tcp.listen();
        }
        added.set(key, { udp, tcp });
      } catch (err) {
        await closeEndpoint({ udp, tcp });
        failed.push(listenError(key, a.port, transport, err));
      }
    }
    if (pool !== null && failed.length === 0) {
      const want = cfg.listen.map((a) => ({ key: endpointKey(a), host: a.host, port: a.port }));
      let threadFailed: ThreadListenFailure[];
      if (poolStarted) threadFailed = await pool.listen(want);
      else {
        threadFailed = await pool.start(want, threadSettings(cfg, serving.restricted));
        poolStarted = threadFailed.length === 0;
      }
      for (const f of threadFailed) failed.push(listenError(f.key, f.port, 'udp', Object.assign(new Error(f.message), f.errno === null ? {} : { code: f.errno })));
    }
    if (failed.length > 0) {
      await Promise.all([...added.values()].map(closeEndpoint));
      return failed;
    }
    for (const [key, ep] of added) {
      endpoints.set(key, ep);
      log.info({ listen: key, udpIo: batchModule !== null ? 'batched' : 'dgram', ...(pool !== null ? { threads } : {}) }, 'listening (udp, tcp)');
    }
    return failed;
  };

  /** Closes the addresses `cfg.listen` no longer lists (once the new ones are bound). */
  const closeDropped = async (cfg: Config): Promise<void> => {
    const wanted = new Set(cfg.listen.map(endpointKey));
    for (const [key, ep] of [...endpoints]) {
      if (wanted.has(key)) continue;
      endpoints.delete(key);
      await closeEndpoint(ep);
      log.info({ listen: key }, 'stopped listening');
    }
  };

  // Every address in `listen` is served, or none: an operator who listed one expects it to
  // answer, and NSD and Knot refuse to start without one too. One line each, then exit 1.
  const unbound = await bindAdded(config);
  if (unbound.length > 0) {
    for (const e of unbound) {
      process.stderr.write(`tyne serve: ${e.message}\n`);
      log.error({ listen: e.address, code: e.code, errno: e.errno, err: e }, e.message);
    }
    log.fatal({ unbound: unbound.map((e) => e.address) }, 'not every listen address could be bound; exiting');
    transfers.stop();
    registry.stop();
    directories.close();
    await Promise.all([watch.close(), pool?.stop(), ...[...endpoints.values()].map(closeEndpoint)]);
    // A worker tells the primary, which then stops the others and exits 1 rather than forking replacements.
    const send = cluster.isWorker ? process.send?.bind(process) : undefined;
    if (send !== undefined) await new Promise<void>((resolve) => send({ tyne: 'fatal' }, undefined, {}, () => resolve()));
    return 1;
  }
  // --- The control socket (issue 15 §1): `tyne status`, `reload`, `refresh`, ... over HTTP on a Unix socket. ---
  // Made once the listen addresses are bound (their errors come first) and before `serving`, so a command
  // run once the server says it serves finds the socket. Only a process serving alone has one (workers: 1).
  // An explicit control.socket that cannot be made, or a socket a live server answers on, stops the start;
  // the default one that cannot be made (a read-only folder) is logged and left out.
  let control: ControlServer | null = null;
  let stopServer: ((why: string) => void) | null = null;
  if (config.control !== null && !cluster.isWorker) {
    const api = new DaemonControl({
      log, configPath, socket: config.control.socket, startedAt: Date.now() - Math.round(process.uptime() * 1000),
      registry, transfers, directories, consumer,
      config: () => config,
      served: (origin) => responder.zones.get(origin),
      servedCount: () => responder.zones.size,
      loadingCount: () => registry.loading().length + catalogs.loading().length,
      listening: () => [...endpoints.keys()],
      ready: () => startedUp,
      refuses: transfersNeedOneProcess,
      reload: async () => {
        reload('SIGHUP');
        await reloading;
      },
      zonesChanged: served,
      directoriesChanged,
      releaseCatalog: (origin) => checkCatalogs(true, origin),
      stop: () => stopServer?.('tyne stop'),
    });
    try {
      control = await ControlServer.start(config.control, api);
      log.info({ socket: control.socket }, 'control socket ready');
    } catch (err) {
      if (!(err instanceof ControlError)) throw err;
      if (config.control.explicit || err.code === 'CONTROL_SOCKET_IN_USE') {
        process.stderr.write(`tyne serve: ${err.message}\n`);
        log.fatal({ socket: config.control.socket, code: err.code, err }, err.message);
        transfers.stop();
        registry.stop();
        directories.close();
        await Promise.all([watch.close(), ...[...endpoints.values()].map(closeEndpoint)]);
        return 1;
      }
      log.error({ socket: config.control.socket, code: err.code, err }, `${err.message}; serving without a control socket (set control.socket to a path that can be made, or control: false)`);
    }
  }
  // --- end of the control socket ---
  // --- The metrics endpoint (issue 15 §3): /metrics, /health, /ready over HTTP on metrics.listen. ---
  // One that cannot be bound is an error line; DNS is served without it (as a default control socket).
  const processMetrics = new ProcessMetrics();
  let metrics: MetricsServer | null = null;
  /** The settings the endpoint was started with (null: none running). */
  let metricsAt: MetricsSettings | null = null;
  const metricsSource: MetricsSource = {
    get queries() {
      const own = queryHooks.counters ?? new QueryCounters();
      // With serving threads: theirs (in SharedArrayBuffers they write), this thread's UDP, and its TCP and relayed, summed.
      return pool === null ? own : QueryCounters.sum([own, ownUdpHooks.counters ?? new QueryCounters(), ...pool.counters()]);
    },
    transfers: transfers.counters,
    process: processMetrics,
    perZone: () => config.metrics?.perZone ?? true,
    zones: () => zoneGauges(config, registry, transfers, (origin) => responder.zones.get(origin)),
    replication: () => transfers.replication(),
    ...(batchModule !== null ? { udpBatch: pool !== null ? () => pool.udpCounters() : batchedUdpCounters } : {}),
    ...(pool !== null ? { threadRequests: () => [ownUdpHooks.counters?.requests.reduce((a, b) => a + b, 0) ?? 0, ...pool.threadRequests()] } : {}),
  };
  const notReady = (): string | null => notReadyReason(startedUp, config.zones.length, registry.loading().length + catalogs.loading().length);
  /** Starts, moves or stops the endpoint as `cfg.metrics` says (at start and at each reload). */
  const configureMetrics = async (cfg: Config): Promise<void> => {
    const want = cluster.isWorker ? null : cfg.metrics;
    if (want !== null && queryHooks.counters === null) queryHooks.counters = new QueryCounters();
    if (want !== null && ownUdpHooks.counters === null) ownUdpHooks.counters = new QueryCounters();
    pool?.metrics(want !== null);
    const same = want !== null && metricsAt !== null && want.listen.host === metricsAt.listen.host && want.listen.port === metricsAt.listen.port;
    if (same) return;
    if (metrics !== null) {
      await metrics.close();
      log.info({ metrics: metrics.address }, 'metrics endpoint closed');
      metrics = null;
      metricsAt = null;
    }
    if (want === null) {
      queryHooks.counters = null;
      ownUdpHooks.counters = null;
      return;
    }
    try {
      metrics = await MetricsServer.start(want.listen.host, want.listen.port, { source: metricsSource, notReady });
      metricsAt = want;
      log.info({ metrics: metrics.address, perZone: want.perZone }, 'metrics endpoint ready (/metrics, /health, /ready)');
    } catch (err) {
      if (!(err instanceof MetricsError)) throw err;
      log.error({ metrics: `${want.listen.host}:${want.listen.port}`, code: err.code, err }, err.message);
    }
  };
  await configureMetrics(config);
  // --- end of the metrics endpoint ---
  transfers.listening();
  // `serving` once every zone has loaded (or failed); queries are answered before that.
  void initial.then(() => {
    startedUp = true;
    primaryZones = registry.zones();
    rebuild();
    // Only now: a catalog built while zones still load would leave them out, and consumers would delete them.
    catalogs.ready(primaryZones);
    log.info({ zones: responder.zones.size, listen: [...endpoints.keys()] }, 'serving');
    if (cluster.isWorker) process.send?.({ tyne: 'ready' });
    // Type=notify: READY=1 once every zone has loaded or failed, as `serving` says (a no-op without NOTIFY_SOCKET).
    else void notifyReady(log, `serving ${responder.zones.size} zone(s) on ${[...endpoints.keys()].join(' ')}`);
    // Armed again for the $INCLUDEs the zones turned out to read.
    watch.configure(config);
  });

  let reloading = Promise.resolve();
  /** A configuration change that removes zones, waiting for the file to stay unchanged (as a half-written file would not). */
  let heldConfig: NodeJS.Timeout | null = null;
  /** The configuration file as it was when its held removals were found to stand (they now apply). */
  let held: FilePrint | null = null;
  const heldFor = (print: FilePrint | null): boolean => held !== null && print !== null && samePrint(held, print);
  const reload = (why: string): void => {
    // SIGHUP is the operator saying the files are ready: nothing is held.
    const force = why === 'SIGHUP';
    if (heldConfig !== null) {
      clearTimeout(heldConfig);
      heldConfig = null;
    }
    reloading = reloading.then(async () => {
      const print = filePrint(configPath);
      configPrint = print;
      let next: Config;
      try {
        next = loadConfig(configPath);
      } catch (err) {
        log.error({ err }, 'configuration not reloaded; keeping the running one');
        return;
      }
      if (next.server.workers !== config.server.workers) log.warn('a change of server.workers takes effect at the next start');
      if (next.server.threads !== config.server.threads) log.warn('a change of server.threads takes effect at the next start');
      if (next.server.udpIo !== config.server.udpIo) log.warn('a change of server.udp-io takes effect at the next start');
      const conflict = transfersNeedOneProcess(next);
      if (conflict !== null) {
        log.error({ err: conflict }, 'configuration not reloaded; keeping the running one');
        return;
      }
      // Zones the file lists (a zone directory's zones come and go by its own rules).
      const removed = removedZones(fileConfig, next);
      if (removed.length > 0 && !force && !heldFor(print)) {
        const holdMs = next.server.watchHoldMs;
        log.warn(
          { removed: removed.length, zones: removed.slice(0, 20), listed: next.zones.length, holdMs },
          `configuration change held: it removes ${removed.length} zone(s), as a half-written file would; it is applied once the file has been unchanged for ${holdMs} ms (or at SIGHUP)`,
        );
        if (heldConfig !== null) clearTimeout(heldConfig);
        heldConfig = setTimeout(() => {
          heldConfig = null;
          // Unchanged since it was read: apply it. Otherwise the watch reports the newer change.
          if (samePrint(print, filePrint(configPath))) {
            held = print;
            reload('held configuration change');
          }
        }, holdMs);
        heldConfig.unref();
        return;
      }
      // New addresses are bound before anything else changes, and before the old ones close: when
      // one cannot be bound the whole reload fails and the running configuration keeps serving
      // where it did (never on nothing). The next reload tries again.
      const unboundNow = await bindAdded(next);
      if (unboundNow.length > 0) {
        const e = unboundNow[0]!;
        const more = unboundNow.length > 1 ? ` (and ${unboundNow.length - 1} more address(es))` : '';
        log.error(
          { listen: e.address, code: e.code, errno: e.errno, err: e, unbound: unboundNow.map((u) => u.address), why },
          `reload failed: ${e.message}${more}; keeping the running configuration and its listen addresses`,
        );
        return;
      }
      if (removed.length > 0 && !force) log.warn({ removed: removed.length, zones: removed.slice(0, 20) }, 'held configuration change applied: the file was unchanged');
      held = null;
      fileConfig = next;
      await directories.configure(next, { force });
      config = withAllZones();
      rateLimits.configure(config.server.rateLimit);
      transfers.configure(config);
      catalogs.configure(config);
      tcpQuota.configure(tcpLimits(config));
      transferQuota.configure(config.server.transfersOut);
      await registry.reloadConfig(config, { force });
      primaryZones = registry.zones();
      rebuild();
      catalogs.served(primaryZones, registry.loading());
      await closeDropped(config);
      await configureMetrics(config);
      followLogLevel();
      watch.configure(config);
      // SIGHUP: each consumed catalog is read again, and its held removals applied.
      if (force) checkCatalogs(true);
      log.info({ zones: responder.zones.size, reason: why }, 'reloaded');
    }, (err: unknown) => log.error({ err }, 'reload failed'));
  };
  // Armed once serving; what changed before that is found by onArmed.
  watch.configure(config);

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, 'stopping');
      transfers.stop();
      registry.stop();
      directories.close();
      catalogs.stop();
      tcpNotes.flush();
      rateLimits.stop();
      if (heldConfig !== null) clearTimeout(heldConfig);
      if (rebuildSoon !== null) clearTimeout(rebuildSoon);
      if (compactSoon !== null) clearTimeout(compactSoon);
      void watch.close();
      void control?.close();
      void metrics?.close();
      processMetrics.stop();
      const hard = setTimeout(() => resolve(0), STOP_GRACE_MS + 300);
      hard.unref();
      // A secondary's version served but still on its way to disk is written first (bounded by `hard`):
      // cut off, the next start would serve an older serial than this process did.
      void Promise.all([transfers.written(), pool?.stop(), ...[...endpoints.values()].map((ep) => Promise.all([ep.udp?.close(), ep.tcp.close(STOP_GRACE_MS)]))]).then(() => {
        clearTimeout(hard);
        log.info('stopped');
        resolve(0);
      });
    };
    signals.ready((s) => (s === 'SIGHUP' ? reload('SIGHUP') : stop(s)));
    stopServer = stop;
    if (cluster.isWorker) {
      process.on('message', (m: unknown) => {
        const what = (m as { tyne?: string } | null)?.tyne;
        if (what === 'reload') reload('SIGHUP');
        else if (what === 'stop') stop('primary');
      });
    }
  });
}

function newResponder(
  config: Config, zones: Zone[], unavailable: Name[], restricted: Zone[], hooks: TransferService, transfersOut: TransferQuota, rateLimiter: RateLimiter | null, cookies: ServerCookies | null,
  previous: ZoneSet | undefined, hotAnswers: HotAnswers | null, answerCacheSize: number,
): Responder {
  const s = config.server;
  // Catalog zones are answered only to the clients their allow-transfer admits (RFC 9432 §7).
  // Built from the set it replaces: only the zones that changed are indexed again.
  return new Responder(new ZoneSet(zones, unavailable, restricted, previous), { udpPayload: s.udpPayload, identity: s.identity, version: s.version, answerCacheSize, transfers: transfersOut, rateLimiter, cookies, hotAnswers }, hooks);
}

/**
 * Transfers keep state in files (journals, secondary copies) and send
 * NOTIFYs: one process must own them. With several workers they would
 * each do it, so that combination is refused until workers coordinate.
 */
export function transfersNeedOneProcess(config: Config): string | null {
  if (config.server.workers <= 1) return null;
  const z = [...config.zones, ...config.zoneDirectories.map((d) => ({ ...d.template, name: `the zones of zone directory ${d.path}` }))]
    .find((z) => z.type !== 'primary' || z.notify.length > 0 || z.allowTransfer.length > 0);
  return z === undefined ? null : `zone ${z.name} (line ${z.line}) uses transfers or NOTIFY, which need server.workers: 1`;
}

/** Names of the zones (primary and secondary) in `from` that `to` no longer lists. */
function removedZones(from: Config, to: Config): string[] {
  const key = (n: string): string => (n.endsWith('.') ? n : `${n}.`).toLowerCase();
  const kept = new Set(to.zones.map((z) => key(z.name)));
  return from.zones.filter((z) => !kept.has(key(z.name))).map((z) => z.name);
}

/** The cluster primary: forks the workers, relays SIGHUP, stops them on SIGTERM/SIGINT, replaces one that dies. */
async function runPrimary(configPath: string, config: Config, signals: SignalGate): Promise<number> {
  const log: Logger = createLogger(config.log.level, { role: 'primary' });
  const n = config.server.workers;
  let stopping = false;
  let ready = 0;
  let announced = false;
  const restarts: number[] = [];
  // One seed for every worker (and for a replacement), so their generated cookie secrets agree.
  const cookieSeed = newCookieSeed();
  /** Set once the workers can be stopped: a worker that cannot start (it said why on stderr) stops them all, exit 1. */
  let fatal: (() => void) | null = null;
  const fork = (): Worker => {
    const w = cluster.fork({ [COOKIE_SEED_ENV]: cookieSeed });
    w.on('message', (m: unknown) => {
      const what = (m as { tyne?: string } | null)?.tyne;
      if (what === 'fatal') fatal?.();
      if (what === 'ready' && ++ready >= n && !announced) {
        announced = true;
        log.info({ workers: n, config: configPath }, 'serving');
        // Type=notify: the primary is systemd's main process; ready once every worker serves.
        void notifyReady(log, `serving with ${n} workers`);
      }
    });
    return w;
  };
  for (let i = 0; i < n; i++) fork();
  cluster.on('exit', (w, code, signal) => {
    if (stopping) return;
    const now = Date.now();
    restarts.push(now);
    while (restarts.length > 0 && restarts[0]! < now - 60_000) restarts.shift();
    log.error({ worker: w.id, code, signal }, 'worker died');
    // At most 10 replacements a minute, so a worker that cannot start does not spin.
    if (restarts.length <= 10) fork();
  });
  return new Promise<number>((resolve) => {
    const workers = (): Worker[] => Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
    const relayReload = (): void => {
      log.info('reload requested; passing it to the workers');
      for (const w of workers()) w.send({ tyne: 'reload' });
    };
    const stop = (signal: string, code = 0): void => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, 'stopping workers');
      // (With a callback a worker already gone is no error event: its exit is handled above.)
      for (const w of workers()) if (w.isConnected()) w.send({ tyne: 'stop' }, () => undefined);
      const deadline = setTimeout(() => {
        for (const w of workers()) w.kill('SIGKILL');
        resolve(code);
      }, STOP_GRACE_MS + 300);
      deadline.unref();
      const check = (): void => {
        if (workers().length === 0) {
          clearTimeout(deadline);
          log.info('stopped');
          resolve(code);
        }
      };
      cluster.on('exit', check);
      check();
    };
    fatal = () => {
      log.fatal('a worker could not start serving; stopping');
      stop('worker failed', 1);
    };
    signals.ready((s) => (s === 'SIGHUP' ? relayReload() : stop(s)));
  });
}
