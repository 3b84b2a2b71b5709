import { classToText, rdataToText, typeToText, type ResourceRecord } from '../wire/index.js';

/**
 * One record in canonical master-file form: absolute owner, TTL, class,
 * type and rdata, tab-separated, as `named-compilezone -o -` lays it out
 * (without its column padding).
 */
export function formatRecord(rr: ResourceRecord): string {
  return formatRecordAt(rr.name.toText(), rr);
}

/** formatRecord with the owner already in text (`Name.toText()`): for many records of one owner. */
export function formatRecordAt(owner: string, rr: Omit<ResourceRecord, 'name'>): string {
  return `${owner}\t${rr.ttl}\t${classToText(rr.class)}\t${typeToText(rr.type)}\t${rdataToText(rr.type, rr.rdata)}`;
}
