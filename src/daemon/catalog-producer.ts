/**
 * Catalog zones on the primary (issue 14 §2, RFC 9432 schema version 2):
 * each `type: catalog` zone lists the primary zones whose `catalog` names
 * it, and that are being served (a zone enters its catalog only once it
 * has loaded; one that fails to load is not listed).
 *
 * - IDs (src/catalog/member-ids.ts) are kept in `<state stem>.members.json`
 *   beside the catalog's served-serial state, written (atomically) before
 *   the version that uses them is served. They are a hash of the member's
 *   name and a generation, so a lost file gives the same IDs back for
 *   zones never removed; a zone removed and added again gets a new ID, so
 *   consumers start it afresh (RFC 9432 §5.4).
 * - A change alone is published GATHER_MS after it (a rename's removal
 *   and addition, and a zone still loading for this catalog, up to
 *   MAX_HOLD_MS, join it); a new version comes at most once every
 *   MIN_INTERVAL_MS, so a burst of changes within a second (a folder of new
 *   files) shares one version and one serial.
 * - The serial is the current time in seconds, or the one served plus one
 *   when that is not above it (as Knot's generated catalogs), decided
 *   over what the zone's history recorded: it never goes back, across
 *   restarts and a lost state file. A version is recorded (journal, state)
 *   before it is served; after the first, each is the previous one with
 *   the change applied (updateZoneSteps), and its difference is journaled,
 *   so consumers get IXFR.
 * - No catalog is built before the zones have loaded at startup (`ready`):
 *   a catalog missing members still loading would make consumers delete
 *   them. Until then it is answered SERVFAIL, as a zone not loaded yet.
 */
import { readFileSync } from 'node:fs';
import { catalogMemberRecords, catalogSoa, buildCatalogZone, CatalogStateError, MemberIds, type CatalogMember } from '../catalog/index.js';
import { zoneNameKey, type Config, type ZoneSettings } from '../config/index.js';
import type { Logger } from '../log/logger.js';
import { bytesEqual, Name, type ResourceRecord } from '../wire/index.js';
import { ContentDigest, recordKey, runStepsInSlices, updateZoneSteps, type Zone } from '../zone/index.js';
import { writeFileAtomic } from '../xfr/atomic-file.js';
import { setAsideDamaged } from '../xfr/damaged-file.js';
import { StorageError } from '../xfr/storage-error.js';
import type { ZoneDiff } from '../xfr/zone-diff.js';
import { decideSerial } from './serial-policy.js';
import type { ZoneHistories } from './zone-history.js';

/** A change is published this long after it, so that what comes with it (a rename's other half) joins it. */
export const GATHER_MS = 50;
/** Versions of one catalog come at most this often: changes within a second share one version and serial. */
export const MIN_INTERVAL_MS = 1000;
/** A version waits for zones of the catalog still loading for the first time at most this long after the change. */
export const MAX_HOLD_MS = 1000;

/** Longest stretch of main-thread work of applying a change to a catalog between two turns of the event loop, in ms. */
const SLICE_MS = 3;

/** A member as listed: its name and groups. */
interface Wanted {
  name: Name;
  groups: string[];
}

interface Catalog {
  settings: ZoneSettings;
  origin: Name;
  /** The member IDs, read from their file at the first build. */
  ids: MemberIds | null;
  /** The version served, its digest, and the members it lists (by key). */
  zone: Zone | null;
  digest: ContentDigest | null;
  listed: Map<string, CatalogMember>;
  /** The members it should list now (by key). */
  wanted: Map<string, Wanted>;
  timer: NodeJS.Timeout | null;
  /** When the version served was built (performance.now()), and when the change waiting for the next one came (null: none). */
  builtAt: number;
  changedAt: number | null;
  /** Zones of this catalog loading for the first time (a version waits for them, up to MAX_HOLD_MS). */
  loading: number;
  /** One build at a time. */
  building: Promise<void>;
}

