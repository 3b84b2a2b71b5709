/** The prepared answers' store: encoded answers by zone node and key, bounded in bytes, evicted by CLOCK. */
import { copyBytes } from '../wire/index.js';
import type { ZoneNode } from '../zone/index.js';
import { EXACT_SPELLING, SPELLING_CLASSES } from './spelling-class.js';

/**
 * A response, encoded once and kept for the next identical question: the
 * octets after the question (answer, authority and additional sections,
 * without OPT) plus the header fields that go with them. Valid only for a
 * question whose name has exactly the octets it was made for (letter case
 * included, since compression pointers in `tail` point into the question).
 */
export interface CachedAnswer {
  readonly tail: Uint8Array;
  /** Header octet 2 bit AA and octet 3 (RCODE) of the response. */
  readonly aa: boolean;
  readonly rcode: number;
  readonly an: number;
  readonly ns: number;
  readonly ar: number;
}

/** An entry as `get` gives it: the answer and the spelling class it was kept for (EXACT_SPELLING: its question's octets). */
export interface HeldAnswer extends CachedAnswer {
  readonly spelling: number;
}

/** What `put` is given: the answer, plus (for CHASE_KEY) the nodes that must lack the question's type. */
export interface PreparedAnswer extends CachedAnswer {
  /** For CHASE_KEY: the nodes a CNAME chain went through; the entry serves a type only when none of them holds it. */
  readonly chain?: readonly ZoneNode[];
}

/** `answer-cache-size` default: 256 MiB. */
export const DEFAULT_ANSWER_CACHE_BYTES = 256 * 1024 * 1024;

/**
 * Memory per entry besides its octets, measured on Node 20 / x64 (heap and
 * external growth after GC for 200,000 entries; see
 * test/unit/server/answer-cache.test.ts, which checks the growth stays
 * below what is counted): the entry object, its slot in the map of nodes
 * and in the CLOCK ring, the question name's string header, and the tail's
 * typed array and buffer objects. Rounded up.
 */
export const ENTRY_OVERHEAD = 400;
/** A tail above 64 octets lives outside the V8 heap: its backing store, its bookkeeping and malloc's header. */
export const OFF_HEAP_OVERHEAD = 160;
/** Memory per node with two entries or more: its map of entries. */
export const MAP_OVERHEAD = 480;

class Entry implements HeldAnswer {
  readonly node: ZoneNode;
  readonly key: number;
  /** The question name's octets as a latin1 string (compact, on the heap, no buffer object). */
  readonly qname: string;
  readonly tail: Uint8Array;
  readonly aa: boolean;
  readonly rcode: number;
  readonly an: number;
  readonly ns: number;
  readonly ar: number;
  readonly chain: readonly ZoneNode[] | null;
  /** Bytes counted for this entry. */
  readonly cost: number;
  /** CLOCK: set by a hit, cleared when the hand passes. */
  ref = false;
  /** Index in the CLOCK ring. */
  slot = 0;

  readonly spelling: number;

  constructor(node: ZoneNode, key: number, qname: string, tail: Uint8Array, a: PreparedAnswer, cost: number, spelling: number) {
    this.node = node;
    this.spelling = spelling;
    this.key = key;
    this.qname = qname;
    this.tail = tail;
    this.aa = a.aa;
    this.rcode = a.rcode;
    this.an = a.an;
    this.ns = a.ns;
    this.ar = a.ar;
    this.chain = a.chain === undefined ? null : a.chain.slice();
    this.cost = cost;
  }
}

/** Bytes counted for an entry whose question name has `qlen` octets and its tail `tlen`. */
export function entryCost(qlen: number, tlen: number, chainLength = 0): number {
  const data = align8(qlen) + align8(tlen);
  return ENTRY_OVERHEAD + data + (tlen > 64 ? OFF_HEAP_OVERHEAD : 0) + (chainLength > 0 ? 16 + 8 * chainLength : 0);
}

function align8(n: number): number {
  return (n + 7) & ~7;
}

/**
 * Prepared answers by zone node and key, NSD-style: the query path copies
 * the header, the question and these octets. Built lazily, on the first
 * query for each (node, key), and dropped with the ZoneSet it belongs to
 * (a reload starts a new one), so it is never stale.
 *
 * A lookup is two hash-map probes (node, then key), whatever was asked
 * before. Every entry owns exact-size copies of its octets (never a view
 * into a received packet or a shared buffer). The cache is bounded in bytes
 * (`maxBytes`, entry overhead counted); past that, CLOCK evicts entries
 * not used since the hand last passed them, so answers asked for often stay.
 */
export class AnswerCache {
  /** A node's one entry, or a map of its entries by key once it has two or more (a Map costs about 440 octets). */
  readonly #nodes = new Map<ZoneNode, Entry | Map<number, Entry>>();
  /** CLOCK ring: every entry once, holes (undefined) reused from `#free`. */
  readonly #ring: (Entry | undefined)[] = [];
  readonly #free: number[] = [];
  #hand = 0;
  #entries = 0;
  #bytes = 0;
  #evictions = 0;
  readonly maxBytes: number;

  /** `maxBytes` 0 turns the cache off. */
  constructor(maxBytes = DEFAULT_ANSWER_CACHE_BYTES) {
    this.maxBytes = maxBytes;
  }

  /** Entries held. */
  get size(): number {
    return this.#entries;
  }

  /** Bytes counted for the entries held (at most `maxBytes`). */
  get bytes(): number {
    return this.#bytes;
  }

  /** Entries evicted to make room, since this cache was made. */
  get evictions(): number {
    return this.#evictions;
  }

