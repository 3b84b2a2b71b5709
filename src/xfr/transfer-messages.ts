/** The request messages of the transfer client: the AXFR, IXFR (with our SOA, RFC 1995 §3) and SOA queries. */
import { Opcode, RRClass, RRType, emptyMessage, encodeMessageToBytes, type Name, type ResourceRecord } from '../wire/index.js';
import type { Zone } from '../zone/index.js';

/** A query for `origin` `qtype` with message ID `id`, and `authority` (IXFR's SOA) when given; unsigned. */
export function queryMessage(id: number, origin: Name, qtype: number, authority: ResourceRecord | null): Uint8Array {
  const m = emptyMessage(id);
  m.opcode = Opcode.QUERY;
  m.questions.push({ name: origin, type: qtype, class: RRClass.IN });
  if (authority !== null) m.authorities.push(authority);
  return encodeMessageToBytes(m);
}

export /** The current SOA as a record, for the IXFR query's authority section (RFC 1995 §3). */
function soaRecord(zone: Zone): ResourceRecord {
  const soa = zone.soa;
  return { name: zone.origin, type: RRType.SOA, class: zone.zoneClass, ttl: soa.ttl, rdata: soa.rdatas[0]! };
}

