import type { ZoneNodeImpl } from './zone-node.js';

/**
 * What a Zone reads of its name table: a NodeTable (the main thread's,
 * built and updated there) or an ImageNodeTable (a zone image read in a
 * serving thread, issue 16 §3). Each thread sees one class at these call
 * sites (the main thread NodeTables, a serving thread image tables), so
 * they stay monomorphic.
 */
export interface NodeStore {
  /** Nodes held. */
  readonly size: number;
  /** The node of `key` (`Name.key`), or undefined. */
  get(key: string): ZoneNodeImpl | undefined;
  /** The node whose owner is the wire name `wire[start, end)` (any letter case), `hash` being `hashWireName` of it. */
  getWire(hash: number, wire: Uint8Array, start?: number, end?: number): ZoneNodeImpl | undefined;
  /** Like getWire, but the node's position in the insertion order, or -1. */
  indexOfWire(hash: number, wire: Uint8Array, start?: number, end?: number): number;
  /** The node at position `i` of the insertion order, or undefined past the end. */
  at(i: number): ZoneNodeImpl | undefined;
  /** Every node, in insertion order. */
  values(): IterableIterator<ZoneNodeImpl>;
}
