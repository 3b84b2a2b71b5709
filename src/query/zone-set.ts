import { Name, equalIgnoringCase } from '../wire/index.js';
import { hashWireName, type Zone } from '../zone/index.js';

/**
 * The zones a server answers for, found by a query name's wire octets.
 * RFC 1034 §4.3.2 step 2: the zone is the nearest ancestor of the name that
 * we host, so a hosted child zone (eu.example.com) answers for its names
 * rather than its hosted parent (example.com). Immutable: a reload builds a
 * new set and swaps it in whole.
 */
export class ZoneSet {
  readonly #byHash = new Map<number, Entry[]>();
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
   */
  constructor(zones: Iterable<Zone>, unavailable: Iterable<Name> = [], restricted: Iterable<Zone> = []) {
    this.#zones = [...zones];
    this.#restricted = new Set(restricted);
    this.#unavailable = [...unavailable];
    let max = 0;
    const add = (origin: Name, zone: Zone | null): void => {
      const w = origin.wire;
      const h = hashWireName(w, 0, w.length);
      const list = this.#byHash.get(h);
      const e = { origin, zone };
      if (list === undefined) this.#byHash.set(h, [e]);
      else list.push(e);
      max = Math.max(max, origin.offsets.length);
    };
    for (const z of this.#zones) add(z.origin, z);
    for (const n of this.#unavailable) if (this.#exact(n.wire, 0, n.wire.length) === undefined) add(n, null);
    this.#maxLabels = max;
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
  origin: Name;
  zone: Zone | null;
}

function sameNameIgnoringCase(a: Uint8Array, b: Uint8Array, start: number, end: number): boolean {
  if (a.length !== end - start) return false;
  return equalIgnoringCase(a, 0, b, start, a.length);
}
