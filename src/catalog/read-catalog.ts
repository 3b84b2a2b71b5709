/**
 * A consumer's reading of a catalog zone (RFC 9432 §4, schema version 2):
 * its members with their properties, or why the catalog is broken and must
 * not be acted on (RFC 9432 §5.1). One walk over the zone's nodes, so the
 * cost follows the zone's size.
 */
import { Name, RRType, labelToText, rdataToText } from '../wire/index.js';
import type { RRset, Zone } from '../zone/index.js';

/** One member of a catalog as read. */
export interface CatalogEntry {
  /** The member's ID: its label under `zones.` in presentation form, lower-cased. */
  id: string;
  /** The member zone (the PTR target, absolute, in the letter case the catalog spells it). */
  name: Name;
  /** Every string of every TXT record at `group.<id>.zones.` (RFC 9432 §4.4.2), decoded as UTF-8 (octets that are not UTF-8 become U+FFFD). */
  groups: string[];
  /** The catalog the member is moving to (`coo.<id>.zones.` PTR, RFC 9432 §4.4.1), or null. */
  coo: Name | null;
}

/** A catalog read: its members (sorted by name, RFC 4034 §6.1 order), or the one-line reason it is broken. */
export type CatalogReading = { ok: true; members: CatalogEntry[] } | { ok: false; reason: string };

/** One member node as found (the ID's lower-cased label octets as a latin1 string are its map key). */
interface Found {
  id: string;
  owner: Name;
  name: Name;
}

/** A reason the catalog is broken, at an owner (the first one in canonical order is reported). */
interface Problem {
  owner: Name;
  reason: string;
}

/** The character-strings of a TXT rdata (RFC 1035 §3.3.14), as octets. */
function txtStrings(rdata: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let p = 0; p < rdata.length; ) {
    const len = rdata[p]!;
    out.push(rdata.subarray(p + 1, p + 1 + len));
    p += len + 1;
  }
  return out;
}

/** The checks of RFC 9432 §4.2 on the version property; null when it says schema version 2. */
function versionProblem(origin: Name, txt: RRset | undefined): string | null {
  const owner = `version.${origin.toText()}`;
  // RFC 9432 §4.2: exactly one TXT record at version.<catalog>, holding "2".
  if (txt === undefined) return `${owner} has no TXT record: not a catalog zone (RFC 9432 §4.2)`;
  if (txt.rdatas.length > 1) return `${owner} has ${txt.rdatas.length} TXT records; a catalog zone has exactly one (RFC 9432 §4.2)`;
  const rdata = txt.rdatas[0]!;
  const strings = txtStrings(rdata);
  if (strings.length === 1 && strings[0]!.length === 1 && strings[0]![0] === 0x32) return null;
  const text = rdataToText(RRType.TXT, rdata);
  if (strings.length === 1 && strings[0]!.length === 1 && strings[0]![0] === 0x31) {
    return `${owner} TXT is "1": schema version 1 is BIND's old catalog zone draft; Tyne reads version "2" only (RFC 9432 §4.2)`;
  }
  return `${owner} TXT is ${text}; Tyne reads catalog schema version "2" only (RFC 9432 §4.2)`;
}

/** The lower-cased labels of `key` (a Name.key) before its last `originOctets` octets, left to right, as latin1 strings. */
function relativeLabels(key: string, originOctets: number): string[] {
  const end = key.length - originOctets;
  const labels: string[] = [];
  for (let p = 0; p < end; ) {
    const len = key.charCodeAt(p);
    labels.push(key.slice(p + 1, p + 1 + len));
    p += len + 1;
  }
  return labels;
}

/** A label (latin1 string of its octets) in presentation form. */
function labelText(label: string): string {
  return labelToText(Buffer.from(label, 'latin1'), 0, label.length);
}

/**
 * Reads catalog `zone`. It is broken (RFC 9432 §4.2, §4.3, §4.4.1, §5.1)
 * when `version.<catalog>` does not hold exactly one TXT record of the one
 * string "2", a member node `<id>.zones.<catalog>` holds more than one
 * PTR, two IDs name the same member (any letter case), or a
 * `coo.<id>.zones.<catalog>` holds more than one PTR. Ignored (RFC 9432
 * §3: what a consumer does not understand): nodes under `zones.` without a
 * PTR, names deeper than `group.<id>` and `coo.<id>` or other properties,
 * everything under `ext.` (RFC 9432 §4.5), other types, and properties of
 * an ID that has no member.
 */
