/**
 * Catalog zones on the secondary (issue 14 §3, RFC 9432 §5): a secondary
 * zone with `members:` is read as a catalog each time its data changes,
 * and each member becomes a secondary zone with the `members:` settings
 * (per group where its group has some).
 *
 * - Membership is compared by (ID, name) (src/catalog/membership-changes.ts):
 *   a new name is added, a name gone is removed (its copy moved aside, as
 *   for any secondary zone that leaves the configuration), the same name
 *   under a new ID is reset (its copy dropped, then AXFR, RFC 9432 §5.4).
 *   Never is everything removed and added back.
 * - A broken catalog (src/catalog/read-catalog.ts) is still served as a
 *   zone, but not processed: the last valid membership stays, and the
 *   reason is logged (once while it stays). An expired catalog is not
 *   processed either; a failed transfer is no new data.
 * - A member whose name is a zone of the configuration, or of another
 *   catalog, is ignored with an error; `coo` (RFC 9432 §5.6) moves a member
 *   from another catalog only when the old one carries the `coo` naming
 *   this one and this one lists it.
 * - A change that would remove more than `max-removals` members at once,
 *   or every member of several, is held (logged at error level) until
 *   SIGHUP; its additions go ahead.
 * - The last valid membership is saved (atomically) beside the catalog's
 *   copy, `<file>.members.json`; at startup the members are served from
 *   their saved copies before the catalog is read again, even when its
 *   own copy is broken.
 */
import { readFileSync } from 'node:fs';
import { membershipChanges, readCatalog, type CatalogEntry } from '../catalog/index.js';
import { zoneNameKey, type CatalogMembersSettings, type Config, type ZoneSettings } from '../config/index.js';
import type { Logger } from '../log/logger.js';
import { Name } from '../wire/index.js';
import type { Zone } from '../zone/index.js';
import { writeFileAtomic } from '../xfr/atomic-file.js';
import { zoneFileName } from './zone-file-name.js';

/** What the consumer needs to know of a secondary zone's data. */
export interface SecondaryData {
  zone: Zone | null;
  expired: boolean;
}

/** One member as applied: what the catalog says of it, and its zone's settings. */
interface Member {
  entry: CatalogEntry;
  zone: ZoneSettings;
}

interface Consumed {
  settings: ZoneSettings & { members: CatalogMembersSettings };
  origin: Name;
  stateFile: string;
  /** The membership applied, by member key. */
  members: Map<string, Member>;
  /** The catalog data last processed (or found broken). */
  processed: Zone | null;
  /** The reason the catalog was last found broken, as logged, with its serial and when; null when it was valid. */
  problem: CatalogProblem | null;
  /** The removals held, as logged. */
  held: string | null;
  /** Members ignored (clashes), with the reason logged. */
  ignored: Map<string, string>;
}

/** Why a consumed catalog is not processed (RFC 9432 §4.2, §4.3, §4.4.1, §5.1): the last valid membership stays. */
export interface CatalogProblem {
  reason: string;
  /** The serial of the broken version. */
  serial: number;
  /** When it was first found broken for this reason (ISO 8601). */
  since: string;
}

/**
 * The saved membership of one catalog, and the catalog's state: `problem`
 * says why the version served is not processed (null: it was).
 */
interface SavedMembership {
  format: 'tyne-catalog-members-1';
  catalog: string;
  problem?: CatalogProblem | null;
  members: { id: string; name: string; groups: string[]; coo: string | null }[];
}

export class CatalogConsumer {
  readonly #log: Logger;
  #catalogs = new Map<string, Consumed>();
  /** Keys of the zones the configuration lists itself (members never replace them). */
  #configured = new Set<string>();
  /** Members to be dropped (copy moved aside) before they are added again (reset). */
  #resets = new Set<string>();
  /** One save at a time per catalog. */
  readonly #saving = new Map<string, Promise<void>>();

  constructor(log: Logger) {
    this.#log = log;
  }

