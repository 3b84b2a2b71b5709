import { lowerByte } from '../wire/index.js';
import { ZoneUsageError } from './zone-usage-error.js';
import type { ZoneNodeImpl } from './zone-node.js';
import { NodeList } from './node-list.js';
import type { NodeStore } from './node-store.js';

/** A free slot (slots hold 1 + the node's index, so a new, zeroed table is all free). */
const EMPTY = 0;
/**
 * Old slots moved at each insertion while the table grows. A growth
 * starts with n nodes in 2n old slots, and the next one at 2n nodes: the
 * move is done after n/4 insertions at most.
 */
const MOVE_PER_INSERT = 8;
/** Slots of a new table not sized for an expected count. */
const MIN_SLOTS = 16;

/** Entries copied between two pauses of NodeTable.copySteps (a power of two, less one). */
const COPY_STEP = (1 << 16) - 1;

/** FNV-1a over the key's characters (latin1 octets), as a signed 32-bit number. */
export function hashKey(key: string): number {
  let h = 0x811c9dc5 | 0;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return h;
}

/** The same hash over the uncompressed wire name in `wire[start, end)`, lowercased on the way: equal to `hashKey(name.key)`. */
export function hashWireName(wire: Uint8Array, start = 0, end = wire.length): number {
  let h = 0x811c9dc5 | 0;
  for (let i = start; i < end; i++) h = Math.imul(h ^ lowerByte(wire[i]!), 0x01000193);
  return h;
}

/** True when the node's owner, lowercased, is `key`. */
function nodeHasKey(node: ZoneNodeImpl, key: string): boolean {
  const c = node.chunk;
  const start = node.start;
  if (key.length !== node.end - start) return false;
  for (let i = 0; i < key.length; i++) {
    if (key.charCodeAt(i) !== lowerByte(c[start + i]!)) return false;
  }
  return true;
}

/** True when the node's owner equals `wire[start, end)`, letter case aside. */
function nodeHasWire(node: ZoneNodeImpl, wire: Uint8Array, start: number, end: number): boolean {
  if (end - start !== node.end - node.start) return false;
  // The query path's lookup: the loop is written here, not called (V8 did not inline
  // equalIgnoringCase at this site: 4 % of a prepared answer's CPU in a profile).
  const c = node.chunk;
  const off = node.start - start;
  for (let i = start; i < end; i++) {
    const a = c[off + i]!;
    const b = wire[i]!;
    if (a !== b && lowerByte(a) !== lowerByte(b)) return false;
  }
  return true;
}

/**
 * Nodes by key (`Name.key`), in insertion order: the part of a Map the
 * zone uses, without a Map. A million-name Map with string keys spends
 * much of a zone load on cache misses (each probe reads the key strings of
 * its chain) and needs a key string per node; here a probe runs over one
 * typed array (open addressing, node index and full hash side by side),
 * and a node's octets are compared only when the hash matches. Iteration
 * sees nodes added during it, as a Map's does.
 */
export class NodeTable implements NodeStore {
  private list = new NodeList();
  /** Pairs (1 + index into `list`, or EMPTY; hash): a new table is all EMPTY without being filled. */
  private table: Int32Array;
  private mask: number;
  /**
   * While the table grows: the table before, read by lookups for the
   * entries not moved yet (it still holds every entry it had; new ones go
   * to `table` only), and the next of its slots to move. Growing moves
   * MOVE_PER_INSERT slots at each insertion instead of all at once: at a
   * few million names one rehash is half a second of one thread.
   */
  private old: Int32Array | null = null;
  private oldMask = 0;
  private moved = 0;

  /**
   * `expected`: the nodes it is expected to hold (a reload: the version
   * served). The table is made large enough for them at once, so it does
   * not grow while a large zone is read.
   */
  constructor(expected = 0) {
    // Small to start with (a customer zone has a handful of names; issue 14), grown as names come.
    let slots = MIN_SLOTS;
    while (slots < expected * 2 && slots < 1 << 26) slots *= 2;
    this.table = new Int32Array(2 * slots);
    this.mask = slots - 1;
  }

  get size(): number {
    return this.list.length;
  }

  /** Slots of the table (a power of two; more than twice the nodes held). */
  get slots(): number {
    return this.mask + 1;
  }

  /** True while entries are still being moved to a grown table. */
  get growing(): boolean {
    return this.old !== null;
  }

