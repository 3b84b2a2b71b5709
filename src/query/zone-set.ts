import { Name } from '../wire/index.js';
import { hashWireName, type Zone } from '../zone/index.js';

/**
 * The zones a server answers for, found by a query name's wire octets.
 * RFC 1034 §4.3.2 step 2: the zone is the nearest ancestor of the name that
 * we host, so a hosted child zone (eu.example.com) answers for its names
 * rather than its hosted parent (example.com). Immutable: a reload builds a
 * new set and swaps it in whole.
 */
export class ZoneSet {
  readonly #byHash = new Map<number, Zone[]>();
  readonly #zones: Zone[];
  /** Label count of the deepest apex: names are never searched deeper than this. */
  readonly #maxLabels: number;

  constructor(zones: Iterable<Zone>) {
    this.#zones = [...zones];
    let max = 0;
    for (const z of this.#zones) {
      const w = z.origin.wire;
      const h = hashWireName(w, 0, w.length);
      const list = this.#byHash.get(h);
      if (list === undefined) this.#byHash.set(h, [z]);
      else list.push(z);
      max = Math.max(max, z.origin.offsets.length);
    }
    this.#maxLabels = max;
  }

  get size(): number {
    return this.#zones.length;
  }

  /** Every zone, in the order given. */
  zones(): readonly Zone[] {
    return this.#zones;
  }

  /** The hosted zone named `name` (any case), if any. */
  get(name: Name): Zone | undefined {
    return this.#exact(name.wire, 0, name.wire.length);
  }

  /**
   * The most specific hosted zone holding the uncompressed wire name
   * `wire[start, end)`. With `parentSide`, a name that is itself a hosted
   * apex is looked up in the next zone up when we host one (RFC 4035 §3.1.4.1:
   * DS lives on the parent side of a cut); else in its own zone.
   */
  find(wire: Uint8Array, start: number, end: number, parentSide = false): Zone | undefined {
    // Label starts, leftmost first; a name has at most 127 labels.
    let count = 0;
    for (let p = start; wire[p] !== 0; p += wire[p]! + 1) count++;
    let skipped: Zone | undefined;
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

  #exact(wire: Uint8Array, start: number, end: number): Zone | undefined {
    const list = this.#byHash.get(hashWireName(wire, start, end));
    if (list === undefined) return undefined;
    for (const z of list) if (sameNameIgnoringCase(z.origin.wire, wire, start, end)) return z;
    return undefined;
  }
}

function sameNameIgnoringCase(a: Uint8Array, b: Uint8Array, start: number, end: number): boolean {
  if (a.length !== end - start) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[start + i]!;
    if (x !== y && (x | 0x20) !== (y | 0x20)) return false;
    if (x !== y && !((x | 0x20) >= 0x61 && (x | 0x20) <= 0x7a)) return false;
  }
  return true;
}
