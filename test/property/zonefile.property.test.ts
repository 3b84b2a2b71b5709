/**
 * Zone text round trip: a random zone (SOA and NS at the apex, random
 * owners under the origin, records of every type the zone-file layer
 * takes) printed with formatRecord and parsed again with parseZoneText
 * must give back the same records, in the same order: owner octets
 * (case included), TTL, class, type and rdata octets.
 *
 * A second property prints the same zone the way people write zones:
 * $ORIGIN and relative owners, `@`, blank owners, $TTL with omitted TTLs,
 * class and TTL in either order or left out, rdata wrapped in parentheses
 * across lines, comments.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { formatRecord, parseZoneText } from '../../src/zonefile/index.js';
import { Name, RRType, isMetaType, knownTypes, rdataToText, typeToText, type ResourceRecord } from '../../src/wire/index.js';
import { RDATA, anyLabel, nameFrom } from './arbitraries.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** Types a zone file may hold: not meta types (RFC 6895), not MD/MF (obsolete, refused as BIND does). */
const ZONE_TYPES = knownTypes().filter((t) => !isMetaType(t) && t !== RRType.MD && t !== RRType.MF && RDATA[t] !== undefined);

/** TTLs up to 2^31 - 1 (RFC 2181 §8); the top-bit range is a separate question. */
const ttl = fc.oneof(fc.constantFrom(0, 1, 60, 3600, 86400, 0x7fffffff), fc.integer({ min: 0, max: 0x7fffffff }));

interface Zone {
  origin: Name;
  records: ResourceRecord[];
}

/** Prepends relative labels to `origin`, dropping labels that would make the name too long. */
function under(origin: Name, labels: Uint8Array[]): Name {
  let n = origin;
  for (const l of [...labels].reverse()) {
    if (n.wire.length + l.length + 1 > 255) break;
    n = n.prepend(l);
  }
  return n;
}

const soa = fc.tuple(ttl, RDATA[RRType.SOA]!);
const zone: fc.Arbitrary<Zone> = fc
  .tuple(
    nameFrom(anyLabel, 3),
    soa,
    fc.array(fc.tuple(ttl, RDATA[RRType.NS]!), { minLength: 1, maxLength: 3 }),
    fc.array(
      fc.tuple(
        fc.array(anyLabel, { minLength: 0, maxLength: 3 }),
        ttl,
        fc.constantFrom(...ZONE_TYPES).chain((type) => fc.tuple(fc.constant(type), RDATA[type]!)),
      ),
      { maxLength: 25 },
    ),
  )
  .map(([origin, [soaTtl, soaRdata], nss, rest]) => {
    const records: ResourceRecord[] = [{ name: origin, ttl: soaTtl, class: 1, type: RRType.SOA, rdata: soaRdata }];
    for (const [t, r] of nss) records.push({ name: origin, ttl: t, class: 1, type: RRType.NS, rdata: r });
    for (const [labels, t, [type, rdata]] of rest) records.push({ name: under(origin, labels), ttl: t, class: 1, type, rdata });
    return { origin, records };
  });

function parse(text: string, origin: Name): ResourceRecord[] {
  const got: ResourceRecord[] = [];
  const res = parseZoneText(text, { origin, maxGenerate: 10 }, (rr) => got.push(rr));
  assert.deepEqual(res.errors.map((e) => `${e.at?.line}:${e.at?.col}: ${e.message}`), [], `zone text:\n${text}`);
  return got;
}

function same(got: ResourceRecord[], want: ResourceRecord[], text: string): void {
  const show = (r: ResourceRecord): string => `${hex(r.name.wire)} ${r.ttl} ${r.class} ${r.type} ${hex(r.rdata)}`;
  assert.deepEqual(got.map(show), want.map(show), `zone text:\n${text}`);
}

/** The owner as written relative to `origin` (`@` for the origin itself). */
function relative(owner: Name, origin: Name): string {
  if (owner.wire.length === origin.wire.length) return '@';
  const full = owner.toText();
  const o = origin.toText();
  return o === '.' ? full.slice(0, -1) : full.slice(0, full.length - o.length - 1);
}

describe('zone text round trip', () => {
  it('covers every type the zone-file layer takes', () => {
    assert.ok(ZONE_TYPES.length >= 60, `only ${ZONE_TYPES.length} types`);
    assert.ok(!ZONE_TYPES.includes(RRType.OPT) && !ZONE_TYPES.includes(RRType.MD));
  });

  it('formatRecord lines, absolute names, parse back to the same records', () => {
    fc.assert(
      fc.property(zone, ({ origin, records }) => {
        const text = records.map(formatRecord).join('\n') + '\n';
        same(parse(text, origin), records, text);
      }),
      { numRuns: 300, seed: 4034 },
    );
  });

  it('hand-written layouts: $ORIGIN, relative owners, blank owners, $TTL, either order, parentheses, comments', () => {
    const layout = fc.record({
      relativeOwners: fc.boolean(),
      blankOwners: fc.boolean(),
      defaultTtl: fc.boolean(),
      classFirst: fc.boolean(),
      omitClass: fc.boolean(),
      parens: fc.boolean(),
      comments: fc.boolean(),
      lowerType: fc.boolean(),
    });
    fc.assert(
      fc.property(zone, layout, ({ origin, records }, L) => {
        const lines: string[] = [`$ORIGIN ${origin.toText()}`];
        // $TTL then stands for the most common TTL; records with it leave theirs out.
        const dflt = records[0]!.ttl;
        if (L.defaultTtl) lines.push(`$TTL ${dflt}`);
        let prev: Name | undefined;
        for (const rr of records) {
          const sameOwner = prev !== undefined && prev.wire.length === rr.name.wire.length && hex(prev.wire) === hex(rr.name.wire);
          const owner = L.blankOwners && sameOwner ? '' : L.relativeOwners ? relative(rr.name, origin) : rr.name.toText();
          prev = rr.name;
          const t = L.defaultTtl && rr.ttl === dflt ? '' : String(rr.ttl);
          const c = L.omitClass ? '' : 'IN';
          const tc = L.classFirst ? [c, t] : [t, c];
          const type = L.lowerType ? typeToText(rr.type).toLowerCase() : typeToText(rr.type);
          let rdata = rdataToText(rr.type, rr.rdata);
          if (L.parens) rdata = `( ${rdata}${L.comments ? ' ; wrapped' : ''}\n\t)`;
          lines.push([owner, ...tc, type, rdata].filter((w, i) => i === 0 || w !== '').join('\t') + (L.comments ? ' ; comment' : ''));
          if (L.comments) lines.push('; a comment line');
        }
        const text = lines.join('\n') + '\n';
        same(parse(text, origin), records, text);
      }),
      { numRuns: 300, seed: 1035 },
    );
  });
});