  /**
   * The answer for `key` at `node` when the question name is buf[12, qnameEnd)
   * and its spelling class is `spelling` (spelling-class.ts): the class's
   * entry, else one kept for exactly these octets.
   */
  get(node: ZoneNode, key: number, buf: Uint8Array, qnameEnd: number, spelling = EXACT_SPELLING): HeldAnswer | undefined {
    const e = this.#spelled(node, key, buf, qnameEnd, spelling);
    if (e === undefined) return undefined;
    e.ref = true;
    return e;
  }

  /** The entry of the class, else the one for these exact octets. */
  #spelled(node: ZoneNode, key: number, buf: Uint8Array, qnameEnd: number, spelling: number): Entry | undefined {
    if (spelling !== EXACT_SPELLING) {
      const c = this.#find(node, key * SPELLING_CLASSES + spelling);
      if (c !== undefined) return c;
    }
    const e = this.#find(node, key * SPELLING_CLASSES + EXACT_SPELLING);
    return e !== undefined && sameName(e.qname, buf, qnameEnd) ? e : undefined;
  }

  /** The CHASE_KEY-style answer for `key` at `node`, when no node of its chain holds `qtype`. */
  getChase(node: ZoneNode, key: number, qtype: number, buf: Uint8Array, qnameEnd: number, spelling = EXACT_SPELLING): HeldAnswer | undefined {
    const e = this.#spelled(node, key, buf, qnameEnd, spelling);
    if (e === undefined || e.chain === null) return undefined;
    const chain = e.chain;
    for (let i = 0; i < chain.length; i++) if (chain[i]!.rrsets.has(qtype)) return undefined;
    e.ref = true;
    return e;
  }

  /**
   * Keeps `answer` for `key` at `node`, for the question name buf[12, qnameEnd)
   * and the tail octets `tail` (both copied), for every question of the
   * spelling class `spelling`, or (EXACT_SPELLING) for these octets only.
   * One entry per (node, key, class): a later question of the same class,
   * or in other letter case for EXACT_SPELLING, does not replace the first.
   * Returns false when it was not kept (cache off, already held, or larger
   * than an eighth of the whole cache).
   */
  put(node: ZoneNode, key: number, buf: Uint8Array, qnameEnd: number, tail: Uint8Array, answer: PreparedAnswer, spelling = EXACT_SPELLING): boolean {
    // The entry's place: the key and the spelling class together.
    key = key * SPELLING_CLASSES + spelling;
    if (this.#find(node, key) !== undefined) return false;
    const qlen = qnameEnd - 12;
    const cost = entryCost(qlen, tail.length, answer.chain?.length ?? 0);
    if (cost + MAP_OVERHEAD > this.maxBytes / 8) return false;
    // A node's second entry turns its slot into a map.
    while (this.#bytes + cost + (this.#nodes.get(node) instanceof Entry ? MAP_OVERHEAD : 0) > this.maxBytes) {
      if (!this.#evictOne()) return false;
    }
    // Exact-size copies: a view would keep the whole received packet (or an 8 KiB pool slab) alive.
    const e = new Entry(node, key, latin1(buf, 12, qnameEnd), copyBytes(tail), answer, cost, spelling);
    const held = this.#nodes.get(node);
    if (held === undefined) {
      this.#nodes.set(node, e);
    } else if (held instanceof Entry) {
      this.#nodes.set(node, new Map([[held.key, held], [key, e]]));
      this.#bytes += MAP_OVERHEAD;
    } else {
      held.set(key, e);
    }
    const slot = this.#free.pop() ?? this.#ring.length;
    e.slot = slot;
    this.#ring[slot] = e;
    this.#entries++;
    this.#bytes += cost;
    return true;
  }

  #find(node: ZoneNode, key: number): Entry | undefined {
    const held = this.#nodes.get(node);
    if (held === undefined) return undefined;
    if (held instanceof Entry) return held.key === key ? held : undefined;
    return held.get(key);
  }

  /** CLOCK: evicts the first entry at or after the hand whose bit is clear, clearing set bits on the way. */
  #evictOne(): boolean {
    const ring = this.#ring;
    const n = ring.length;
    // Two turns at most: the first clears every bit.
    for (let i = 0; i < 2 * n; i++) {
      if (this.#hand >= n) this.#hand = 0;
      const e = ring[this.#hand++];
      if (e === undefined) continue;
      if (e.ref) {
        e.ref = false;
        continue;
      }
      this.#remove(e);
      this.#evictions++;
      return true;
    }
    return false;
  }

  #remove(e: Entry): void {
    this.#ring[e.slot] = undefined;
    this.#free.push(e.slot);
    const held = this.#nodes.get(e.node)!;
    if (held instanceof Entry) {
      this.#nodes.delete(e.node);
    } else {
      held.delete(e.key);
      // Back to a single entry: the map goes.
      if (held.size === 1) {
        for (const last of held.values()) this.#nodes.set(e.node, last);
        this.#bytes -= MAP_OVERHEAD;
      }
    }
    this.#entries--;
    this.#bytes -= e.cost;
  }
}

/** True when buf[12, qnameEnd) holds exactly the octets of `q` (latin1). */
function sameName(q: string, buf: Uint8Array, qnameEnd: number): boolean {
  if (q.length !== qnameEnd - 12) return false;
  for (let i = 0; i < q.length; i++) if (q.charCodeAt(i) !== buf[12 + i]) return false;
  return true;
}

/** buf[start, end) as a one-byte string (a wire name is at most 255 octets): one sequential block, no rope. */
function latin1(buf: Uint8Array, start: number, end: number): string {
  return String.fromCharCode.apply(null, buf.subarray(start, end) as unknown as number[]);
}