  get(key: string): ZoneNodeImpl | undefined {
    const hash = hashKey(key);
    const i = this.#findKey(this.table, this.mask, hash, key);
    if (i >= 0) return this.list.at(i);
    if (this.old === null) return undefined;
    const j = this.#findKey(this.old, this.oldMask, hash, key);
    return j >= 0 ? this.list.at(j) : undefined;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  /** The node whose owner is the wire name `wire[start, end)` (any letter case), `hash` being `hashWireName` of it. */
  getWire(hash: number, wire: Uint8Array, start = 0, end = wire.length): ZoneNodeImpl | undefined {
    const i = this.indexOfWire(hash, wire, start, end);
    return i >= 0 ? this.list.at(i) : undefined;
  }

  /** Adds or replaces the node of `key` (which must be the node's own key). */
  set(key: string, node: ZoneNodeImpl): this {
    const hash = hashKey(key);
    let i = this.#findKey(this.table, this.mask, hash, key);
    if (i < 0 && this.old !== null) i = this.#findKey(this.old, this.oldMask, hash, key);
    if (i >= 0) {
      this.list.set(i, node);
      return this;
    }
    this.insertHashed(hash, node);
    return this;
  }

  /** Adds a node known to be absent, `hash` being `hashWireName` of its owner. */
  insertHashed(hash: number, node: ZoneNodeImpl): void {
    if (this.old !== null) this.#move(MOVE_PER_INSERT);
    place(this.table, this.mask, 1 + this.list.length, hash);
    this.list.push(node);
    if (this.list.length * 2 > this.mask + 1) this.#grow();
  }

  /** The node at position `i` of the insertion order, or undefined past the end. */
  at(i: number): ZoneNodeImpl | undefined {
    return i < this.list.length ? this.list.at(i) : undefined;
  }

  /** Like getWire, but the node's position in the insertion order, or -1. */
  indexOfWire(hash: number, wire: Uint8Array, start = 0, end = wire.length): number {
    const i = this.#findWire(this.table, this.mask, hash, wire, start, end);
    if (i >= 0 || this.old === null) return i;
    return this.#findWire(this.old, this.oldMask, hash, wire, start, end);
  }

  /** Puts `node` at position `i` in place of the node there, which must have the same owner (letter case aside). */
  replaceAt(i: number, node: ZoneNodeImpl): void {
    if (!(i >= 0 && i < this.list.length)) throw new ZoneUsageError('ZONE_NODE_TABLE', `NodeTable.replaceAt: no node at ${i}`);
    this.list.set(i, node);
  }

  /**
   * Removes the node at position `i`, `hash` being `hashWireName` of its
   * owner. The last node takes its position (the order is not kept); the
   * slot is freed by moving later entries of its probe run back (linear
   * probing needs no tombstones that way). A table still growing finishes
   * first (see settleSteps: a built zone's tables have).
   */
  removeAt(i: number, hash: number): void {
    // (An index that is not there would make the probe below run forever.)
    if (!(i >= 0 && i < this.list.length)) throw new ZoneUsageError('ZONE_NODE_TABLE', `NodeTable.removeAt: no node at ${i}`);
    if (this.old !== null) this.#move(Infinity);
    const table = this.table;
    const mask = this.mask;
    const list = this.list;
    let p = hash & mask;
    while (table[2 * p] !== i + 1) p = (p + 1) & mask;
    const last = list.length - 1;
    if (i !== last) {
      const moved = list.at(last)!;
      const mh = hashWireName(moved.chunk, moved.start, moved.end);
      let q = mh & mask;
      while (table[2 * q] !== last + 1) q = (q + 1) & mask;
      table[2 * q] = i + 1;
      list.set(i, moved);
    }
    list.pop();
    // Backward-shift deletion of slot p.
    let hole = p;
    table[2 * hole] = EMPTY;
    for (let j = (hole + 1) & mask; table[2 * j] !== EMPTY; j = (j + 1) & mask) {
      const home = table[2 * j + 1]! & mask;
      // The entry at j may fill the hole unless its home lies cyclically in (hole, j].
      const stays = hole <= j ? home > hole && home <= j : home > hole || home <= j;
      if (stays) continue;
      table[2 * hole] = table[2 * j]!;
      table[2 * hole + 1] = table[2 * j + 1]!;
      table[2 * j] = EMPTY;
      hole = j;
    }
  }

  /** Finishes a growth under way, COPY_STEP + 1 slots a step (for a caller that runs them in slices). */
  *settleSteps(): Generator<void, void, void> {
    while (this.old !== null) {
      this.#move(COPY_STEP + 1);
      yield;
    }
  }

  /**
   * A copy (the same node objects, in the same order), made in steps of a
   * few tens of thousands of entries, for a caller that runs them in slices:
   * the arrays of a million-name zone take a few milliseconds each to copy.
   */
  *copySteps(): Generator<void, NodeTable, void> {
    yield* this.settleSteps();
    const copy = new NodeTable();
    // The node list is shared chunk by chunk until one side writes (NodeList): no copy of a million slots at once.
    const list = this.list.copy();
    const table = new Int32Array(this.table.length);
    for (let i = 0; i < table.length; i += COPY_STEP + 1) {
      table.set(this.table.subarray(i, i + COPY_STEP + 1), i);
      yield;
    }
    copy.list = list;
    copy.table = table;
    copy.mask = this.mask;
    return copy;
  }

  *values(): IterableIterator<ZoneNodeImpl> {
    const list = this.list;
    for (let i = 0; i < list.length; i++) yield list.at(i)!;
  }

  /** Index in `list` of the node of `key` in `table`, or -1. */
  #findKey(table: Int32Array, mask: number, hash: number, key: string): number {
    for (let p = hash & mask; ; p = (p + 1) & mask) {
      const s = table[2 * p]!;
      if (s === EMPTY) return -1;
      if (table[2 * p + 1] === hash && nodeHasKey(this.list.at(s - 1)!, key)) return s - 1;
    }
  }