export function readCatalog(zone: Zone): CatalogReading {
  const origin = zone.origin;
  const originOctets = origin.wire.length;
  let versionTxt: RRset | undefined;
  const members = new Map<string, Found>();
  const groups = new Map<string, string[]>();
  const coos = new Map<string, Name>();
  const problems: Problem[] = [];
  const decoder = new TextDecoder('utf-8');
  for (const node of zone.nodes()) {
    const labels = relativeLabels(node.key, originOctets);
    const n = labels.length;
    if (n === 0) continue;
    const top = labels[n - 1]!;
    if (n === 1 && top === 'version') {
      versionTxt = node.rrsets.get(RRType.TXT);
      continue;
    }
    // Anything but zones.<catalog> and version.<catalog> (ext.<catalog> among them, RFC 9432 §4.5) is not ours to read.
    if (top !== 'zones' || n < 2 || n > 3) continue;
    if (n === 2) {
      // RFC 9432 §4.3: <unique-id>.zones.<catalog> PTR <member zone>; a node without a PTR is not a member.
      const ptr = node.rrsets.get(RRType.PTR);
      if (ptr === undefined) continue;
      const owner = node.transientName();
      if (ptr.rdatas.length > 1) {
        problems.push({ owner, reason: `${owner.toText()} has ${ptr.rdatas.length} PTR records; a member node has one (RFC 9432 §4.3)` });
        continue;
      }
      members.set(labels[0]!, { id: labelText(labels[0]!), owner, name: Name.fromWire(ptr.rdatas[0]!.slice()) });
      continue;
    }
    const property = labels[0]!;
    const idKey = labels[1]!;
    if (property === 'group') {
      // RFC 9432 §4.4.2: group.<unique-id>.zones.<catalog> TXT; every string of every record is a group.
      const txt = node.rrsets.get(RRType.TXT);
      if (txt === undefined) continue;
      const list: string[] = [];
      for (const rdata of txt.rdatas) for (const s of txtStrings(rdata)) list.push(decoder.decode(s));
      groups.set(idKey, list);
    } else if (property === 'coo') {
      // RFC 9432 §4.4.1: coo.<unique-id>.zones.<catalog> PTR <new catalog>, at most one.
      const ptr = node.rrsets.get(RRType.PTR);
      if (ptr === undefined) continue;
      if (ptr.rdatas.length > 1) {
        const owner = node.transientName();
        problems.push({ owner, reason: `${owner.toText()} has ${ptr.rdatas.length} PTR records; a coo property has one (RFC 9432 §4.4.1)` });
        continue;
      }
      coos.set(idKey, Name.fromWire(ptr.rdatas[0]!.slice()));
    }
  }
  const version = versionProblem(origin, versionTxt);
  if (version !== null) return { ok: false, reason: version };
  // RFC 9432 §4.3: a member zone is listed under one ID only.
  const byName = new Map<string, Found>();
  for (const found of members.values()) {
    const other = byName.get(found.name.key);
    if (other === undefined) {
      byName.set(found.name.key, found);
      continue;
    }
    const [a, b] = other.owner.compare(found.owner) < 0 ? [other, found] : [found, other];
    problems.push({
      owner: a.owner,
      reason: `${found.name.toText()} is listed under two IDs, ${a.owner.toText()} and ${b.owner.toText()}; a member has one (RFC 9432 §4.3)`,
    });
  }
  if (problems.length > 0) {
    problems.sort((x, y) => x.owner.compare(y.owner) || (x.reason < y.reason ? -1 : x.reason > y.reason ? 1 : 0));
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : '';
    return { ok: false, reason: problems[0]!.reason + more };
  }
  const entries: CatalogEntry[] = [];
  for (const [idKey, found] of members) {
    entries.push({ id: found.id, name: found.name, groups: groups.get(idKey) ?? [], coo: coos.get(idKey) ?? null });
  }
  entries.sort((x, y) => x.name.compare(y.name));
  return { ok: true, members: entries };
}
