/**
 * A zone written out as `named-checkzone -D` does (BIND 9.18's "full" and
 * "relative" dump styles), for `tyne check-zone -D [-s full|relative]`.
 *
 * Names come in RFC 4034 §6.1 order, as given; at each name the SOA comes
 * first, then NS, then the other types in ascending order, each RRSIG right
 * after the type it covers (the order named-checkzone dumps in). The record
 * data is Tyne's presentation form (rdataToText), which for some types
 * spells things differently from BIND (hex case, base64 breaks): the
 * records are the same, the text may not be.
 *
 * Columns, as measured on named-checkzone 9.18's output (tab width 8):
 * full style puts the TTL, class and type at column 46 and the rdata at
 * 64; relative style puts them at 24 and the rdata at 32. A field whose
 * column is already passed is moved to the next column up: with a tab when
 * that crosses a tab stop, else one space.
 */
import { RRType, classToText, rdataToText, typeToText, type Name, type ResourceRecord } from '../wire/index.js';

export type DumpStyle = 'full' | 'relative';

const TAB = 8;

/** Appends the tabs and spaces that take `line` (at column `col`) to column `to` (at least one further). */
function indent(parts: string[], col: number, to: number): number {
  const target = Math.max(to, col + 1);
  const tabs = Math.floor(target / TAB) - Math.floor(col / TAB);
  parts.push(tabs > 0 ? '\t'.repeat(tabs) + ' '.repeat(target % TAB) : ' '.repeat(target - col));
  return target;
}

/** Where a record goes among those of its name: SOA, NS, then by type; an RRSIG after the type it covers. */
function dumpOrder(rr: ResourceRecord): number {
  const sig = rr.type === RRType.RRSIG && rr.rdata.length >= 2;
  const t = sig ? (rr.rdata[0]! << 8) | rr.rdata[1]! : rr.type;
  const rank = t === RRType.SOA ? 0 : t === RRType.NS ? 1 : t + 2;
  return rank * 2 + (sig ? 1 : 0);
}

/** The records of each name, in dump order (the input is in canonical order: names grouped). */
function* byName(records: Iterable<ResourceRecord>): Generator<ResourceRecord[]> {
  let group: ResourceRecord[] = [];
  for (const rr of records) {
    if (group.length > 0 && !group[0]!.name.equals(rr.name)) {
      yield group.sort((a, b) => dumpOrder(a) - dumpOrder(b));
      group = [];
    }
    group.push(rr);
  }
  if (group.length > 0) yield group.sort((a, b) => dumpOrder(a) - dumpOrder(b));
}

/** `name` relative to `origin` (which it is at or below), as the relative style writes owners. */
function relativeText(name: Name, origin: Name): string {
  if (name.equals(origin)) return '@';
  const full = name.toText();
  if (origin.labelCount === 0) return full.slice(0, -1);
  return full.slice(0, full.length - origin.toText().length - 1);
}

/**
 * The dump's lines (without line ends), one record per line. `origin` is
 * the zone's: in relative style a name's owners are written relative to its
 * parent when that parent is in the zone (BIND's `$ORIGIN` changes), else
 * to the root, and the TTL through `$TTL` lines.
 */
export function* dumpZone(records: Iterable<ResourceRecord>, style: DumpStyle, origin: Name): Generator<string> {
  if (style === 'full') {
    for (const group of byName(records)) {
      const owner = group[0]!.name.toText();
      for (const rr of group) {
        const parts = [owner];
        let col = indent(parts, owner.length, 46);
        const ttl = String(rr.ttl);
        parts.push(ttl);
        col = indent(parts, col + ttl.length, 46);
        const cls = classToText(rr.class);
        parts.push(cls);
        col = indent(parts, col + cls.length, 46);
        const type = typeToText(rr.type);
        parts.push(type);
        indent(parts, col + type.length, 64);
        parts.push(rdataToText(rr.type, rr.rdata));
        yield parts.join('');
      }
    }
    return;
  }
  let current: Name | null = null;
  let ttl = -1;
  let classShown = false;
  for (const group of byName(records)) {
    const name = group[0]!.name;
    const parent = name.labelCount > 0 ? name.suffix(1) : name;
    const want = parent.isSubdomainOf(origin) ? parent : name.suffix(name.labelCount);
    if (current === null || !current.equals(want)) {
      current = want;
      yield `$ORIGIN ${want.toText()}`;
    }
    let first = true;
    for (const rr of group) {
      if (rr.ttl !== ttl) {
        ttl = rr.ttl;
        yield `$TTL ${ttl}`;
      }
      const owner = first ? relativeText(name, current) : '';
      first = false;
      const parts = [owner];
      let col = owner.length;
      if (!classShown) {
        classShown = true;
        const cls = classToText(rr.class);
        col = indent(parts, col, 24);
        parts.push(cls);
        col += cls.length;
      }
      const type = typeToText(rr.type);
      col = indent(parts, col, 24);
      parts.push(type);
      indent(parts, col + type.length, 32);
      parts.push(rdataToText(rr.type, rr.rdata));
      yield parts.join('');
    }
  }
}
