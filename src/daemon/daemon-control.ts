/**
 * The daemon's side of the control socket: the ControlApi of src/control,
 * built from the parts runServer (serve.ts) wires together (the zone
 * registry, the transfer service, zone directories, the catalog
 * consumer, the logger) and its reload and stop.
 */
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { ConfigError, formatConfigProblem, loadConfig, type Config, type ZoneSettings } from '../config/index.js';
import {
  ControlError, tyneVersion, type ControlApi, type ControlLogLevel, type LoadReport, type NotifyReport, type RefreshReport, type ReleaseReport, type ReloadReport,
  type SecondariesReport, type StatusReport, type TransferReport, type ZoneStatusReport,
} from '../control/index.js';
import type { Logger } from '../log/logger.js';
import { Name, rcodeToText } from '../wire/index.js';
import type { Zone } from '../zone/index.js';
import { peerText, type Peer } from '../xfr/peer.js';
import type { RefreshOutcome } from '../xfr/secondary-zone.js';
import type { CatalogConsumer } from './catalog-consumer.js';
import type { TransferService } from './transfer-service.js';
import type { DirectoryChanges, ZoneDirectories } from './zone-directories.js';
import type { LoadOutcome, ZoneRegistry } from './zone-registry.js';

/** What runServer hands the control side: its parts, and closures over its state. */
export interface DaemonParts {
  log: Logger;
  configPath: string;
  socket: string;
  /** When the process started (ms epoch). */
  startedAt: number;
  registry: ZoneRegistry;
  transfers: TransferService;
  directories: ZoneDirectories;
  consumer: CatalogConsumer;
  /** The configuration served now (the file's zones, the directories', the catalogs' members). */
  config(): Config;
  /** The zone served as `origin` (any type): null while configured but without data, undefined when not served. */
  served(origin: Name): Zone | null | undefined;
  /** How many zones are served with data. */
  servedCount(): number;
  /** Zones still loading for the first time (primary zones and generated catalogs). */
  loadingCount(): number;
  listening(): string[];
  /** Every zone has loaded (or failed) once. */
  ready(): boolean;
  /** What `tyne serve` refuses in a configuration beyond its schema (transfers with several workers); null when nothing. */
  refuses(config: Config): string | null;
  /** A reload as SIGHUP makes one; resolves once it is done. */
  reload(): Promise<void>;
  /** After a zone of the registry changed: what is served is rebuilt. */
  zonesChanged(changed: boolean): void;
  /** A zone directory's scan changed its zones (what a watch's scan does). */
  directoriesChanged(c: DirectoryChanges): void;
  /** The consumed catalog `origin` read again with its held removals applied. */
  releaseCatalog(origin: Name): void;
  stop(): void;
}

const iso = (ms: number | null | undefined): string | null => (ms === null || ms === undefined ? null : new Date(ms).toISOString());

function loadReport(o: LoadOutcome | null): LoadReport | null {
  return o === null ? null : { at: iso(o.at)!, ok: o.ok, result: o.result, errors: [...o.errors] };
}

function refreshReport(o: RefreshOutcome): RefreshReport {
  return { at: iso(o.at)!, result: o.result, kind: o.kind, peer: o.peer, serial: o.serial, error: o.error };
}

/** The ControlApi of a running server. */
export class DaemonControl implements ControlApi {
  readonly #p: DaemonParts;

  constructor(parts: DaemonParts) {
    this.#p = parts;
  }

  status(): StatusReport {
    const p = this.#p;
    const config = p.config();
    let expired = 0;
    let waiting = 0;
    const counts = { primary: 0, secondary: 0, catalog: 0 };
    for (const z of config.zones) {
      counts[z.type]++;
      if (z.type !== 'secondary') continue;
      const info = p.transfers.secondaryInfo(originOf(z.name));
      if (info?.expired === true) expired++;
      else if (info !== undefined && info.zone === null) waiting++;
    }
    const holds: StatusReport['holds'] = [
      ...p.directories.holds().map((h) => ({ kind: 'zone-directory' as const, target: h.path, zones: h.zones, reason: h.reason })),
      ...p.consumer.holds().map((h) => ({ kind: 'catalog' as const, target: h.catalog, zones: h.zones, reason: 'more member removals at once than max-removals (or all of them)' })),
    ];
    return {
      version: tyneVersion(),
      pid: process.pid,
      startedAt: iso(p.startedAt)!,
      uptimeSec: Math.round((Date.now() - p.startedAt) / 1000),
      ready: p.ready(),
      config: config.path,
      logLevel: p.log.level,
      listen: p.listening(),
      control: p.socket,
      zones: { served: p.servedCount(), failed: p.registry.failedCount(), loading: p.loadingCount(), expired, waiting, ...counts },
      holds,
    };
  }