  /**
   * Takes the catalogs of `config` (secondary zones with `members:`). A
   * catalog seen for the first time starts from its saved membership, so
   * its members are served from their saved copies at once. Members take
   * the catalog's current settings.
   */
  configure(config: Config): void {
    this.#configured = new Set(config.zones.map((z) => zoneNameKey(z.name)));
    const next = new Map<string, Consumed>();
    for (const z of config.zones) {
      if (z.type !== 'secondary' || z.members === null) continue;
      const origin = Name.fromText(z.name.endsWith('.') ? z.name : `${z.name}.`);
      const settings = z as Consumed['settings'];
      const old = this.#catalogs.get(origin.key);
      const c: Consumed = old ?? { settings, origin, stateFile: `${z.file}.members.json`, members: new Map(), processed: null, problem: null, held: null, ignored: new Map() };
      const same = old !== undefined && old.settings === settings;
      c.settings = settings;
      c.stateFile = `${z.file}.members.json`;
      if (old === undefined) for (const e of this.#readSaved(c)) c.members.set(e.name.key, { entry: e, zone: memberZone(settings, e) });
      // New settings (a reloaded configuration): every member takes them. The same ones: nothing to redo.
      else if (!same) for (const m of c.members.values()) m.zone = memberZone(settings, m.entry);
      next.set(origin.key, c);
    }
    for (const [key, c] of this.#catalogs) {
      if (!next.has(key)) this.#log.info({ zone: c.origin.toText(), members: c.members.size }, 'catalog no longer consumed: its members are removed');
    }
    this.#catalogs = next;
  }

  /** Every member's zone settings (a member being reset is left out while `withoutResets`). */
  zones(opts: { withoutResets?: boolean } = {}): ZoneSettings[] {
    const out: ZoneSettings[] = [];
    for (const c of this.#catalogs.values()) {
      for (const [key, m] of c.members) if (!(opts.withoutResets === true && this.#resets.has(key)) && !this.#configured.has(key)) out.push(m.zone);
    }
    return out;
  }

  /** True when members are waiting to be reset (configure the zones without them, then with them). */
  get resetting(): boolean {
    return this.#resets.size > 0;
  }

  /** The resets have been applied. */
  resetsDone(): void {
    this.#resets.clear();
  }

  /** Why the consumed catalog `origin` is not processed now (its served version is broken); null when it is (or is not consumed). */
  problem(origin: Name): CatalogProblem | null {
    return this.#catalogs.get(origin.key)?.problem ?? null;
  }

  /** The catalogs whose guard holds member removals back, for the control socket. */
  holds(): { catalog: string; zones: number }[] {
    return [...this.#catalogs.values()].filter((c) => c.held !== null).map((c) => ({ catalog: c.origin.toText(), zones: c.held!.split(',').length }));
  }

  /** The settings of the catalogs consumed (secondary zones with `members:`). */
  catalogs(): ZoneSettings[] {
    return [...this.#catalogs.values()].map((c) => c.settings);
  }

  /**
   * Reads each catalog whose data changed since it was last processed
   * (`force`, at SIGHUP: each one, and held removals are applied).
   * Returns true when a membership changed (the caller configures the
   * zones anew: `zones()`, resets first).
   */
  check(data: (origin: Name) => SecondaryData | undefined, opts: { force?: boolean; only?: Name } = {}): boolean {
    let changed = false;
    for (const c of this.#catalogs.values()) {
      // `tyne release CATALOG`: that catalog alone.
      if (opts.only !== undefined && c.origin.key !== opts.only.key) continue;
      const d = data(c.origin);
      if (d === undefined || d.zone === null) continue;
      if (d.zone === c.processed && opts.force !== true) continue;
      if (d.expired) {
        // An expired catalog is not processed: members live by their own timers.
        if (c.processed !== d.zone) this.#log.warn({ zone: c.origin.toText() }, 'catalog expired: not processed; its members keep their own timers');
        c.processed = d.zone;
        continue;
      }
      c.processed = d.zone;
      changed = this.#process(c, d.zone, opts.force === true) || changed;
    }
    return changed;
  }

  #process(c: Consumed, zone: Zone, force: boolean): boolean {
    const catalog = c.origin.toText();
    const reading = readCatalog(zone);
    if (!reading.ok) {
      if (c.problem?.reason !== reading.reason) {
        c.problem = { reason: reading.reason, serial: zone.serial, since: new Date().toISOString() };
        this.#log.error({ zone: catalog, serial: zone.serial, reason: reading.reason, members: c.members.size }, `catalog ${catalog} (serial ${zone.serial}) is broken, not processed: ${reading.reason}; the last valid membership (${c.members.size} members) stays`);
        // The catalog's state says so too (its saved membership, unchanged).
        this.#save(c);
      }
      return false;
    }
    const wasBroken = c.problem !== null;
    if (wasBroken) this.#log.info({ zone: catalog, serial: zone.serial }, 'catalog valid again: processed');
    c.problem = null;
    const wanted = this.#admitted(c, reading.members);
    const before = [...c.members.values()].map((m) => m.entry);
    const ch = membershipChanges(before, wanted);
    const limit = Math.max(Math.floor(c.settings.members.maxRemovals.share * c.members.size), c.settings.members.maxRemovals.atLeast);
    const emptied = wanted.length === 0 && c.members.size > 1;
    const hold = !force && (ch.removed.length > limit || (emptied && ch.removed.length > 0));
    if (hold) {
      const key = ch.removed.map((e) => e.name.key).sort().join(',');
      if (c.held !== key) {
        c.held = key;
        this.#log.error(
          { zone: catalog, serial: zone.serial, removed: ch.removed.length, members: c.members.size, limit, zones: ch.removed.slice(0, 20).map((e) => e.name.toText()) },
          `catalog ${catalog} would remove ${ch.removed.length} of ${c.members.size} members at once (${emptied ? 'all of them' : `more than max-removals, ${limit}`}); they keep serving; send SIGHUP to remove them`,
        );
      }
    } else {
      if (c.held !== null && force) this.#log.warn({ zone: catalog, removed: ch.removed.length }, 'held catalog removals applied (SIGHUP)');
      c.held = null;
      for (const e of ch.removed) c.members.delete(e.name.key);
    }
    for (const e of ch.added) c.members.set(e.name.key, { entry: e, zone: memberZone(c.settings, e) });
    for (const { after } of ch.reset) {
      c.members.set(after.name.key, { entry: after, zone: memberZone(c.settings, after) });
      this.#resets.add(after.name.key);
    }
    for (const e of ch.changed) c.members.set(e.name.key, { entry: e, zone: memberZone(c.settings, e) });
    const applied = { added: ch.added.length, removed: hold ? 0 : ch.removed.length, reset: ch.reset.length, changed: ch.changed.length };
    if (applied.added + applied.removed + applied.reset + applied.changed === 0) {
      if (wasBroken) this.#save(c);
      return false;
    }
    this.#log.info({ zone: catalog, serial: zone.serial, ...applied, members: c.members.size }, 'catalog processed');
    for (const { after } of ch.reset) this.#log.info({ zone: after.name.toText(), catalog, id: after.id }, 'catalog member reset (a new ID): its copy is dropped and it is transferred afresh');
    this.#save(c);
    return true;
  }

  /**
   * The catalog's members that may be this catalog's: not a zone of the
   * configuration, not another catalog's (unless that one hands it over
   * with a `coo` naming this catalog, RFC 9432 §5.6). Each one ignored is
   * logged once while it stays.
   */
  #admitted(c: Consumed, entries: readonly CatalogEntry[]): CatalogEntry[] {
    const out: CatalogEntry[] = [];
    const ignored = new Map<string, string>();
    for (const e of entries) {
      const key = e.name.key;
      if (this.#configured.has(key)) {
        ignored.set(key, `member ${e.name.toText()} is a zone of the configuration, which keeps it`);
        continue;
      }
      const other = [...this.#catalogs.values()].find((o) => o !== c && o.members.has(key));
      if (other !== undefined) {
        const coo = other.members.get(key)!.entry.coo;
        if (coo !== null && coo.key === c.origin.key) {
          // Handed over: it leaves the old catalog without its copy being moved aside (it stays configured, here).
          other.members.delete(key);
          this.#save(other);
          this.#log.info({ zone: e.name.toText(), catalog: c.origin.toText(), previousCatalog: other.origin.toText() }, 'catalog member moved (coo)');
        } else {
          ignored.set(key, `member ${e.name.toText()} is a member of catalog ${other.origin.toText()}, which keeps it (a move needs a coo there naming ${c.origin.toText()})`);
          continue;
        }
      }
      out.push(e);
    }
    for (const e of entries) {
      const why = ignored.get(e.name.key);
      if (why !== undefined && c.ignored.get(e.name.key) !== why) this.#log.error({ zone: c.origin.toText(), member: e.name.toText(), reason: why }, `catalog ${c.origin.toText()}: ${why}`);
    }
    c.ignored = ignored;
    return out;
  }

  /** Saves the membership (atomically, one save at a time). */
  #save(c: Consumed): void {
    const saved: SavedMembership = {
      format: 'tyne-catalog-members-1',
      catalog: c.origin.toText(),
      problem: c.problem,
      members: [...c.members.values()].map(({ entry: e }) => ({ id: e.id, name: e.name.toText(), groups: e.groups, coo: e.coo === null ? null : e.coo.toText() })),
    };
    const text = JSON.stringify(saved, null, 1) + '\n';
    const prev = this.#saving.get(c.stateFile) ?? Promise.resolve();
    const next = prev.then(() => writeFileAtomic(c.stateFile, [text])).catch((err: unknown) => {
      this.#log.error({ zone: c.origin.toText(), file: c.stateFile, err }, `catalog membership cannot be saved (${(err as NodeJS.ErrnoException).code ?? String(err)}): a restart starts from the membership saved before`);
    });
    this.#saving.set(c.stateFile, next);
  }

  /** The membership saved last (none when there is no file; a damaged one is logged and taken as none). */
  #readSaved(c: Consumed): CatalogEntry[] {
    let text: string;
    try {
      text = readFileSync(c.stateFile, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.#log.error({ zone: c.origin.toText(), file: c.stateFile, err }, 'catalog membership cannot be read: starting from the catalog');
      return [];
    }
    try {
      const s = JSON.parse(text) as SavedMembership;
      if (s.format !== 'tyne-catalog-members-1' || !Array.isArray(s.members)) throw new Error('not a saved catalog membership');
      const out = s.members.map((m) => ({
        id: String(m.id),
        name: Name.fromText(String(m.name)),
        groups: Array.isArray(m.groups) ? m.groups.map(String) : [],
        coo: m.coo === null || m.coo === undefined ? null : Name.fromText(String(m.coo)),
      }));
      this.#log.info({ zone: c.origin.toText(), members: out.length }, 'catalog membership read from its saved state: members are served from their saved copies');
      return out;
    } catch (err) {
      this.#log.error({ zone: c.origin.toText(), file: c.stateFile, err }, `catalog membership saved is damaged (${(err as Error).message}): starting from the catalog`);
      return [];
    }
  }
}

/** The secondary zone of member `e` of catalog `c`: the `members:` settings, over them its first group's that has some. */
function memberZone(c: ZoneSettings & { members: CatalogMembersSettings }, e: CatalogEntry): ZoneSettings {
  const m = c.members;
  const g = e.groups.map((name) => m.groups.get(name)).find((x) => x !== undefined);
  const name = e.name.toText();
  return {
    name,
    type: 'secondary',
    file: m.file.replace('%s', zoneFileName(name)),
    notify: [],
    allowTransfer: g?.allowTransfer ?? m.allowTransfer,
    primaries: g?.primaries ?? m.primaries ?? c.primaries,
    allowNotify: g?.allowNotify ?? m.allowNotify,
    serialPolicy: c.serialPolicy,
    limits: c.limits,
    includeConfine: false,
    catalog: null,
    catalogGroups: [],
    members: null,
    directory: null,
    line: c.line,
  };
}

