import type { ZoneNode } from '../zone/index.js';

/**
 * A response, encoded once and kept for the next identical question: the
 * octets after the question (answer, authority and additional sections,
 * without OPT) plus the header fields that go with them. Valid only for a
 * question whose name has exactly the octets of `qname` (letter case
 * included, since compression pointers in `tail` point into the question).
 */
export interface CachedAnswer {
  readonly qname: Uint8Array;
  /** The question type (+ DO_KEY with DO), or ABSENT_TYPE(_DO) for "any type the node has no RRset of". */
  readonly qtype: number;
  readonly tail: Uint8Array;
  /** Header octet 2 bits (AA) and octet 3 (RCODE) of the response. */
  readonly aa: boolean;
  readonly rcode: number;
  readonly an: number;
  readonly ns: number;
  readonly ar: number;
  next: CachedAnswer | undefined;
}

/** Key for answers that are the same for every type a node does not hold (NODATA at a node without CNAME). */
export const ABSENT_TYPE = -1;
/** ABSENT_TYPE for a query with the DO bit. */
export const ABSENT_TYPE_DO = -2;
/** Added to the type of a query with the DO bit. */
export const DO_KEY = 0x10000;

/**
 * Prepared answers by zone node, NSD-style: the query path copies the
 * header, the question and these octets. Built lazily, on the first query
 * for each (node, type), and dropped with the ZoneSet it belongs to (a
 * reload starts a new one), so it is never stale. Bounded: at most
 * `maxEntries` answers; past that, answers are computed each time.
 */
export class AnswerCache {
  readonly #map = new Map<ZoneNode, CachedAnswer>();
  #entries = 0;
  readonly maxEntries: number;

  constructor(maxEntries = 2_000_000) {
    this.maxEntries = maxEntries;
  }

  get size(): number {
    return this.#entries;
  }

  /** The answer for `qtype` at `node` when the question name is buf[12, qnameEnd). */
  get(node: ZoneNode, qtype: number, buf: Uint8Array, qnameEnd: number): CachedAnswer | undefined {
    for (let e = this.#map.get(node); e !== undefined; e = e.next) {
      if (e.qtype !== qtype) continue;
      const q = e.qname;
      if (q.length !== qnameEnd - 12) return undefined;
      for (let i = 0; i < q.length; i++) if (q[i] !== buf[12 + i]) return undefined;
      return e;
    }
    return undefined;
  }

  put(node: ZoneNode, entry: Omit<CachedAnswer, 'next'>): void {
    if (this.#entries >= this.maxEntries) return;
    const head = this.#map.get(node);
    // One entry per (node, type): a later question in other letter case does not replace the first.
    for (let e = head; e !== undefined; e = e.next) if (e.qtype === entry.qtype) return;
    this.#map.set(node, { ...entry, next: head });
    this.#entries++;
  }
}
