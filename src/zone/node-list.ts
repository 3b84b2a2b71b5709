import type { ZoneNodeImpl } from './zone-node.js';

/** log2 of the nodes per chunk. */
const SHIFT = 16;
const MASK = (1 << SHIFT) - 1;

/**
 * The nodes of a NodeTable in insertion order, kept in chunks of 65,536
 * that a copy shares with the list it was made from until either writes to
 * a chunk (copy on write). So copying the list of a million-name zone (an
 * incoming IXFR makes a new version that shares most nodes) costs a few
 * microseconds, not the 8 to 12 ms of allocating one array of a million
 * slots in a single piece, during which nothing would be answered.
 */
export class NodeList {
  #chunks: ZoneNodeImpl[][] = [];
  /** Per chunk: shared with another list, so it is copied before it is written. */
  #shared: boolean[] = [];
  #length = 0;

  get length(): number {
    return this.#length;
  }

  /** The node at `i` (0 <= i < length). */
  at(i: number): ZoneNodeImpl | undefined {
    return this.#chunks[i >>> SHIFT]?.[i & MASK];
  }

  set(i: number, node: ZoneNodeImpl): void {
    this.#own(i >>> SHIFT)[i & MASK] = node;
  }

  push(node: ZoneNodeImpl): void {
    const c = this.#length >>> SHIFT;
    if (c === this.#chunks.length) {
      this.#chunks.push([]);
      this.#shared.push(false);
    }
    // (The last chunk is shared only after a copy: most pushes skip #own.)
    (this.#shared[c] === true ? this.#own(c) : this.#chunks[c]!).push(node);
    this.#length++;
  }

  pop(): void {
    if (this.#length === 0) return;
    const c = (this.#length - 1) >>> SHIFT;
    this.#own(c).pop();
    this.#length--;
    if ((this.#length & MASK) === 0) {
      this.#chunks.length = c;
      this.#shared.length = c;
    }
  }

  /** A list with the same nodes; both share every chunk until they write. */
  copy(): NodeList {
    const n = new NodeList();
    n.#chunks = this.#chunks.slice();
    n.#shared = this.#chunks.map(() => true);
    n.#length = this.#length;
    this.#shared = this.#chunks.map(() => true);
    return n;
  }

  #own(c: number): ZoneNodeImpl[] {
    if (this.#shared[c] === true) {
      this.#chunks[c] = this.#chunks[c]!.slice();
      this.#shared[c] = false;
    }
    return this.#chunks[c]!;
  }
}
