/**
 * The content of a catalog zone Tyne produces (RFC 9432 §4, schema version
 * 2): the apex SOA and NS, the version property, and per member its PTR and
 * group property. Pure: records in, a built Zone out.
 */
import { Name, RRClass, RRType, type ResourceRecord } from '../wire/index.js';
import { ZoneBuilder, type Zone } from '../zone/index.js';
import { MEMBER_ID_HEX_DIGITS } from './member-id.js';

/** One member of a catalog to produce: the member zone, its ID label, and its groups (RFC 9432 §4.4.2). */
export interface CatalogMember {
  name: Name;
  /** The member's ID: one label in presentation form (memberId gives 16 lowercase hex digits). */
  id: string;
  /** Group names, one TXT record each; each at most 255 octets in UTF-8. */
  groups: readonly string[];
}

/**
 * The longest catalog origin (in wire octets) that can hold Tyne's member
 * names: `group.<16 hex digits>.zones.<origin>` must fit in 255 octets
 * (RFC 1035 §2.3.4). For the configuration to check.
 */
export const MAX_CATALOG_ORIGIN_OCTETS = 255 - (1 + 5) - (1 + MEMBER_ID_HEX_DIGITS) - (1 + 5);

/** `invalid.` in wire form: RFC 9432 §4.1 suggests it for the apex NS; the SOA uses it too (RFC 6761 §6.4). */
const INVALID = Name.fromText('invalid.');
const LABEL_ZONES = Uint8Array.from(Buffer.from('zones'));
const LABEL_VERSION = Uint8Array.from(Buffer.from('version'));
const LABEL_GROUP = Uint8Array.from(Buffer.from('group'));
/** The SOA timers: refresh 3600, retry 600, expire 2147483646, minimum 0. */
const SOA_TIMERS = [3600, 600, 2147483646, 0] as const;

/** SOA rdata `invalid. invalid. <serial> 3600 600 2147483646 0` (RFC 1035 §3.3.13). */
function soaRdata(serial: number): Uint8Array {
  const n = INVALID.wire.length;
  const out = new Uint8Array(2 * n + 20);
  out.set(INVALID.wire, 0);
  out.set(INVALID.wire, n);
  const view = new DataView(out.buffer);
  view.setUint32(2 * n, serial, false);
  SOA_TIMERS.forEach((v, i) => view.setUint32(2 * n + 4 + 4 * i, v, false));
  return out;
}

/** TXT rdata of one character-string (RFC 1035 §3.3.14), the text in UTF-8. */
function txtRdata(text: string): Uint8Array {
  const octets = Buffer.from(text, 'utf8');
  if (octets.length > 255) throw new RangeError(`catalog group '${text}' is over 255 octets in UTF-8`);
  const out = new Uint8Array(octets.length + 1);
  out[0] = octets.length;
  out.set(octets, 1);
  return out;
}

/** The ID as a one-label name (RangeError when it is not one label). */
function idLabel(id: string): Name {
  let owner: Name;
  try {
    owner = Name.fromText(`${id}.`);
  } catch (e) {
    throw new RangeError(`catalog member ID '${id}' is not a label`, { cause: e });
  }
  if (owner.labelCount !== 1) throw new RangeError(`catalog member ID '${id}' is not one label`);
  return owner;
}

/**
 * The catalog zone `origin` at `serial` listing `members`, exactly (RFC
 * 9432 §4; every TTL 0):
 *
 *     <origin>                 SOA invalid. invalid. <serial> 3600 600 2147483646 0
 *     <origin>                 NS  invalid.
 *     version.<origin>         TXT "2"
 *     <id>.zones.<origin>      PTR <member>
 *     group.<id>.zones.<origin> TXT "<group>"   (one record per group; none without groups)
 *
 * A group listed twice is one record (an RRset is a set, RFC 2181 §5).
 * Throws RangeError for what only a bug can pass: a serial outside
 * 0..2^32-1, an ID that is not one label, two members with the same ID
 * (any letter case) or the same name, a group over 255 octets, an origin
 * longer than MAX_CATALOG_ORIGIN_OCTETS with IDs of 16 digits.
 */
export function buildCatalogZone(origin: Name, serial: number, members: readonly CatalogMember[]): Zone {
  const builder = new ZoneBuilder(origin, { expectedNodes: 3 + 2 * members.length });
  // RFC 9432 §4.1: a catalog zone is a valid zone, with an apex SOA and NS; the NS target is never resolved.
  builder.add(catalogSoa(origin, serial));
  builder.add(record(origin, RRType.NS, INVALID.wire));
  // RFC 9432 §4.2: schema version 2, exactly one TXT record.
  builder.add(record(origin.prepend(LABEL_VERSION), RRType.TXT, txtRdata('2')));
  const ids = new Set<string>();
  const names = new Set<string>();
  for (const m of members) {
    const rrs = catalogMemberRecords(origin, m);
    // RFC 9432 §4.3: IDs are unique in the catalog, and a zone is a member once.
    if (ids.size === ids.add(rrs[0]!.name.key).size) throw new RangeError(`catalog member ID '${m.id}' is used twice`);
    if (names.size === names.add(m.name.key).size) throw new RangeError(`catalog member ${m.name.toText()} is listed twice`);
    for (const rr of rrs) builder.add(rr);
  }
  const built = builder.build();
  if (built.zone === null) {
    throw new RangeError(`catalog zone ${origin.toText()} does not build: ${built.errors.map((d) => d.message).join('; ')}`);
  }
  return built.zone;
}

/** The catalog's SOA at `serial` (TTL 0); RangeError for a serial outside 0..2^32-1. */
export function catalogSoa(origin: Name, serial: number): ResourceRecord {
  if (!Number.isInteger(serial) || serial < 0 || serial > 0xffffffff) throw new RangeError(`catalog serial must be 0..4294967295, not ${serial}`);
  return record(origin, RRType.SOA, soaRdata(serial));
}

/**
 * The records that list `m` in the catalog `origin` (TTL 0): its PTR,
 * then one TXT per group. The same as buildCatalogZone writes, so a
 * change of members can be applied to a built catalog (updateZoneSteps).
 * RangeError for an ID that is not one label, a group over 255 octets, or
 * names over 255 octets.
 */
export function catalogMemberRecords(origin: Name, m: CatalogMember): ResourceRecord[] {
  const owner = idLabel(m.id);
  const zones = origin.prepend(LABEL_ZONES);
  // RFC 1035 §2.3.4: the longest owner, group.<id>.zones.<origin>, must fit in 255 octets.
  if (zones.wire.length + owner.wire.length - 1 + 6 > 255) throw new RangeError(`catalog ${origin.toText()}: names under it would be over 255 octets`);
  const member = zones.prepend(owner.label(0));
  // RFC 9432 §4.3: <unique-id>.zones.<catalog> PTR <member zone>.
  const out = [record(member, RRType.PTR, m.name.wire)];
  if (m.groups.length > 0) {
    // RFC 9432 §4.4.2: group.<unique-id>.zones.<catalog> TXT, one string per record (a group listed twice is one record).
    const group = member.prepend(LABEL_GROUP);
    for (const g of new Set(m.groups)) out.push(record(group, RRType.TXT, txtRdata(g)));
  }
  return out;
}

function record(name: Name, type: number, rdata: Uint8Array): ResourceRecord {
  return { name, type, class: RRClass.IN, ttl: 0, rdata };
}
