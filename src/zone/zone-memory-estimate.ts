/**
 * What a zone will take in memory once built, estimated from its records
 * as they arrive (read from a file by the parse worker, or received by
 * transfer): twice their encoded octets (owner, rdata, position) plus a
 * fixed cost per record. Measured on the 1,333,339-record benchmark zone:
 * 192 octets a record (85 of heap, 107 of slabs) against 224 estimated (62
 * encoded octets a record); on the safe side, so that a budget is never
 * passed by much. `server.zone-memory-budget` is checked against it.
 */
export function estimatedZoneBytes(encodedBytes: number, records: number): number {
  return 2 * encodedBytes + PER_RECORD_BYTES * records;
}
const PER_RECORD_BYTES = 100;

/** The encoded octets of one record, as estimatedZoneBytes counts them: owner, type/class/TTL/length, rdata. */
export function encodedRecordBytes(ownerWireLength: number, rdataLength: number): number {
  return ownerWireLength + 10 + rdataLength;
}
