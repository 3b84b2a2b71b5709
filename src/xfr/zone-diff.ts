import type { ResourceRecord } from '../wire/index.js';

/**
 * The difference between two versions of a zone, as one IXFR sequence
 * (RFC 1995 §4): `removed` starts with the old SOA, `added` with the new
 * one; the other records are in no particular order.
 */
export interface ZoneDiff {
  fromSerial: number;
  toSerial: number;
  removed: ResourceRecord[];
  added: ResourceRecord[];
}
