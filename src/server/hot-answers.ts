/**
 * Hot answers (issue 16 §1): the prepared answers asked for again, by the
 * question (its name letter case aside, its type and DO) and its spelling
 * class (spelling-class.ts), in one flat table over one ring of octets. A
 * question found here is answered from two reads of memory (the table's
 * slot and the entry, whose question name and tail lie side by side),
 * without the zone lookup, the node and the answer cache behind it: on a
 * large zone those are a handful of cache misses per query.
 *
 * The table holds copies of what the AnswerCache holds, filled from its
 * hits, and the NXDOMAIN answers for names no node holds (which the
 * AnswerCache, kept by node, cannot); it is emptied with the AnswerCache
 * (a new zone set, or a new responder claiming it). It is bounded: the ring
 * overwrites its oldest entries (FIFO), and an entry is used only while
 * none of its octets have been written over since, which is known from
 * its position alone (positions grow without end; see `#intact`).
 *
 * Memory follows use: the ring's pages become resident as it is written,
 * and the table starts at INITIAL_SLOTS and doubles when an eighth of its
 * slots have been taken, up to the size `bytes` allows. A serving thread
 * of a server with a hundred names holds 16 KiB of table, not the 8 MiB of
 * a full one (whose pages are all touched once a few thousand entries are
 * spread over them).
 */
import { lowerByte } from '../wire/index.js';
import { EXACT_SPELLING } from './spelling-class.js';

/**
 * Entry layout: qtype (2), flags (1: AA, DO), RCODE (1), AN, NS, AR (2 each),
 * name length (1), tail length (2), spelling class (1), then the name (the
 * question's octets for EXACT_SPELLING, else the node's spelling) and the tail.
 */
const FIXED = 14;
const FLAG_AA = 1;
const FLAG_DO = 2;

/** Smallest ring worth having (a smaller answer-cache-size goes without hot answers). */
export const MIN_HOT_BYTES = 1 << 20;
/** Ring octets per table slot: entries are 40 to 120 octets, so the table is about half full when the ring is. */
const RING_PER_SLOT = 48;
/** Table slots to begin with (16 octets each); doubled as they are taken (see `put`). */
export const INITIAL_SLOTS = 1024;

/** The key of a question: `nameHash` is hashWireName of its name (lowercased, as the zone's lookups hash it), with its type and DO. */
export function hotKey(nameHash: number, qtype: number, dnssecOk: boolean): number {
  const h = Math.imul(nameHash ^ (qtype | (dnssecOk ? 0x10000 : 0)), 0x01000193);
  return h ^ (h >>> 16);
}

/** Hot answers of `bytes` octets, or null below MIN_HOT_BYTES (too small to be worth their table). */
function hotAnswersOf(bytes: number): HotAnswers | null {
  return bytes >= MIN_HOT_BYTES ? new HotAnswers(bytes) : null;
}

/** The hot answers for `answer-cache-size` octets: an eighth of them, none below MIN_HOT_BYTES. */
export function hotAnswersFor(answerCacheSize: number): HotAnswers | null {
  return hotAnswersOf(Math.floor(answerCacheSize / 8));
}

/**
 * The hot answers of a responder that keeps no AnswerCache (a serving
 * thread's, issue 16 §3, the main thread's among them): a quarter of its
 * share of `answer-cache-size`, none below MIN_HOT_BYTES. Its responder is
 * given `answerCacheSize` equal to their `bytes`, so it keeps only these.
 */
export function threadHotAnswersFor(share: number): HotAnswers | null {
  return hotAnswersOf(Math.floor(share / 4));
}

export class HotAnswers {
  /** The octets given (ring and table). */
  readonly bytes: number;
  /** Which responder may use them: the one that claimed them last (`claim`). */
  #owner = 0;
  /** The entries, one after another; an entry never wraps around the end. */
  readonly ring: Uint8Array;
  readonly #size: number;
  /** Where the next entry goes, as a position that only grows (ring offset = position mod size). */
  #write = 0;
  /** Per slot: the key, and 1 + the entry's position (0: empty). Two slots per key (the key's and its neighbour). */
  #tags: Int32Array;
  #at: Float64Array;
  /** Per slot: the entry's ring offset (the position mod size, kept so a lookup needs no division). */
  #off: Int32Array;
  #mask: number;
  /** The most slots the table may grow to (its share of `bytes`, kept out of the ring). */
  readonly #maxSlots: number;
  /** Slots that were empty when an entry was put there: at an eighth of the table, it doubles. */
  #taken = 0;