  secondaries(name: string | null): SecondariesReport {
    if (name === null) return { zone: null, secondaries: this.#p.transfers.replication() };
    const { origin, settings } = this.#zone(name);
    if (settings.type === 'secondary') throw new ControlError('CONTROL_WRONG_ZONE_TYPE', `${origin.toText()} is a secondary zone here: the replication view is kept by the primary that serves it (run tyne secondaries there)`);
    return { zone: origin.toText(), secondaries: this.#p.transfers.replication(origin.toText()) };
  }

  zoneStatus(name: string): ZoneStatusReport {
    const p = this.#p;
    const { origin, settings } = this.#zone(name);
    const base = {
      zone: origin.toText(), type: settings.type, notify: settings.notify.map(peerText),
      secondaries: settings.type === 'secondary' ? [] : p.transfers.replication(origin.toText()),
    };
    if (settings.type === 'secondary') {
      const info = p.transfers.secondaryInfo(origin);
      const zone = info?.zone ?? null;
      return {
        ...base, served: zone !== null && info?.expired !== true, serial: zone?.serial ?? null, fileSerial: null, loadedAt: iso(info?.state?.lastRefresh ?? null),
        records: zone?.recordCount ?? null, file: settings.file, lastLoad: null,
        secondary: {
          primaries: info?.primaries ?? settings.primaries.map(peerText),
          primary: info?.state?.primary === '' ? null : (info?.state?.primary ?? null),
          lastRefresh: iso(info?.state?.lastRefresh),
          nextRefresh: iso(info?.nextRefreshAt),
          expiresAt: iso(info?.state?.expiresAt),
          expired: info?.expired ?? false,
          last: info?.last === null || info?.last === undefined ? null : refreshReport(info.last),
        },
      };
    }
    if (settings.type === 'catalog') {
      const zone = p.served(origin) ?? null;
      return { ...base, served: zone !== null, serial: zone?.serial ?? null, fileSerial: null, loadedAt: null, records: zone?.recordCount ?? null, file: null, lastLoad: null, secondary: null };
    }
    const info = p.registry.info(settings.name);
    const zone = info?.zone ?? null;
    const fileSerial = info?.fileSerial ?? null;
    return {
      ...base, served: zone !== null, serial: zone?.serial ?? null, fileSerial: fileSerial !== null && fileSerial !== zone?.serial ? fileSerial : null,
      loadedAt: iso(info?.loadedAt), records: zone?.recordCount ?? null, file: settings.file, lastLoad: loadReport(info?.lastLoad ?? null), secondary: null,
    };
  }

  async reload(name: string | null): Promise<ReloadReport> {
    const p = this.#p;
    const t0 = Date.now();
    if (name !== null) {
      const { origin, settings } = this.#zone(name);
      if (settings.type !== 'primary') {
        throw new ControlError('CONTROL_WRONG_ZONE_TYPE', `${origin.toText()} is a ${settings.type} zone, not read from a file; ${settings.type === 'secondary' ? `use tyne refresh ${origin.toText()} (or tyne retransfer)` : 'it is rebuilt from its members'}`);
      }
      p.zonesChanged(await p.registry.reloadZone(settings, p.config()));
      const o = p.registry.outcome(settings.name);
      const zone = p.registry.info(settings.name)?.zone ?? null;
      const row = { zone: origin.toText(), ok: o?.ok ?? false, result: o?.result ?? 'not read', serial: zone?.serial ?? null, errors: o?.errors ?? [] };
      return { zone: origin.toText(), ok: row.ok, configErrors: [], zones: [row], pending: [] };
    }
    // The configuration is checked first: a broken one is not reloaded (the running one is kept), and its problems are the answer.
    try {
      const refused = p.refuses(loadConfig(p.configPath));
      if (refused !== null) return { zone: null, ok: false, configErrors: [`${p.configPath}: ${refused}`], zones: [], pending: [] };
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      return { zone: null, ok: false, configErrors: err.problems.map((x) => formatConfigProblem(err.file, x)), zones: [], pending: [] };
    }
    await p.reload();
    const zones: ReloadReport['zones'] = [];
    const pending: string[] = [];
    for (const z of p.config().zones) {
      if (z.type !== 'primary') continue;
      const info = p.registry.info(z.name);
      if (info?.loading === true) pending.push(originOf(z.name).toText());
      const o = info?.lastLoad ?? null;
      // What this reload read, and every zone whose file is still broken (read before, not read again as unchanged).
      if (o === null || (o.at < t0 && o.ok)) continue;
      zones.push({ zone: originOf(z.name).toText(), ok: o.ok, result: o.result, serial: info?.zone?.serial ?? null, errors: [...o.errors] });
    }
    return { zone: null, ok: zones.every((z) => z.ok), configErrors: [], zones, pending };
  }

  async refresh(name: string, opts: { axfr: boolean }): Promise<TransferReport> {
    const { origin, settings } = this.#zone(name);
    const run = settings.type === 'secondary' ? this.#p.transfers.refreshNow(origin, opts) : undefined;
    if (run === undefined) {
      throw new ControlError('CONTROL_WRONG_ZONE_TYPE', `${origin.toText()} is a ${settings.type} zone, not a secondary; ${settings.type === 'primary' ? `use tyne reload ${origin.toText()} to read its file again` : 'it is rebuilt from its members'}`);
    }
    const last = await run;
    return { zone: origin.toText(), ok: last.result !== 'failed', last: refreshReport(last) };
  }

  async notify(name: string, to: string | null): Promise<NotifyReport> {
    const p = this.#p;
    const { origin, settings } = this.#zone(name);
    if (settings.type === 'secondary') throw new ControlError('CONTROL_WRONG_ZONE_TYPE', `${origin.toText()} is a secondary zone: NOTIFY is sent by its primary`);
    const zone = p.served(origin) ?? null;
    if (zone === null) throw new ControlError('CONTROL_NO_SUCH_ZONE', `${origin.toText()} is not served now (not loaded yet, or its file failed; see tyne zonestatus ${origin.toText()})`);
    let targets: Peer[];
    if (to === null) {
      targets = settings.notify;
      if (targets.length === 0) throw new ControlError('CONTROL_BAD_REQUEST', `${origin.toText()} has no notify targets; list them in its notify:, or give one with --to ADDRESS[:PORT]`);
    } else {
      const peer = parsePeer(to);
      // A configured target keeps its TSIG key.
      targets = [settings.notify.find((t) => t.host === peer.host && t.port === peer.port) ?? peer];
    }
    const results = await p.transfers.notifyNow(zone, targets);
    const rows = results.map(({ peer, result }) => ({
      target: peerText(peer), acked: result.acked, tries: result.tries, rcode: result.rcode === undefined ? null : rcodeToText(result.rcode),
      error: result.error === undefined ? null : ((result.error as Error)?.message ?? String(result.error)),
    }));
    return { zone: origin.toText(), serial: zone.serial, ok: rows.every((r) => r.acked), targets: rows };
  }

  logLevel(level: ControlLogLevel): { from: string; to: string } {
    const log = this.#p.log;
    const from = log.level;
    const line = { from, to: level };
    const msg = 'log level changed (tyne loglevel)';
    // Said at info under whichever of the two levels shows it (before the change, or after); at warn when neither does.
    const before = log.isLevelEnabled('info');
    if (before) log.info(line, msg);
    log.level = level;
    if (!before && log.isLevelEnabled('info')) log.info(line, msg);
    else if (!before && log.isLevelEnabled('warn')) log.warn(line, msg);
    return { from, to: level };
  }

  stop(): void {
    this.#p.log.info('stop asked for (tyne stop)');
    this.#p.stop();
  }

  async release(target: string): Promise<ReleaseReport> {
    const p = this.#p;
    const path = resolve(target);
    if (p.directories.has(path)) {
      const c = await p.directories.release(path);
      if (c.added.length + c.removed.length + c.moved.length + c.touched.length > 0) p.directoriesChanged(c);
      return { kind: 'zone-directory', target: path, removed: c.removed.length };
    }
    let origin: Name | null = null;
    try {
      origin = originOf(target);
    } catch {
      origin = null;
    }
    const catalog = origin === null ? undefined : p.consumer.catalogs().find((c) => originOf(c.name).key === origin.key);
    if (origin === null || catalog === undefined) {
      throw new ControlError('CONTROL_NO_SUCH_HOLD', `${target} is neither a zone directory (zone-directories[].path) nor a catalog this server consumes; tyne status lists the holds`);
    }
    const before = p.consumer.holds().find((h) => originOf(h.catalog).key === origin.key)?.zones ?? 0;
    p.releaseCatalog(origin);
    const after = p.consumer.holds().find((h) => originOf(h.catalog).key === origin.key)?.zones ?? 0;
    return { kind: 'catalog', target: origin.toText(), removed: before - after };
  }

  /** The zone `name` of the configuration served now, or CONTROL_NO_SUCH_ZONE. */
  #zone(name: string): { origin: Name; settings: ZoneSettings } {
    let origin: Name;
    try {
      origin = originOf(name);
    } catch (err) {
      throw new ControlError('CONTROL_BAD_REQUEST', `'${name}' is not a zone name (${(err as Error).message})`);
    }
    const settings = this.#p.transfers.zoneSettings(origin);
    if (settings === undefined) throw new ControlError('CONTROL_NO_SUCH_ZONE', `no zone ${origin.toText()} in this server's configuration (check the name, or the zone directory and catalogs it comes from)`);
    return { origin, settings };
  }
}

function originOf(name: string): Name {
  return Name.fromText(name.endsWith('.') ? name : `${name}.`);
}

/** `ADDRESS`, `ADDRESS:PORT` or `[IPV6]:PORT` (port 53 when left out), as `--to` gives it. */
export function parsePeer(text: string): Peer {
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  const v4 = /^([^:]+)(?::(\d+))?$/.exec(text);
  const host = bracket?.[1] ?? (isIP(text) === 6 ? text : v4?.[1]);
  const portText = bracket?.[2] ?? (isIP(text) === 6 ? undefined : v4?.[2]);
  const port = portText === undefined ? 53 : Number(portText);
  const family = host === undefined ? 0 : isIP(host);
  if (host === undefined || family === 0 || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ControlError('CONTROL_BAD_REQUEST', `'${text}' is not an address such as 192.0.2.2, 192.0.2.2:5301 or [2001:db8::2]:53`);
  }
  return { host, port, family: family as 4 | 6, key: null };
}
