/**
 * ZoneBuilder.addCopyOf: a node of a built zone taken over whole gives the
 * zone that adding its records one by one gives, and the nodes it must not
 * take (apex, records kept as objects, a name already there, another
 * class, outside the origin) are refused without adding anything.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Name, RRClass, RRType, rdataToText, typeToText } from '../../../src/wire/index.js';
import { ZoneBuilder, nodeFlagsToText, type Zone, type ZoneNode } from '../../../src/zone/index.js';
import { HEADER, ORIGIN, recordFromLine } from './zone-cases.js';

const origin = Name.fromText(ORIGIN);

const LINES = [
  ...HEADER,
  'www 300 IN A 192.0.2.10',
  'www 300 IN AAAA 2001:db8::10',
  'two 300 IN A 192.0.2.11',
  'two 300 IN A 192.0.2.12',
  'mail 300 IN MX 10 www',
  'y.x 300 IN A 192.0.2.20',
  '*.w 300 IN A 192.0.2.30',
  'a.*.b 300 IN TXT "internal wildcard"',
  'sub 300 IN NS ns.sub',
  'ns.sub 300 IN A 192.0.2.40',
  'MiXeD 300 IN TXT "case kept"',
  '00 300 IN NSEC3 1 0 0 - 0p9mhaveqvm6t7vbl5lop2u3t2rp3tom A',
];

function built(lines: string[], o = origin, zoneClass?: number): { zone: Zone; warnings: string[] } {
  const b = new ZoneBuilder(o, zoneClass === undefined ? {} : { zoneClass });
  for (const l of lines) b.add(recordFromLine(l, o));
  const r = b.build();
  assert.deepEqual(r.errors.map((e) => e.message), []);
  return { zone: r.zone!, warnings: r.warnings.map((w) => w.code) };
}

/** Nodes with flags and records, owners as spelled. */
function picture(z: Zone): string[] {
  const out = [`records ${z.recordCount}`, `nodes ${z.nodeCount}`];
  for (const node of z.nodes()) {
    out.push(`${node.name.toText()} [${nodeFlagsToText(node.flags)}]`);
    for (const rrset of node.rrsets.values()) {
      out.push(`  ${rrset.name.toText()} ${typeToText(rrset.type)} ${rrset.ttl} ${rrset.rdatas.map((r) => rdataToText(rrset.type, r)).join(' | ')}`);
    }
  }
  return out.sort();
}

/** The records of `node` fed to `b` one by one. */
function addRecords(b: ZoneBuilder, node: ZoneNode): void {
  for (const rrset of node.transientRRsets()) {
    for (const rdata of rrset.rdatas) b.add({ name: rrset.name, type: rrset.type, class: rrset.class, ttl: rrset.ttl, rdata });
  }
}