  /** `bytes` of memory in all (the ring and the table); the table begins with `initialSlots` (a power of two). */
  constructor(bytes: number, initialSlots = INITIAL_SLOTS) {
    this.bytes = bytes;
    let slots = 2;
    while (slots * 2 * (RING_PER_SLOT + 16) <= bytes) slots *= 2;
    this.#maxSlots = slots;
    const first = Math.min(slots, Math.max(2, initialSlots));
    this.#mask = first - 1;
    this.#tags = new Int32Array(first);
    this.#at = new Float64Array(first);
    this.#off = new Int32Array(first);
    this.#size = Math.max(0, bytes - slots * 16);
    // Not zero-filled: pages become resident as the ring reaches them.
    this.ring = new Uint8Array(Buffer.allocUnsafeSlow(this.#size).buffer, 0, this.#size);
  }

  /** Forgets every entry (a new zone set), at once: positions before the ring's length past now are all stale. */
  clear(): void {
    this.#write += this.#size;
  }

  /** Empties the table for a new owner (a responder, or its new zone set) and returns the owner's token. */
  claim(): number {
    this.clear();
    return ++this.#owner;
  }

  /** Slots in the table now (it grows as entries take empty ones; see `put`). */
  get slots(): number {
    return this.#mask + 1;
  }

  /** The token of the owner the table is for: a responder holding another one must not read or write it. */
  get owner(): number {
    return this.#owner;
  }

  /**
   * True while the entry at `pos` is whole: writing has not come round to it
   * again. Positions below #write were written (or skipped), those above not yet.
   */
  #intact(pos: number): boolean {
    return this.#write <= pos + this.#size;
  }

  /**
   * The ring offset of the entry for the question buf[12, qnameEnd) of type
   * `qtype` and DO `dnssecOk`, whose key is `key`; -1 when there is none.
   */
  find(key: number, buf: Uint8Array, qnameEnd: number, qtype: number, dnssecOk: boolean): number {
    const s = key & this.#mask;
    const p = this.#match(s, key, buf, qnameEnd, qtype, dnssecOk);
    return p >= 0 ? p : this.#match(s ^ 1, key, buf, qnameEnd, qtype, dnssecOk);
  }

  #match(slot: number, key: number, buf: Uint8Array, qnameEnd: number, qtype: number, dnssecOk: boolean): number {
    if (this.#tags[slot] !== key) return -1;
    const at = this.#at[slot]!;
    if (at === 0 || !this.#intact(at - 1)) return -1;
    const r = this.ring;
    const p = this.#off[slot]!;
    if (((r[p]! << 8) | r[p + 1]!) !== qtype || ((r[p + 2]! & FLAG_DO) !== 0) !== dnssecOk) return -1;
    const qlen = qnameEnd - 12;
    if (r[p + 10] !== qlen) return -1;
    const q = p + FIXED - 12;
    const spelling = r[p + 13]!;
    if (spelling === EXACT_SPELLING) {
      for (let i = 12; i < qnameEnd; i++) if (r[q + i] !== buf[i]) return -1;
      return p;
    }
    // The node's spelling: the same name letter case aside, and the same class (ZoneNode.spelledFrom, computed here).
    let from = 0;
    for (let i = 12; i < qnameEnd; ) {
      const len = buf[i]!;
      if (r[q + i] !== len) return -1;
      const next = i + 1 + len;
      for (let k = i + 1; k < next; k++) {
        const a = r[q + k]!;
        const b = buf[k]!;
        if (a !== b) {
          if (lowerByte(a) !== lowerByte(b)) return -1;
          from = next - 12;
        }
      }
      if (len === 0) break;
      i = next;
    }
    return from === spelling ? p : -1;
  }

  /**
   * Keeps an answer for type `qtype` and DO `dnssecOk`: header fields and
   * `tail`, the octets after the question (without OPT). With `spelling`
   * EXACT_SPELLING it is for the question name name[start, start + qlen)
   * alone; else for every question of that spelling class at the node whose
   * owner is spelled name[start, start + qlen). Returns false when it is
   * too large to be worth a place.
   */
  put(key: number, name: Uint8Array, start: number, qlen: number, spelling: number, qtype: number, dnssecOk: boolean,
    aa: boolean, rcode: number, an: number, ns: number, ar: number, tail: Uint8Array): boolean {
    const length = FIXED + qlen + tail.length;
    const size = this.#size;
    if (length > size >>> 6) return false;
    let pos = this.#write;
    // An entry does not wrap: the rest of the ring is skipped (counted as written).
    if ((pos % size) + length > size) pos += size - (pos % size);
    const p = pos % size;
    const r = this.ring;
    r[p] = qtype >>> 8;
    r[p + 1] = qtype;
    r[p + 2] = (aa ? FLAG_AA : 0) | (dnssecOk ? FLAG_DO : 0);
    r[p + 3] = rcode;
    r[p + 4] = an >>> 8;
    r[p + 5] = an;
    r[p + 6] = ns >>> 8;
    r[p + 7] = ns;
    r[p + 8] = ar >>> 8;
    r[p + 9] = ar;
    r[p + 10] = qlen;
    r[p + 11] = tail.length >>> 8;
    r[p + 12] = tail.length;
    r[p + 13] = spelling;
    const q = p + FIXED;
    for (let i = 0; i < qlen; i++) r[q + i] = name[start + i]!;
    r.set(tail, p + FIXED + qlen);
    this.#write = pos + length;
    this.#place(key, pos + 1, p);
    // An eighth of the slots taken: twice as many (at most log2 of the largest size times in all; the last, to
    // 524,288 slots, re-places at most 65,536 entries). A key has two slots: when other keys' entries hold both,
    // the older is dropped, which loses 1.2-1.4 % of the questions kept on the way to the full size (4 % when
    // growing at a quarter; test/unit/server/hot-answers.test.ts).
    if (8 * this.#taken > this.#mask + 1 && this.#mask + 1 < this.#maxSlots) this.#grow();
    return true;
  }

  /** Puts the entry (key, 1 + position, ring offset) in one of the key's two slots: an empty or stale one, else the older entry's. */
  #place(key: number, at1: number, p: number): void {
    const s = key & this.#mask;
    const a = this.#at[s]!;
    const b = this.#at[s ^ 1]!;
    const slot = a === 0 || !this.#intact(a - 1) ? s : b === 0 || !this.#intact(b - 1) ? s ^ 1 : a <= b ? s : s ^ 1;
    if (this.#at[slot] === 0) this.#taken++;
    this.#tags[slot] = key;
    this.#at[slot] = at1;
    this.#off[slot] = p;
  }

  /** Doubles the table; the entries still whole are placed again by their keys (a stale one is dropped). */
  #grow(): void {
    const tags = this.#tags;
    const at = this.#at;
    const off = this.#off;
    const slots = 2 * (this.#mask + 1);
    this.#mask = slots - 1;
    this.#tags = new Int32Array(slots);
    this.#at = new Float64Array(slots);
    this.#off = new Int32Array(slots);
    this.#taken = 0;
    for (let i = 0; i < at.length; i++) {
      const a = at[i]!;
      if (a !== 0 && this.#intact(a - 1)) this.#place(tags[i]!, a, off[i]!);
    }
  }

  /** Header fields of the entry at ring offset `p` (from `find`). */
  aa(p: number): boolean {
    return (this.ring[p + 2]! & FLAG_AA) !== 0;
  }

  rcode(p: number): number {
    return this.ring[p + 3]!;
  }

  an(p: number): number {
    return (this.ring[p + 4]! << 8) | this.ring[p + 5]!;
  }

  ns(p: number): number {
    return (this.ring[p + 6]! << 8) | this.ring[p + 7]!;
  }

  ar(p: number): number {
    return (this.ring[p + 8]! << 8) | this.ring[p + 9]!;
  }

  /** The entry's tail is ring[tailStart(p), tailStart(p) + tailLength(p)). */
  tailStart(p: number): number {
    return p + FIXED + this.ring[p + 10]!;
  }

  tailLength(p: number): number {
    return (this.ring[p + 11]! << 8) | this.ring[p + 12]!;
  }
}
