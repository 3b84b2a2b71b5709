import { Name, equalIgnoringCase } from '../wire/index.js';
import { hashWireName, type Zone } from '../zone/index.js';

/**
 * The zones a server answers for, found by a query name's wire octets.
 * RFC 1034 §4.3.2 step 2: the zone is the nearest ancestor of the name that
 * we host, so a hosted child zone (eu.example.com) answers for its names
 * rather than its hosted parent (example.com). Immutable: a reload builds a
 * new set (from the one it replaces, so only what changed costs) and swaps
 * it in whole.
 */
export class ZoneSet {
  readonly #byHash: Map<number, Entry[]>;
  /** Every entry by its origin's key (the zones, then the unavailable names no zone has). */
  readonly #byKey = new Map<string, Entry>();
  readonly #zones: Zone[];
  readonly #unavailable: Name[];
  /** Label count of the deepest apex: names are never searched deeper than this. */
  readonly #maxLabels: number;
  /** Zones answered only to clients their allow-transfer admits (catalog zones, RFC 9432 §7). */
  readonly #restricted: ReadonlySet<Zone>;

  /**
   * `unavailable`: zones we are configured for but have no data for (a
   * secondary that has expired or never loaded): their names get SERVFAIL,
   * as BIND gives, not REFUSED or a parent zone's answer.
   *
   * `previous`: the set this one replaces. Its index is taken over and
   * only what changed is rebuilt (thousands of zones, each change one or
   * two of them: a copy of the index rather than a rehash of every zone).
   * The previous set is left as it was.
   */
  constructor(zones: Iterable<Zone>, unavailable: Iterable<Name> = [], restricted: Iterable<Zone> = [], previous?: ZoneSet) {
    this.#zones = [...zones];
    this.#restricted = new Set(restricted);
    this.#unavailable = [...unavailable];
    const before = previous === undefined ? undefined : previous.#byKey;
    const entry = (origin: Name, zone: Zone | null): void => {
      const key = origin.key;
      if (this.#byKey.has(key)) return;
      const had = before?.get(key);
      // The same zone (or the same name still unavailable): the entry, and its place in the index, are kept.
      if (had !== undefined && had.zone === zone) this.#byKey.set(key, had);
      else this.#byKey.set(key, { origin, zone, hash: hashWireName(origin.wire, 0, origin.wire.length) });
    };
    // A zone wins over an unavailable name of the same key.
    for (const z of this.#zones) entry(z.origin, z);
    for (const n of this.#unavailable) entry(n, null);
    this.#byHash = previous === undefined ? new Map() : this.#changedIndex(previous);
    if (previous === undefined) for (const e of this.#byKey.values()) addTo(this.#byHash, e);
    let max = 0;
    for (const e of this.#byKey.values()) if (e.origin.offsets.length > max) max = e.origin.offsets.length;
    this.#maxLabels = max;
  }

  /** The index of `previous` with the entries gone from this set taken out and the new ones put in (a fresh index when most changed). */
  #changedIndex(previous: ZoneSet): Map<number, Entry[]> {
    const gone: Entry[] = [];
    const come: Entry[] = [];
    for (const [key, e] of previous.#byKey) if (this.#byKey.get(key) !== e) gone.push(e);
    for (const [key, e] of this.#byKey) if (previous.#byKey.get(key) !== e) come.push(e);
    const index = new Map<number, Entry[]>();
    if (gone.length + come.length > this.#byKey.size / 4) {
      for (const e of this.#byKey.values()) addTo(index, e);
      return index;
    }
    for (const [h, list] of previous.#byHash) index.set(h, list);
    // Buckets are shared with the previous set: a changed one is copied, never edited in place.
    for (const e of gone) {
      const list = index.get(e.hash)!.filter((x) => x !== e);
      if (list.length === 0) index.delete(e.hash);
      else index.set(e.hash, list);
    }
    for (const e of come) {
      const list = index.get(e.hash);
      index.set(e.hash, list === undefined ? [e] : [...list, e]);
    }
    return index;
  }

  /** True when some zone is answered only to the clients its allow-transfer admits. */
  get hasRestricted(): boolean {
    return this.#restricted.size > 0;
  }

  /** True for a zone answered only to the clients its allow-transfer admits (RFC 9432 §7: a catalog zone). */
  isRestricted(zone: Zone): boolean {
    return this.#restricted.has(zone);
  }

  /** Zones configured but without data (answered with SERVFAIL). */
  unavailable(): readonly Name[] {
    return this.#unavailable;
  }

  get size(): number {
    return this.#zones.length;
  }

  /** Every zone, in the order given. */
  zones(): readonly Zone[] {
    return this.#zones;
  }

  /** The hosted zone named `name` (any case), if any (null: configured but unavailable). */
  get(name: Name): Zone | null | undefined {
    return this.#exact(name.wire, 0, name.wire.length);
  }

  /**
   * The most specific hosted zone holding the uncompressed wire name
   * `wire[start, end)`. With `parentSide`, a name that is itself a hosted
   * apex is looked up in the next zone up when we host one (RFC 4035 §3.1.4.1:
   * DS lives on the parent side of a cut); else in its own zone. Null when
   * the most specific zone is configured but unavailable.
   */
  find(wire: Uint8Array, start: number, end: number, parentSide = false): Zone | null | undefined {
    // Label starts, leftmost first; a name has at most 127 labels.
    let count = 0;
    for (let p = start; wire[p] !== 0; p += wire[p]! + 1) count++;
    let skipped: Zone | null | undefined;
    for (let p = start, labels = count; ; p += wire[p]! + 1, labels--) {
      if (labels <= this.#maxLabels) {
        const z = this.#exact(wire, p, end);
        if (z !== undefined) {
          if (!(parentSide && p === start)) return z;
          skipped = z;
        }
      }
      if (wire[p] === 0) return skipped;
    }
  }

  #exact(wire: Uint8Array, start: number, end: number): Zone | null | undefined {
    const list = this.#byHash.get(hashWireName(wire, start, end));
    if (list === undefined) return undefined;
    for (const e of list) if (sameNameIgnoringCase(e.origin.wire, wire, start, end)) return e.zone;
    return undefined;
  }
}

interface Entry {
  readonly origin: Name;
  readonly zone: Zone | null;
  /** hashWireName of the origin. */
  readonly hash: number;
}

function addTo(index: Map<number, Entry[]>, e: Entry): void {
  const list = index.get(e.hash);
  if (list === undefined) index.set(e.hash, [e]);
  else list.push(e);
}

function sameNameIgnoringCase(a: Uint8Array, b: Uint8Array, start: number, end: number): boolean {
  if (a.length !== end - start) return false;
  return equalIgnoringCase(a, 0, b, start, a.length);
}
