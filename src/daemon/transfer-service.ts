import { dirname } from 'node:path';
import { zoneNameKey, type Config, type ZoneSettings } from '../config/index.js';
import type { Logger } from '../log/logger.js';
import type { TransferHooks, TransferOutInfo, TransferRefusedInfo, TsigFailure } from '../server/transfer-hooks.js';
import { RateLimitedLog } from '../log/rate-limited-log.js';
import { Name, rcodeToText } from '../wire/index.js';
import type { Zone } from '../zone/index.js';
import { aclAllows, addressOctets, type AclEntry, type Requester } from '../xfr/acl.js';
import type { Journal } from '../xfr/journal.js';
import { Notifier } from '../xfr/notify-queue.js';
import { peerText, samePeers, type Peer } from '../xfr/peer.js';
import { SecondaryZone, type RefreshOutcome } from '../xfr/secondary-zone.js';
import { sendNotify, type SendNotifyResult } from '../xfr/notify-send.js';
import type { SecondaryState } from '../xfr/zone-store.js';
import type { TimerClamps } from '../xfr/refresh-timers.js';
import { transferZone } from '../xfr/transfer-client.js';
import { querySoaSerial } from '../xfr/soa-query.js';
import type { ZoneHistories } from './zone-history.js';
import { removeStaleTempFiles } from '../xfr/atomic-file.js';
import { TransferError } from '../xfr/transfer-error.js';
import type { SecondaryReplication } from '../xfr/replication-view.js';
import { ReplicationTracker } from './replication-tracker.js';
import { TransferCounters } from '../metrics/index.js';
import { loadZoneFileAsync } from './load-zone-async.js';
import { defaultZoneMemoryBudget } from './zone-memory-budget.js';
import { pruneRemoved, setAsideRemoved } from './removed-zones.js';
import { TransferSlots } from './transfer-slots.js';
import { keyId, tsigKeyTable } from './tsig-key-table.js';
import { folderProblem } from './storage-check.js';
import { tsigNotifySigner, type NotifySigner, type TsigKey } from '../tsig/index.js';
import { DEFAULT_ZONE_LIMITS, type ZoneLimits } from '../zonefile/index.js';

/** Transfers in at once (BIND's `transfers-in` default). */
const TRANSFERS_IN = 10;

/** A probe of a secondary (its SOA) waits this long over UDP, and as long again over TCP. */
const PROBE_TIMEOUT_MS = 2000;

/** NOTIFY until converged: the wait between NOTIFYs doubles up to this (issue 15 §2). */
const NOTIFY_RETRY_MAX_MS = 600_000;

/** How often removed copies past their retention are looked for. */
const PRUNE_EVERY_MS = 6 * 3_600_000;

/**
 * Zone transfers for the daemon: TSIG keys, ACLs, the IXFR journals of the
 * zones we serve, NOTIFY out (at startup and whenever a serial changes),
 * and the secondary zones (NOTIFY in, refresh timers, transfers in, saved
 * copies). It is the responder's TransferHooks.
 */
export class TransferService implements TransferHooks {
  readonly #log: Logger;
  #keys = new Map<string, TsigKey>();
  #settings = new Map<string, ZoneSettings>();
  #clamps: Partial<TimerClamps> = {};
  #syncMs = 60_000;
  #checkIntervalMs = 1000;
  /** `server.zone-memory-budget` (null: the default, a quarter of the heap limit), read at each transfer and saved-copy load. */
  #zoneMemoryBudget: number | null = null;
  /** Lines for events anyone can repeat (refused and unknown NOTIFYs, coalesced ones, TSIG failures): first one, then a count per interval. */
  readonly #limited: RateLimitedLog;
  readonly #histories: ZoneHistories;
  /** Saved copies of removed secondary zones being moved aside, by zone key; a zone added again starts after its move. */
  readonly #settingAside = new Map<string, Promise<void>>();
  /** Folders that held saved copies (for pruning removed/). */
  #copyFolders = new Set<string>();
  /** Folders already swept of temporary files left by a killed process (each once per process). */
  readonly #swept = new Set<string>();
  #retentionMs = 7 * 86_400_000;
  #pruneTimer: NodeJS.Timeout | null = null;
  /** NOTIFYs made before the listeners are bound (startup), by zone key; null once serving. */
  #heldNotifies: Map<string, () => void> | null = new Map();
  readonly #secondaries = new Map<string, { zone: SecondaryZone; file: string; primaries: Peer[] }>();
  /** Transfers in running at once (BIND's transfers-in default, 10); the others wait their turn. */
  readonly #transfersIn = new TransferSlots(TRANSFERS_IN);
  /** Set after the first configure: a secondary added later with no saved copy is transferred at once, not after the startup jitter. */
  #configured = false;
  readonly #notifier: Notifier;
  /** Called when a secondary zone's data changes (a transfer, an expiry). */
  readonly #onChange: () => void;
  /** Transfers refused at `transfers-out`: a line, then a count per interval. */
  readonly #refusals: RateLimitedLog;
  /** What each secondary of our zones holds (issue 15 §2), and NOTIFY until converged. */
  readonly #replication: ReplicationTracker;
  /** Transfers out and in and NOTIFYs sent, counted for the metrics endpoint (issue 15 §3). */
  readonly counters = new TransferCounters();

