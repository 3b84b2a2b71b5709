import { getHeapStatistics } from 'node:v8';

/**
 * The default `server.zone-memory-budget`: a quarter of the JavaScript heap
 * limit (the served version, the new one and their difference must fit).
 * It bounds a zone read from its file, received by transfer, or read from a
 * secondary's saved copy.
 */
export function defaultZoneMemoryBudget(): number {
  return Math.floor(getHeapStatistics().heap_size_limit / 4);
}