describe('ZoneBuilder.addCopyOf', () => {
  it('copying the nodes it takes, and adding the records of the others, gives the same zone', () => {
    const src = built(LINES);
    const b = new ZoneBuilder(origin);
    let copied = 0;
    let refused = 0;
    for (const node of src.zone.nodes()) {
      if (b.addCopyOf(node)) copied++;
      else {
        refused++;
        addRecords(b, node);
      }
    }
    const r = b.build();
    assert.deepEqual(r.errors, []);
    assert.deepEqual(picture(r.zone!), picture(src.zone));
    // The same warnings too (the internal wildcard of a copied node).
    assert.deepEqual(r.warnings.map((w) => w.code).sort(), src.warnings.sort());
    assert.ok(src.warnings.includes('ZONE_NON_TERMINAL_WILDCARD'));
    // Copied: ns1, www (A+AAAA inline), y.x, *.w, a.*.b, MiXeD, the NSEC3 owner. Not: the apex, two (two
    // records: an RRset object), mail (MX), sub (NS), ns.sub (the glue check looked its A up, making it an
    // object) and the four empty non-terminals.
    assert.equal(copied, 7);
    assert.equal(refused, 9);
  });

  it('refuses the apex, records kept as objects, a name already there, another class, names outside its origin', () => {
    const src = built(LINES).zone;
    const node = (n: string): ZoneNode => src.lookup(n === '@' ? origin : Name.fromText(n, origin))!;
    const cases: [string, ZoneBuilder, ZoneNode][] = [];
    cases.push(['the apex', new ZoneBuilder(origin), node('@')]);
    cases.push(['an RRset of two records', new ZoneBuilder(origin), node('two')]);
    cases.push(['an MX (kept with its position)', new ZoneBuilder(origin), node('mail')]);
    cases.push(['an empty non-terminal', new ZoneBuilder(origin), node('x')]);
    const already = new ZoneBuilder(origin);
    already.add(recordFromLine('WWW 300 IN TXT "here first"', origin));
    cases.push(['a name already in the builder', already, node('www')]);
    cases.push(['another class', new ZoneBuilder(origin, { zoneClass: RRClass.CH }), node('www')]);
    cases.push(['outside the origin', new ZoneBuilder(Name.fromText('other.example.')), node('www')]);
    cases.push(['the apex of a builder below', new ZoneBuilder(Name.fromText('www', origin)), node('www')]);
    // Once an inline RRset has been asked for, it is an object: refused too.
    const asked = built(LINES).zone;
    const ns1 = asked.lookup(Name.fromText('ns1', origin))!;
    assert.ok(ns1.rrsets.get(RRType.A));
    cases.push(['a node whose record was looked up', new ZoneBuilder(origin), ns1]);
    /** Errors and zone of `b` once given a SOA and an NS (with glue). */
    const finish = (b: ZoneBuilder): { errors: string[]; zone: string[] | null } => {
      const cls = b.zoneClass === RRClass.CH ? 'CH' : 'IN';
      for (const l of [`@ 300 ${cls} SOA ns1 hostmaster 1 3600 900 604800 300`, `@ 300 ${cls} NS ns1`, `ns1 300 ${cls} TXT "glue-less"`]) b.add(recordFromLine(l, b.origin));
      const r = b.build();
      return { errors: r.errors.map((e) => e.code), zone: r.zone === null ? null : picture(r.zone) };
    };
    for (const [what, b, n] of cases) {
      assert.equal(b.addCopyOf(n), false, what);
      // Nothing was added: the builder ends as one that was never asked.
      const control = new ZoneBuilder(b.origin, { zoneClass: b.zoneClass });
      if (b === already) control.add(recordFromLine('WWW 300 IN TXT "here first"', origin));
      assert.deepEqual(finish(b), finish(control), `${what}: nothing added`);
    }
  });

  it('a copied node takes more records as any other: merged, a second type, a conflict reported', () => {
    const src = built(LINES).zone;
    const www = src.lookup(Name.fromText('www', origin))!;
    const b = new ZoneBuilder(origin);
    for (const l of HEADER) b.add(recordFromLine(l, origin));
    assert.ok(b.addCopyOf(www));
    b.add(recordFromLine('www 300 IN A 192.0.2.10', origin)); // the same record: merged
    b.add(recordFromLine('www 300 IN A 192.0.2.99', origin));
    b.add(recordFromLine('www 300 IN TXT "more"', origin));
    b.add(recordFromLine('www 300 IN CNAME elsewhere', origin));
    const r = b.build();
    assert.deepEqual(r.errors.map((e) => e.code), ['ZONE_CNAME_AND_OTHER_DATA']);
    const c = new ZoneBuilder(origin);
    for (const l of HEADER) c.add(recordFromLine(l, origin));
    assert.ok(c.addCopyOf(www));
    c.add(recordFromLine('www 300 IN A 192.0.2.99', origin));
    const z = c.build().zone!;
    const got = z.lookup(Name.fromText('www', origin))!;
    assert.deepEqual(got.rrsets.get(RRType.A)!.rdatas.map((x) => rdataToText(RRType.A, x)), ['192.0.2.10', '192.0.2.99']);
    assert.deepEqual(got.rrsets.get(RRType.AAAA)!.rdatas.map((x) => rdataToText(RRType.AAAA, x)), ['2001:db8::10']);
    assert.equal(z.recordCount, 6);
  });
});