  /** Called with each zone transferred or loaded from its saved copy, before it can be served (ZoneRegistryOptions.beforeServe). */
  readonly #beforeServe: (zone: Zone) => Promise<void>;

  constructor(log: Logger, histories: ZoneHistories, onChange: () => void, beforeServe: (zone: Zone) => Promise<void> = async () => {}) {
    this.#log = log;
    this.#histories = histories;
    this.#onChange = onChange;
    this.#beforeServe = beforeServe;
    this.#refusals = new RateLimitedLog(log);
    this.#limited = new RateLimitedLog(log);
    this.#notifier = new Notifier({
      log,
      signerFor: (peer) => this.#notifySigner(peer),
      onAck: (zone, peer, _tries, serial) => {
        this.counters.notified('acked');
        this.#replication.notifyAcked(zone, peer, serial);
      },
      // The queue logs the give-up (one warning per event); the replication view learns of it.
      onGiveUp: (zone, peer, tries, serial, rcode) => {
        this.counters.notified(rcode !== undefined ? 'refused' : tries === 0 ? 'failed' : 'timeout');
        this.#replication.notifyFailed(zone, peer, serial, rcode === undefined ? `NOTIFY unanswered after ${tries} tries` : `NOTIFY answered ${rcodeToText(rcode)}`);
      },
    });
    this.#replication = new ReplicationTracker({
      log,
      // The secondary's own answer (RFC 1034 §4.3.5's SOA query, signed with the notify target's key); SERVFAIL: it has no copy.
      probe: (origin, peer) => querySoaSerial({ origin, peer, key: this.#keyFor(peer), timeoutMs: PROBE_TIMEOUT_MS }).catch((err: unknown) => {
        if (err instanceof TransferError && err.code === 'XFR_REFUSED' && err.message.includes('answered SERVFAIL')) return null;
        throw err;
      }),
      notify: (zone, peer) => this.#notifier.notify(zone, [peer]),
    });
  }

  /** The memory budget of one zone arriving by transfer or read from its saved copy, as for a zone file. */
  #memoryBudget(): number {
    return this.#zoneMemoryBudget ?? defaultZoneMemoryBudget();
  }

  /** Takes a (re)loaded configuration: keys, ACLs, and the set of secondary zones. */
  configure(config: Config): void {
    const sv = config.server;
    this.#clamps = { minRefresh: sv.minRefreshSec, maxRefresh: sv.maxRefreshSec, minRetry: sv.minRetrySec, maxRetry: sv.maxRetrySec };
    this.#syncMs = sv.zonefileSyncMs;
    this.#checkIntervalMs = sv.notifyCheckIntervalMs;
    this.#zoneMemoryBudget = sv.zoneMemoryBudget;
    this.#keys = tsigKeyTable(config.keys);
    const settings = new Map<string, ZoneSettings>();
    for (const z of config.zones) settings.set(zoneNameKey(z.name), z);
    this.#settings = settings;
    this.#replication.configure(
      { probeIntervalMs: sv.secondaryProbeIntervalMs, converge: { firstMs: sv.notifyRetryMs, maxMs: NOTIFY_RETRY_MAX_MS, limitMs: sv.notifyRetryLimitMs } },
      config.zones.filter((z) => z.type !== 'secondary'),
    );
    // Secondaries: start new ones, stop removed ones (a changed file or primaries list restarts the zone).
    let changed = !this.#configured;
    for (const [key, sec] of [...this.#secondaries]) {
      const z = settings.get(key);
      const removed = z === undefined || z.type !== 'secondary';
      if (removed || sec.file !== z.file || !samePeers(sec.primaries, z.primaries)) {
        sec.zone.stop();
        this.#secondaries.delete(key);
        if (removed) this.#setAside(key, sec.zone, sec.file);
        changed = true;
      }
    }
    for (const [key, z] of settings) {
      if (z.type !== 'secondary' || this.#secondaries.has(key)) continue;
      this.#startSecondary(key, z);
      changed = true;
    }
    this.#sweep(config);
    const retention = this.#retentionMs;
    this.#retentionMs = sv.removedRetentionMs;
    // Removed copies are pruned now and then, and at once in a folder seen for the first time.
    const folders = this.#copyFolders.size;
    for (const z of settings.values()) if (z.type === 'secondary') this.#copyFolders.add(dirname(z.file));
    if (this.#pruneTimer === null || this.#copyFolders.size > folders || sv.removedRetentionMs !== retention) this.#prune();
    this.#configured = true;
    // The secondary zones served changed (some started, without data yet, or stopped).
    if (changed) this.#onChange();
  }

  /**
   * A secondary zone left the configuration: once no refresh is in flight,
   * its saved copy and state go to `removed/` (src/daemon/removed-zones.ts),
   * so a zone of that name added later starts with a fresh transfer.
   */
  #setAside(key: string, zone: SecondaryZone, file: string): void {
    const origin = zone.origin.toText();
    const before = this.#settingAside.get(key) ?? Promise.resolve();
    const done = before
      .then(() => zone.idle())
      .then(() => setAsideRemoved(file, origin, new Date()))
      .then(
        (into) => this.#log.info({ zone: origin, file, movedTo: into }, into === null ? 'secondary zone removed (it had no saved copy)' : 'secondary zone removed; its saved copy was moved aside'),
        (err: unknown) => this.#log.error({ zone: origin, file, err }, `secondary zone removed, but its saved copy could not be moved aside: ${(err as Error).message}`),
      )
      .finally(() => {
        if (this.#settingAside.get(key) === done) this.#settingAside.delete(key);
      });
    this.#settingAside.set(key, done);
  }

  /**
   * A process killed while it saved (kill -9, a power cut) leaves the
   * temporary file of writeFileAtomic behind, as large as the copy. The
   * folders of the configured zones' state (saved copies, journals,
   * served-serial state) are swept of such files once, when first seen
   * (at startup, or when a reload adds a folder); each removal is logged.
   */
  #sweep(config: Config): void {
    const folders = new Set<string>();
    // The folders historyPaths puts a primary's (or a catalog's) journal and state in: data-dir, or the zone file's.
    // (Worked out without historyPaths itself: 10,000 zone names need not be parsed again at every change.)
    const dataDir = config.server.dataDir;
    for (const z of config.zones) folders.add(z.type === 'secondary' || dataDir === null ? dirname(z.file) : dataDir);
    for (const dir of folders) {
      if (this.#swept.has(dir)) continue;
      this.#swept.add(dir);
      void removeStaleTempFiles(dir).then((gone) => {
        for (const g of gone) this.#log.info({ file: g.path, bytes: g.bytes }, 'stale temporary file removed (left by a process stopped while it saved)');
      });
    }
  }

  /** Deletes removed copies older than `server.removed-retention`, now and then. */
  #prune(): void {
    if (this.#pruneTimer === null) {
      this.#pruneTimer = setInterval(() => this.#prune(), PRUNE_EVERY_MS);
      this.#pruneTimer.unref();
    }
    void pruneRemoved(this.#copyFolders, this.#retentionMs, new Date()).then(
      (gone) => {
        for (const g of gone) this.#log.info({ folder: g }, 'removed zone copy deleted (older than server.removed-retention)');
      },
      (err: unknown) => this.#log.error({ err }, `removed zone copies could not be pruned: ${(err as Error).message}`),
    );
  }

  /** The data of the secondary zone `origin` (null: none yet), and whether it has expired; undefined when it is not one. */
  secondaryData(origin: Name): { zone: Zone | null; expired: boolean } | undefined {
    const s = this.#secondaries.get(origin.key);
    return s === undefined ? undefined : { zone: s.zone.zone, expired: s.zone.expired };
  }

  /** How many secondary zones there are (catalog members included). */
  get secondaryCount(): number {
    return this.#secondaries.size;
  }

  /** Data of the secondary zones: loaded ones, and the names of those without data (SERVFAIL). */
  secondaryZones(): { zones: Zone[]; unavailable: Name[] } {
    const zones: Zone[] = [];
    const unavailable: Name[] = [];
    for (const s of this.#secondaries.values()) {
      const z = s.zone.zone;
      if (z !== null && !s.zone.expired) zones.push(z);
      else unavailable.push(s.zone.origin);
    }
    return { zones, unavailable };
  }

  /**
   * A zone we serve from a file was loaded: at startup (`old` undefined) or
   * again with other contents (already journaled by its ZoneHistory). A
   * new serial is announced to the zone's `notify` targets (RFC 1996 §3.5).
   * `added`: a zone added after startup; a catalog member's NOTIFY then waits until its catalog lists it.
   */
  primaryLoaded(old: Zone | undefined, zone: Zone, opts: { added?: boolean } = {}): void {
    const key = zone.origin.key;
    const settings = this.#settings.get(key);
    if (settings === undefined) return;
    // A zone added while running that is a catalog member is announced once its catalog lists it (the producer
    // calls again then, without `added`): a NOTIFY for it before that reaches consumers that do not have it yet,
    // and spends their SOA check of the catalog before the catalog lists it.
    const announce = { origin: zone.origin, serial: zone.serial, soa: zone.soa.rdatas[0]!, soaTtl: zone.soa.ttl };
    if (old === undefined || old.serial !== zone.serial) this.#replication.served(announce, () => journalChain(this.journal(zone)));
    if (old === undefined && opts.added === true && settings.catalog !== null) return;
    if (settings.notify.length > 0 && (old === undefined || old.serial !== zone.serial)) {
      const send = (): void => {
        for (const peer of settings.notify) this.#replication.notifySent(zone.origin, peer, zone.serial);
        this.#notifier.notify(announce, settings.notify);
      };
      // RFC 1996 §3.7: the secondary asks for our SOA at once, so nothing is announced before we answer.
      if (this.#heldNotifies === null) send();
      else this.#heldNotifies.set(key, send);
    }
  }

  /** The listeners are bound: NOTIFYs held since startup go out now (the latest version of each zone). */
  listening(): void {
    const held = this.#heldNotifies;
    this.#heldNotifies = null;
    for (const send of held?.values() ?? []) send();
  }

  /** Resolves once no secondary zone is writing its copy, journal or state (a stop waits for it). */
  async written(): Promise<void> {
    await Promise.all([...this.#secondaries.values()].map((s) => s.zone.written()));
  }

  stop(): void {
    if (this.#pruneTimer !== null) clearInterval(this.#pruneTimer);
    this.#pruneTimer = null;
    for (const s of this.#secondaries.values()) s.zone.stop();
    this.#notifier.stop();
    this.#replication.stop();
    this.#refusals.flush();
    this.#limited.flush();
  }

  /**
   * The replication view (issue 15 §2): what each secondary of `zone` (of
   * every zone we serve, when undefined) holds, sorted by zone then
   * secondary, as plain JSON-able objects.
   */
  replication(zone?: string): SecondaryReplication[] {
    return this.#replication.list(zone);
  }

  // --- TransferHooks -------------------------------------------------------

  key(name: Name): TsigKey | undefined {
    return this.#keys.get(keyId(name.toText()));
  }

  /** The zone's allow-transfer (null: not a zone of the configuration), for a serving thread's hooks (issue 16 §3). */
  transferAcl(zone: Zone): AclEntry[] | null {
    return this.#settings.get(zone.origin.key)?.allowTransfer ?? null;
  }

  mayTransfer(zone: Zone, who: Requester): boolean {
    const s = this.#settings.get(zone.origin.key);
    return s !== undefined && aclAllows(s.allowTransfer, who);
  }

  journal(zone: Zone): Journal | null {
    const key = zone.origin.key;
    const s = this.#settings.get(key);
    // A primary's or a catalog's (both have a ZoneHistory); a secondary's journal is its copy's.
    if (s === undefined || s.type === 'secondary') return null;
    const history = this.#histories.byKey(key);
    if (history === undefined) return null;
    try {
      return history.journal();
    } catch {
      // Damaged: already logged and set aside by the history; this IXFR gets the whole zone.
      return null;
    }
  }

  notify(origin: Name, who: Requester, serial: number | null): 'accepted' | 'refused' | 'notauth' {
    const key = origin.key;
    const s = this.#settings.get(key);
    const sec = this.#secondaries.get(key);
    if (s === undefined || s.type !== 'secondary' || sec === undefined) {
      // RFC 9432 §5: a NOTIFY for a zone we do not have, from a catalog's primary, may announce a new member: that catalog is checked.
      if (s === undefined) this.#refreshCatalogsFor(who);
      // Anyone can send these, for any name: one kind for all of them, so any flood costs two lines per interval.
      this.#limited.event('notify-unknown', 'info', { zone: origin.toText(), peer: who.address }, 'notify for a zone we are not secondary for', 'NOTIFY for zones we are not secondary for');
      return 'notauth';
    }
    // Default allow-notify: the primaries' addresses (RFC 1996 §3.10: from a known primary).
    const acl: AclEntry[] = s.allowNotify ?? s.primaries.map(peerAcl).filter((e): e is AclEntry => e !== null);
    const zone = origin.toText();
    if (!aclAllows(acl, who)) {
      this.#limited.event(`notify-refused ${key}`, 'warn', { zone, peer: who.address, key: who.key }, 'notify refused by allow-notify', `refused NOTIFY for ${zone}`);
      return 'refused';
    }
    const outcome = sec.zone.notify(who.address, serial);
    const line = { zone, peer: who.address, serial, key: who.key };
    // One line per NOTIFY that starts an SOA check; those folded into a pending check or naming our serial are counted.
    // (The folded-in line says `notify received` too, with check: queued: the first NOTIFY after a check is often one.)
    if (outcome === 'started') this.#log.info({ ...line, check: 'started' }, 'notify received');
    else if (outcome === 'queued') this.#limited.event(`notify-queued ${key}`, 'info', { ...line, check: 'queued' }, 'notify received', `NOTIFY for ${zone} folded into the pending SOA check`);
    else if (outcome === 'current') this.#limited.event(`notify-current ${key}`, 'info', { ...line, ours: sec.zone.zone?.serial ?? null }, 'notify received: serial not newer, copy is current', `NOTIFY for ${zone} with a serial not newer than ours`);
    return 'accepted';
  }

  /** Starts an SOA check of each catalog consumed (a secondary with `members:`) whose allow-notify admits `who`. */
  #refreshCatalogsFor(who: Requester): void {
    for (const [key, sec] of this.#secondaries) {
      const s = this.#settings.get(key);
      if (s === undefined || s.members === null) continue;
      const acl: AclEntry[] = s.allowNotify ?? s.primaries.map(peerAcl).filter((e): e is AclEntry => e !== null);
      if (!aclAllows(acl, who)) continue;
      if (sec.zone.notify(who.address, null) === 'started') this.#log.info({ zone: s.name, peer: who.address }, 'notify for an unknown zone from a catalog\'s primary: the catalog is checked');
    }
  }

  tsigFailed(info: TsigFailure): void {
    const key = info.key === null ? null : info.key.replace(/\.$/, '');
    const fields = { peer: info.address, transport: info.tcp ? 'tcp' : 'udp', key, algorithm: info.algorithm, error: info.error, opcode: info.opcode, macLength: info.macLength, ...(info.skewSec === null ? {} : { skewSec: info.skewSec }) };
    // BADKEY names a key we do not have (any name): one kind; the others name one of our keys.
    const kind = info.error === 'BADKEY' || key === null || this.#keys.get(keyId(key)) === undefined ? `tsig ${info.error}` : `tsig ${info.error} ${keyId(key)}`;
    const what = kind === `tsig ${info.error}` ? `${info.error} TSIG failures` : `${info.error} TSIG failures with key ${key}`;
    this.#limited.event(kind, 'warn', fields, `TSIG ${info.error} from ${info.address} (key ${key ?? '-'})`, what);
  }

  transferred(info: TransferOutInfo): void {
    const line = {
      zone: info.zone, peer: info.peer, kind: info.kind, reason: info.reason, serial: { from: info.fromSerial, to: info.serial },
      records: info.records, messages: info.messages, bytes: info.bytes, durationMs: info.durationMs,
      key: info.key === null ? null : info.key.replace(/\.$/, ''),
    };
    this.#replication.transferred(info);
    this.counters.out.add(info.zone, info.kind === 'AXFR' ? 'axfr' : 'ixfr', !info.complete ? 'aborted' : info.kind === 'UPTODATE' ? 'uptodate' : 'success');
    if (info.complete) this.#log.info(line, 'transfer out');
    else this.#log.warn(line, 'transfer out ended early (client went away)');
  }

  transferRefused(info: TransferRefusedInfo): void {
    this.counters.out.add(info.zone, info.kind === 'AXFR' ? 'axfr' : 'ixfr', 'refused');
    // A refusal by allow-transfer is the client's business (it is answered REFUSED); only a full transfers-out is logged.
    if (info.reason !== 'transfers-out') return;
    this.#refusals.event(
      'transfers-out',
      'warn',
      { zone: info.zone, peer: info.peer, kind: info.kind, key: info.key === null ? null : info.key.replace(/\.$/, ''), transfersOut: info.limit },
      `transfer out refused: ${info.limit} transfers running (server.transfers-out); the secondary retries later, or raise transfers-out`,
      'transfers out refused (transfers-out reached)',
    );
  }

  // --- for the control socket (src/daemon/daemon-control.ts) -------------------

  /** The settings of the zone `origin` as configured (any type); undefined when it is not one. */
  zoneSettings(origin: Name): ZoneSettings | undefined {
    return this.#settings.get(origin.key);
  }

  /** What the secondary zone `origin` holds and when it refreshes; undefined when it is not one. */
  secondaryInfo(origin: Name): SecondaryInfo | undefined {
    const s = this.#secondaries.get(origin.key);
    if (s === undefined) return undefined;
    const z = s.zone;
    return { primaries: s.primaries.map(peerText), zone: z.zone, expired: z.expired, state: z.state, nextRefreshAt: z.nextRefreshAt, last: z.lastRefresh };
  }

  /** A refresh of the secondary `origin` now (`axfr`: the whole zone, whatever the serials); undefined when it is not one. */
  refreshNow(origin: Name, opts: { axfr: boolean }): Promise<RefreshOutcome> | undefined {
    return this.#secondaries.get(origin.key)?.zone.checkNow(opts);
  }

  /**
   * NOTIFY of `zone` (at its serial) sent now to `targets` (the zone's
   * `notify` list when null), each signed with its key as the queue's
   * are; resolves once each target answered or its tries ran out.
   */
  async notifyNow(zone: Zone, targets: readonly Peer[]): Promise<{ peer: Peer; result: SendNotifyResult }[]> {
    return Promise.all(targets.map(async (peer) => {
      const sign = this.#notifySigner(peer);
      let result: SendNotifyResult;
      try {
        result = await sendNotify({ origin: zone.origin, serial: zone.serial, soa: zone.soa.rdatas[0]!, soaTtl: zone.soa.ttl, peer, ...(sign === undefined ? {} : { sign }) });
      } catch (e) {
        result = { acked: false, tries: 0, error: e };
      }
      const fields = { zone: zone.origin.toText(), peer: peerText(peer), serial: zone.serial, tries: result.tries, asked: 'control' };
      this.counters.notified(result.acked ? 'acked' : result.rcode !== undefined ? 'refused' : result.tries === 0 ? 'failed' : 'timeout');
      if (result.acked) this.#log.info(fields, 'NOTIFY acknowledged');
      else this.#log.warn({ ...fields, rcode: result.rcode === undefined ? null : rcodeToText(result.rcode) }, `NOTIFY to ${peerText(peer)} not acknowledged`);
      return { peer, result };
    }));
  }

  // --- internals --------------------------------------------------------------

  #keyFor(peer: Peer): TsigKey | null {
    if (peer.key === null) return null;
    return this.#keys.get(keyId(peer.key)) ?? null;
  }

  #notifySigner(peer: Peer): NotifySigner | undefined {
    const key = this.#keyFor(peer);
    return key === null ? undefined : tsigNotifySigner(key);
  }

  #startSecondary(key: string, z: ZoneSettings): void {
    const origin = Name.fromText(z.name.endsWith('.') ? z.name : `${z.name}.`);
    const log = this.#log;
    const storage = folderProblem(dirname(z.file), 'saved secondary copies', 'transferred versions are served from memory only and lost at a restart');
    if (storage !== null) log.error({ zone: origin.toText(), folder: storage.file, err: storage }, storage.message);
    const zone = new SecondaryZone({
      origin,
      file: z.file,
      primaries: z.primaries,
      log,
      clamps: this.#clamps,
      syncMs: this.#syncMs,
      limits: savedCopyLimits(z.limits),
      // Parsed in the worker (src/daemon/load-zone-async.ts): other zones are answered while a large copy loads.
      loadCopy: async (path, o) => {
        const r = await loadZoneFileAsync(path, o, { sliceMs: 5, limits: savedCopyLimits(z.limits), memoryBudget: this.#memoryBudget() });
        if (r.zone !== null) await this.#beforeServe(r.zone);
        return r;
      },
      checkIntervalMs: this.#checkIntervalMs,
      // At startup the first checks are spread over 5 s; a zone added later (a new catalog member, say) is checked at once.
      ...(this.#configured ? { startJitterMs: 0 } : {}),
      deps: {
        querySerial: (peer) => querySoaSerial({ origin, peer, key: this.#keyFor(peer) }),
        transfer: async (peer, current) => {
          const zoneText = origin.toText();
          let r;
          try {
            r = await this.#transfersIn.run(() => transferZone({ origin, peer, key: this.#keyFor(peer), current, maxRecords: z.limits.maxRecords, memoryBudget: this.#memoryBudget() }));
          } catch (err) {
            // The kind asked for: IXFR from the copy held, AXFR without one.
            this.counters.in.add(zoneText, current === null ? 'axfr' : 'ixfr', 'failed');
            throw err;
          }
          this.counters.in.add(zoneText, r.kind === 'AXFR' ? 'axfr' : 'ixfr', r.upToDate === true ? 'uptodate' : 'success');
          if (r.upToDate !== true) await this.#beforeServe(r.zone);
          return {
            zone: r.zone, kind: r.kind, diff: r.diff, upToDate: r.upToDate ?? false, records: r.records, bytes: r.bytes, messages: r.messages,
            durationMs: r.durationMs, fallback: r.fallback, key: peer.key, fromSerial: r.fromSerial, serial: r.serial,
          };
        },
        now: () => Date.now(),
        setTimer: (fn, ms) => {
          const t = setTimeout(fn, ms);
          t.unref();
          return { cancel: () => clearTimeout(t) };
        },
        random: Math.random,
      },
      onZone: (_zone, why) => {
        log.info({ zone: origin.toText(), reason: why }, 'secondary zone changed');
        this.#onChange();
      },
    });
    this.#secondaries.set(key, { zone, file: z.file, primaries: z.primaries });
    // A zone removed and added again waits for its old copy to be moved aside: it never starts from that copy.
    const aside = this.#settingAside.get(key);
    if (aside === undefined) zone.start();
    else void aside.then(() => zone.start());
  }
}

/** A secondary zone as the control socket shows it (`tyne zonestatus`). */
export interface SecondaryInfo {
  primaries: string[];
  zone: Zone | null;
  expired: boolean;
  state: SecondaryState | null;
  nextRefreshAt: number | null;
  last: RefreshOutcome | null;
}

/**
 * The limits a secondary's saved copy is read with: its max-records, as
 * for transfers; the copy is written by us, one record a line, so its
 * size follows from its records, and the size and line limits are never
 * below the defaults (a record a zone may hold must not make the copy
 * unreadable).
 */
function savedCopyLimits(l: ZoneLimits): ZoneLimits {
  return {
    maxIncludeReads: 0,
    maxRecords: l.maxRecords,
    maxFileBytes: Math.max(l.maxFileBytes, DEFAULT_ZONE_LIMITS.maxFileBytes),
    maxLineBytes: Math.max(l.maxLineBytes, DEFAULT_ZONE_LIMITS.maxLineBytes),
  };
}

/** The serials of a journal's chain, oldest first (from of the first entry, then each entry's to); none without a journal. */
function journalChain(j: Journal | null): number[] {
  if (j === null) return [];
  const flat = j.serials();
  return flat.length === 0 ? [] : [flat[0]!, ...flat.filter((_, i) => i % 2 === 1)];
}

/** A primary's address as an allow-notify entry (any key). */
function peerAcl(p: Peer): AclEntry | null {
  const network = addressOctets(p.host);
  if (network === null) return null;
  return { kind: 'range', family: p.family, network, prefix: network.length * 8, key: null };
}