  #findWire(table: Int32Array, mask: number, hash: number, wire: Uint8Array, start: number, end: number): number {
    for (let p = hash & mask; ; p = (p + 1) & mask) {
      const s = table[2 * p]!;
      if (s === EMPTY) return -1;
      if (table[2 * p + 1] === hash && nodeHasWire(this.list.at(s - 1)!, wire, start, end)) return s - 1;
    }
  }

  /** Starts growing to twice the slots: a growth still under way is finished first (it cannot be: see MOVE_PER_INSERT). */
  #grow(): void {
    if (this.old !== null) this.#move(Infinity);
    this.old = this.table;
    this.oldMask = this.mask;
    this.moved = 0;
    const n = (this.mask + 1) * 2;
    this.table = new Int32Array(2 * n);
    this.mask = n - 1;
  }

  /** Moves up to `count` slots of the old table into the new one; drops the old one when all are. */
  #move(count: number): void {
    const old = this.old!;
    const slots = this.oldMask + 1;
    const until = Math.min(slots, this.moved + count);
    const table = this.table;
    const mask = this.mask;
    for (let j = this.moved; j < until; j++) {
      const s = old[2 * j]!;
      if (s !== EMPTY) place(table, mask, s, old[2 * j + 1]!);
    }
    this.moved = until;
    if (until === slots) this.old = null;
  }
}

/** Puts the pair (s, hash) in the first free slot of its probe run. */
function place(table: Int32Array, mask: number, s: number, hash: number): void {
  let p = hash & mask;
  while (table[2 * p] !== EMPTY) p = (p + 1) & mask;
  table[2 * p] = s;
  table[2 * p + 1] = hash;
}

/**
 * Each node of `a`, in order, with the node of the same owner (letter case
 * aside) in `b`, or undefined. Two versions of a zone read from the same
 * file list their nodes in nearly the same order, so the next node of `b`
 * is tried first and a hash lookup is made only when it is not the one; the
 * walk then goes on after the node found. Both lists are read in order,
 * which costs far fewer cache misses than a lookup per node (measured: about
 * 10 times faster on a 100,000-name zone).
 */
export function* pairNodes(a: NodeStore, b: NodeStore): Generator<[ZoneNodeImpl, ZoneNodeImpl | undefined], void, void> {
  let j = 0;
  for (let i = 0; i < a.size; i++) {
    const node = a.at(i)!;
    const chunk = node.chunk;
    const start = node.start;
    const end = node.end;
    const next = b.at(j);
    if (next !== undefined && nodeHasWire(next, chunk, start, end)) {
      j++;
      yield [node, next];
      continue;
    }
    const k = b.indexOfWire(hashWireName(chunk, start, end), chunk, start, end);
    if (k < 0) {
      yield [node, undefined];
    } else {
      j = k + 1;
      yield [node, b.at(k)];
    }
  }
}