/** The catalog zones a primary generates. */
export class CatalogProducer {
  readonly #log: Logger;
  readonly #histories: ZoneHistories;
  readonly #onBuilt: (old: Zone | undefined, zone: Zone, added: readonly Name[]) => void;
  /** Called with each version built, before it is served (ZoneRegistryOptions.beforeServe). */
  readonly #beforeServe: (zone: Zone) => Promise<void>;
  readonly #catalogs = new Map<string, Catalog>();
  #config: Config | null = null;
  #membersOf: { config: Config; settings: Map<string, ZoneSettings> } | null = null;
  #ready = false;
  #stopped = false;

  /**
   * `onBuilt`: a new version of a catalog is served (the caller rebuilds what is answered and sends NOTIFY),
   * listing `added` for the first time (their own NOTIFY goes out after the catalog's).
   */
  constructor(log: Logger, histories: ZoneHistories, onBuilt: (old: Zone | undefined, zone: Zone, added: readonly Name[]) => void, beforeServe: (zone: Zone) => Promise<void> = async () => {}) {
    this.#log = log;
    this.#histories = histories;
    this.#onBuilt = onBuilt;
    this.#beforeServe = beforeServe;
  }

  /** The catalog versions served. */
  zones(): Zone[] {
    const out: Zone[] = [];
    for (const c of this.#catalogs.values()) if (c.zone !== null) out.push(c.zone);
    return out;
  }

  /** Catalogs configured and not built yet (answered SERVFAIL meanwhile). */
  loading(): Name[] {
    const out: Name[] = [];
    for (const c of this.#catalogs.values()) if (c.zone === null) out.push(c.origin);
    return out;
  }

  /** Takes the catalogs of `config` (a catalog no longer listed stops being served; its history stays). */
  configure(config: Config): void {
    this.#config = config;
    const listed = new Set<string>();
    for (const z of config.zones) {
      if (z.type !== 'catalog') continue;
      const origin = Name.fromText(z.name.endsWith('.') ? z.name : `${z.name}.`);
      listed.add(origin.key);
      const c = this.#catalogs.get(origin.key);
      if (c !== undefined) c.settings = z;
      else {
        this.#catalogs.set(origin.key, {
          settings: z, origin, ids: null, zone: null, digest: null, listed: new Map(), wanted: new Map(), timer: null, builtAt: -Infinity, changedAt: null, loading: 0, building: Promise.resolve(),
        });
      }
    }
    for (const [key, c] of [...this.#catalogs]) {
      if (listed.has(key)) continue;
      if (c.timer !== null) clearTimeout(c.timer);
      this.#catalogs.delete(key);
      this.#log.info({ zone: c.origin.toText() }, 'catalog zone removed');
    }
  }

  /** The zones have loaded at startup: catalogs are built from now on. */
  ready(served: readonly Zone[]): void {
    this.#ready = true;
    this.served(served, []);
  }

  /**
   * What is served changed: each catalog lists the zones served whose
   * `catalog` names it (see GATHER_MS and MIN_INTERVAL_MS for when).
   * `loading`: zones loading for the first time, which a version waits
   * for (a rename's new name, say).
   */
  served(zones: readonly Zone[], loading: readonly Name[]): void {
    const config = this.#config;
    if (!this.#ready || this.#stopped || config === null || this.#catalogs.size === 0) return;
    const settings = this.#members(config);
    const wanted = new Map<string, Map<string, Wanted>>();
    for (const c of this.#catalogs.keys()) wanted.set(c, new Map());
    for (const zone of zones) {
      const z = settings.get(zone.origin.key);
      if (z === undefined || z.catalog === null) continue;
      wanted.get(zoneNameKey(z.catalog))?.set(zone.origin.key, { name: zone.origin, groups: z.catalogGroups });
    }
    const pending = new Map<string, number>();
    for (const n of loading) {
      const z = settings.get(n.key);
      if (z !== undefined && z.catalog !== null) pending.set(zoneNameKey(z.catalog), (pending.get(zoneNameKey(z.catalog)) ?? 0) + 1);
    }
    for (const [key, c] of this.#catalogs) {
      c.wanted = wanted.get(key)!;
      c.loading = pending.get(key) ?? 0;
      if (c.zone === null || !sameMembers(c.listed, c.wanted)) this.#schedule(c);
    }
  }

  /** The zones of `config` that name a catalog, by key (worked out once per configuration). */
  #members(config: Config): Map<string, ZoneSettings> {
    if (this.#membersOf?.config === config) return this.#membersOf.settings;
    const settings = new Map<string, ZoneSettings>();
    for (const z of config.zones) if (z.catalog !== null) settings.set(zoneNameKey(z.name), z);
    this.#membersOf = { config, settings };
    return settings;
  }

  stop(): void {
    this.#stopped = true;
    for (const c of this.#catalogs.values()) if (c.timer !== null) clearTimeout(c.timer);
  }

  #schedule(c: Catalog): void {
    if (c.timer !== null) return;
    const now = performance.now();
    c.changedAt ??= now;
    // The first version at once; later ones GATHER_MS after the change, and MIN_INTERVAL_MS after the one before.
    const at = c.zone === null ? now : Math.max(c.changedAt + GATHER_MS, c.builtAt + MIN_INTERVAL_MS);
    c.timer = setTimeout(() => {
      c.timer = null;
      // A zone of this catalog still loading for the first time (a rename's new name) joins this version, if soon enough.
      if (c.zone !== null && c.loading > 0 && performance.now() - c.changedAt! < MAX_HOLD_MS) {
        c.timer = setTimeout(() => {
          c.timer = null;
          this.#schedule(c);
        }, GATHER_MS / 2);
        return;
      }
      c.building = c.building.then(() => this.#build(c)).catch((err: unknown) => {
        this.#log.error({ zone: c.origin.toText(), err }, `catalog zone not updated: ${(err as Error).message}`);
      });
    }, Math.max(0, at - now));
  }

  async #build(c: Catalog): Promise<void> {
    const config = this.#config;
    if (config === null || this.#stopped || this.#catalogs.get(c.origin.key) !== c) return;
    if (c.zone !== null && sameMembers(c.listed, c.wanted)) {
      c.changedAt = null;
      return;
    }
    const history = this.#histories.of(config, c.settings);
    const idsFile = history.paths.state.replace(/\.served\.json$/, '') + '.members.json';
    const ids = (c.ids ??= this.#readIds(c, idsFile));
    // Members by key: those listed now keep their IDs; removed ones give theirs up; new ones get one.
    const next = new Map<string, CatalogMember>();
    // (At the first build, those the file lists that are not served now are gone from the catalog too.)
    for (const m of ids.members()) if (!c.wanted.has(m.name.key)) ids.remove(m.name);
    for (const [key, w] of c.wanted) next.set(key, { name: w.name, id: ids.add(w.name), groups: w.groups });
    // The IDs are durable before a version listing them is served.
    await writeFileAtomic(idsFile, [JSON.stringify(ids.toJSON(), null, 1) + '\n']).catch((err: unknown) => {
      throw new StorageError('STORAGE_UNWRITABLE', idsFile, `catalog member IDs cannot be written (${(err as NodeJS.ErrnoException).code ?? String(err)})`, { cause: err });
    });
    const old = c.zone;
    let zone: Zone;
    let diff: ZoneDiff | null = null;
    let digest: ContentDigest;
    let serial: number;
    if (old === null) {
      zone = buildCatalogZone(c.origin, 0, [...next.values()]);
      digest = ContentDigest.ofZone(zone);
      const recalled = history.recall();
      const same = recalled.digest !== null && recalled.digest.equals(digest);
      serial = same ? recalled.serial! : decideSerial('unixtime', 1, recalled.serial, true, new Date()).serial;
      zone.setSerialBeforeServing(serial);
      if (!same) await history.record(zone, digest, serial, null);
    } else {
      serial = decideSerial('unixtime', 1, old.serial, true, new Date()).serial;
      const removed: ResourceRecord[] = [];
      const added: ResourceRecord[] = [];
      changedRecords(c.origin, c.listed, next, removed, added);
      const oldSoa = { name: c.origin, type: old.soa.type, class: old.soa.class, ttl: old.soa.ttl, rdata: old.soa.rdatas[0]! };
      const soa = catalogSoa(c.origin, serial);
      const built = await runStepsInSlices(updateZoneSteps(old, { soa, removed, added }), SLICE_MS);
      if (built === null || built.zone === null) throw new Error(`the change does not apply (${built?.errors.map((d) => d.message).join('; ') ?? 'a record to remove is missing'})`);
      zone = built.zone;
      diff = { fromSerial: old.serial, toSerial: serial, removed: [oldSoa, ...removed], added: [soa, ...added] };
      digest = c.digest!.clone().update(diff.removed, diff.added);
      await history.record(zone, digest, serial, diff);
    }
    await this.#beforeServe(zone);
    // Removed from the configuration while it was built and recorded: not served.
    if (this.#stopped || this.#catalogs.get(c.origin.key) !== c) return;
    const newMembers = old === null ? [] : [...next.values()].filter((m) => !c.listed.has(m.name.key)).map((m) => m.name);
    const counts = diff === null ? { members: next.size } : { members: next.size, added: added(diff), removed: removedCount(diff) };
    c.zone = zone;
    c.digest = digest;
    c.listed = next;
    c.builtAt = performance.now();
    c.changedAt = null;
    this.#log.info({ zone: c.origin.toText(), serial, ...counts }, old === null ? 'catalog zone built' : 'catalog zone updated');
    this.#onBuilt(old ?? undefined, zone, newMembers);
    // Changes that came while this one was built: the next version.
    if (!sameMembers(c.listed, c.wanted)) this.#schedule(c);
  }

  /** The IDs from their file; a missing file is none yet, a damaged one is logged and set aside (the IDs of zones never removed come back the same). */
  #readIds(c: Catalog, file: string): MemberIds {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.#log.error({ zone: c.origin.toText(), file, err }, `catalog member IDs cannot be read; starting from the IDs their names give`);
      return new MemberIds();
    }
    try {
      return MemberIds.fromJSON(JSON.parse(text) as unknown);
    } catch (err) {
      const e = err instanceof CatalogStateError ? err : new CatalogStateError('CATALOG_STATE_CORRUPT', `not valid JSON (${(err as Error).message})`, { cause: err });
      const movedTo = setAsideDamaged(file);
      this.#log.error({ zone: c.origin.toText(), file, movedTo, err: e }, `catalog member IDs are damaged (${e.message}); set aside, starting from the IDs their names give`);
      return new MemberIds();
    }
  }
}

/** True when both list the same names with the same groups. */
function sameMembers(listed: ReadonlyMap<string, CatalogMember>, wanted: ReadonlyMap<string, Wanted>): boolean {
  if (listed.size !== wanted.size) return false;
  for (const [key, w] of wanted) {
    const m = listed.get(key);
    if (m === undefined || !sameGroups(m.groups, w.groups)) return false;
  }
  return true;
}

function sameGroups(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((g, i) => g === b[i]);
}

/** The records that go and come between two member lists (a member whose groups changed keeps its PTR). */
function changedRecords(origin: Name, before: ReadonlyMap<string, CatalogMember>, after: ReadonlyMap<string, CatalogMember>, removed: ResourceRecord[], added: ResourceRecord[]): void {
  for (const [key, m] of before) {
    const n = after.get(key);
    // Most members stay as they were: their records are not made again to be compared.
    if (n !== undefined && n.id === m.id && sameGroups(m.groups, n.groups) && bytesEqual(m.name.wire, n.name.wire)) continue;
    const gone = catalogMemberRecords(origin, m);
    if (n === undefined) {
      removed.push(...gone);
      continue;
    }
    const come = catalogMemberRecords(origin, n);
    const keep = new Set(come.map(recordKey));
    const had = new Set(gone.map(recordKey));
    removed.push(...gone.filter((rr) => !keep.has(recordKey(rr))));
    added.push(...come.filter((rr) => !had.has(recordKey(rr))));
  }
  for (const [key, m] of after) if (!before.has(key)) added.push(...catalogMemberRecords(origin, m));
}

function added(d: ZoneDiff): number {
  return d.added.length - 1;
}

function removedCount(d: ZoneDiff): number {
  return d.removed.length - 1;
}

