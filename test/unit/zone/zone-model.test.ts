/** The built Zone: nodes, flags, empty non-terminals, RRsets, canonical order, and the builder's contract. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NodeFlags, ZoneBuilder, nodeFlagsToText, type Zone, type ZoneBuildResult } from '../../../src/zone/index.js';
import { Name, RRClass, RRType, TyneError, rdataToText, typeToText } from '../../../src/wire/index.js';
import { HEADER, ORIGIN, recordFromLine } from './zone-cases.js';

const origin = Name.fromText(ORIGIN);
const SIG = '8 3 300 20300101000000 20200101000000';

function build(lines: string[], options: { header?: boolean; zoneClass?: number; positions?: boolean } = {}): ZoneBuildResult {
  const b = new ZoneBuilder(origin, { zoneClass: options.zoneClass });
  const all = [...(options.header === false ? [] : HEADER), ...lines];
  all.forEach((line, i) => b.add(recordFromLine(line, origin), options.positions === false ? undefined : { file: 't.zone', line: i + 1, col: 1 }));
  return b.build();
}

function zoneOf(lines: string[]): Zone {
  const r = build(lines);
  assert.deepEqual(r.errors, []);
  assert.ok(r.zone);
  return r.zone;
}

function flagsOf(zone: Zone, name: string): string {
  const node = zone.lookup(name === '@' ? origin : Name.fromText(name, origin));
  assert.ok(node, `no node ${name}`);
  return nodeFlagsToText(node.flags);
}

describe('Zone', () => {
  it('gives origin, serial, SOA and the record count after merging duplicates', () => {
    const zone = zoneOf(['www 300 IN A 192.0.2.5', 'www 300 IN A 192.0.2.5', 'WWW 300 IN A 192.0.2.6']);
    assert.ok(zone.origin.equals(origin));
    assert.equal(zone.serial, 1);
    assert.equal(zone.zoneClass, RRClass.IN);
    assert.equal(zone.soa.type, RRType.SOA);
    assert.equal(zone.recordCount, 5);
    assert.equal(zone.lookup(Name.fromText('www', origin))!.rrsets.get(RRType.A)!.rdatas.length, 2);
  });

  it('reads a serial above 2^31 as unsigned', () => {
    const r = build(['@ 300 IN SOA ns1 hostmaster 4000000000 3600 900 604800 300', '@ 300 IN NS ns1', 'ns1 300 IN A 192.0.2.1'], { header: false });
    assert.equal(r.zone?.serial, 4000000000);
  });

  it('sets node flags', () => {
    const zone = zoneOf([
      'sub 300 IN NS ns.sub',
      `sub 300 IN DS 12345 8 2 ${'0'.repeat(64)}`,
      'ns.sub 300 IN A 192.0.2.7',
      'd 300 IN DNAME example.net.',
      'x.d 300 IN TXT "occluded"',
      '*.w 300 IN A 192.0.2.8',
      'c 300 IN CNAME ns1',
      'a.b.c2 300 IN A 192.0.2.9',
    ]);
    assert.equal(flagsOf(zone, '@'), 'APEX');
    assert.equal(flagsOf(zone, 'ns1'), '');
    assert.equal(flagsOf(zone, 'sub'), 'DELEGATION|HAS_DS');
    assert.equal(flagsOf(zone, 'ns.sub'), 'BELOW_CUT|BELOW_DELEGATION');
    assert.equal(flagsOf(zone, 'd'), 'HAS_DNAME');
    assert.equal(flagsOf(zone, 'x.d'), 'BELOW_CUT|BELOW_DNAME');
    assert.equal(flagsOf(zone, 'w'), 'WILDCARD_CHILD|EMPTY_NON_TERMINAL');
    assert.equal(flagsOf(zone, '*.w'), 'WILDCARD');
    assert.equal(flagsOf(zone, 'c'), 'HAS_CNAME');
    assert.equal(flagsOf(zone, 'c2'), 'EMPTY_NON_TERMINAL');
    assert.equal(flagsOf(zone, 'b.c2'), 'EMPTY_NON_TERMINAL');
    assert.equal(flagsOf(zone, 'a.b.c2'), '');
    assert.equal(zone.lookup(Name.fromText('nowhere', origin)), undefined);
    // @, ns1, sub, ns.sub, d, x.d, w, *.w, c, c2, b.c2, a.b.c2
    assert.equal(zone.nodeCount, 12);
    assert.equal(zone.lookup(Name.fromText('c2', origin))!.rrsets.size, 0);
  });

  it('marks everything below an apex DNAME as occluded', () => {
    const r = build(['@ 300 IN SOA ns.example.net. h 1 1 1 1 1', '@ 300 IN NS ns.example.net.', '@ 300 IN DNAME example.net.', 'x 300 IN A 192.0.2.1'], { header: false });
    assert.ok(r.zone);
    assert.equal(flagsOf(r.zone, '@'), 'APEX|HAS_DNAME');
    assert.equal(flagsOf(r.zone, 'x'), 'BELOW_CUT|BELOW_DNAME');
  });

  it('keeps NSEC3 owners (and the RRSIGs over NSEC3) apart, without empty non-terminals', () => {
    const zone = zoneOf([
      '0p9mhave 300 IN NSEC3 1 0 0 - 0p9mhaveqvm6t7vbl5lop2u3t2rp3tom A',
      `0p9mhave 300 IN RRSIG NSEC3 ${SIG} 12345 example.com. AAAA`,
      '0p9mhave 300 IN A 192.0.2.3',
    ]);
    const name = Name.fromText('0p9mhave', origin);
    const plain = zone.lookup(name)!;
    assert.deepEqual([...plain.rrsets.keys()], [RRType.A]);
    const n3 = zone.lookupNsec3(name)!;
    assert.deepEqual([...n3.rrsets.keys()].sort(), [RRType.RRSIG, RRType.NSEC3].sort());
    assert.equal(nodeFlagsToText(n3.flags), 'NSEC3');
    assert.equal([...zone.nodes()].length, zone.nodeCount + 1);
    // Sorted together under one owner: A (1), RRSIG (46), NSEC3 (50).
    const types = zone.canonicalRecords().filter((r) => r.name.equals(name)).map((r) => typeToText(r.type));
    assert.deepEqual(types, ['A', 'RRSIG', 'NSEC3']);
  });

  it('lists records in RFC 4034 §6.3 canonical order, keeping the case read', () => {
    const zone = zoneOf([
      'Z.a 300 IN A 192.0.2.1',
      'yljkjljk.a 300 IN A 192.0.2.1',
      'a 300 IN TXT "t"',
      'a 300 IN NS NS1.example.com.',
      'a 300 IN NS ns0.example.com.',
      'zABC.a 300 IN A 192.0.2.1',
      '\\200.z 300 IN A 192.0.2.1',
      '*.z 300 IN A 192.0.2.1',
      'z 300 IN A 192.0.2.20',
      'z 300 IN A 192.0.2.3',
      '\\001.z 300 IN A 192.0.2.1',
      'ns0 300 IN A 192.0.2.2',
    ]);
    const text = zone.canonicalRecords().map((r) => `${r.name.toText()} ${typeToText(r.type)} ${rdataToText(r.type, r.rdata)}`);
    assert.deepEqual(text, [
      'example.com. NS ns1.example.com.',
      'example.com. SOA ns1.example.com. hostmaster.example.com. 1 3600 900 604800 300',
      'a.example.com. NS ns0.example.com.',
      'a.example.com. NS NS1.example.com.',
      'a.example.com. TXT "t"',
      'yljkjljk.a.example.com. A 192.0.2.1',
      'Z.a.example.com. A 192.0.2.1',
      'zABC.a.example.com. A 192.0.2.1',
      'ns0.example.com. A 192.0.2.2',
      'ns1.example.com. A 192.0.2.1',
      'z.example.com. A 192.0.2.3',
      'z.example.com. A 192.0.2.20',
      '\\001.z.example.com. A 192.0.2.1',
      '*.z.example.com. A 192.0.2.1',
      '\\200.z.example.com. A 192.0.2.1',
    ]);
  });

  it('gives each RRset the first TTL and the owner case of its first record', () => {
    const zone = zoneOf(['Www 300 IN A 192.0.2.5', 'www 600 IN A 192.0.2.6', 'WWW 900 IN TXT "x"']);
    const node = zone.lookup(Name.fromText('www', origin))!;
    assert.equal(node.name.toText(), 'Www.example.com.');
    assert.equal(node.rrsets.get(RRType.A)!.ttl, 300);
    assert.equal(node.rrsets.get(RRType.A)!.name.toText(), 'Www.example.com.');
    assert.equal(node.rrsets.get(RRType.TXT)!.name.toText(), 'WWW.example.com.');
    assert.deepEqual(zone.canonicalRecords().filter((r) => r.type === RRType.A && r.name.equals(node.name)).map((r) => r.ttl), [300, 300]);
  });

  it('keeps a TTL per covered type for RRSIG', () => {
    const zone = zoneOf([
      `h 300 IN RRSIG A ${SIG} 1 example.com. AAAA`,
      `h 600 IN RRSIG MX ${SIG} 1 example.com. AAAA`,
      `h 900 IN RRSIG A ${SIG} 2 example.com. AAAA`,
    ]);
    const sigs = zone.lookup(Name.fromText('h', origin))!.rrsets.get(RRType.RRSIG)!;
    assert.deepEqual(sigs.ttls, [300, 600, 300]);
    assert.deepEqual(zone.canonicalRecords().filter((r) => r.type === RRType.RRSIG).map((r) => r.ttl), [300, 300, 600]);
  });

  it('merges duplicates in large RRsets too, comparing canonical rdata', () => {
    const lines: string[] = [];
    for (let i = 0; i < 40; i++) lines.push(`big 300 IN NS ns${i}.example.net.`);
    for (let i = 0; i < 40; i += 3) lines.push(`big 300 IN NS NS${i}.EXAMPLE.net.`);
    const zone = zoneOf(lines);
    const ns = zone.lookup(Name.fromText('big', origin))!.rrsets.get(RRType.NS)!;
    assert.equal(ns.rdatas.length, 40);
    assert.equal(rdataToText(RRType.NS, ns.rdatas[3]!), 'ns3.example.net.');
  });

  it('exposes RRsets as a read-only map', () => {
    const zone = zoneOf(['m 300 IN A 192.0.2.1', 'm 300 IN TXT "x"', 'm 300 IN AAAA 2001:db8::1']);
    const rrsets = zone.lookup(Name.fromText('m', origin))!.rrsets;
    assert.equal(rrsets.size, 3);
    assert.ok(rrsets.has(RRType.TXT));
    assert.equal(rrsets.get(RRType.MX), undefined);
    assert.deepEqual([...rrsets.keys()], [RRType.A, RRType.TXT, RRType.AAAA]);
    assert.deepEqual([...rrsets].map(([t, r]) => r.type === t), [true, true, true]);
    const seen: number[] = [];
    rrsets.forEach((r, t) => seen.push(t + r.rdatas.length));
    assert.deepEqual(seen, [2, 17, 29]);
  });
});

describe('ZoneBuilder', () => {
  it('words diagnostics like BIND, naming the record at fault', () => {
    const r = build(['www 300 IN CNAME ns1', 'www 300 IN A 192.0.2.2', 'x 300 IN A 192.0.2.5', 'x 600 IN A 192.0.2.6', 'sub 300 IN NS ns.sub']);
    assert.deepEqual(r.errors, [
      { severity: 'error', code: 'ZONE_CNAME_AND_OTHER_DATA', message: 'CNAME and other data at www.example.com (A)', at: { file: 't.zone', line: 5, col: 1 } },
    ]);
    assert.deepEqual(r.warnings.map((d) => d.message), [
      'x.example.com/A: TTL 600 differs from the RRset\'s; TTL set to prior TTL (300)',
      "sub.example.com/NS 'ns.sub.example.com' has no REQUIRED GLUE address records (A or AAAA)",
    ]);
    assert.deepEqual(r.warnings.map((d) => d.at?.line), [7, 8]);
    assert.equal(r.zone, null);
  });

  it('reports zone-wide problems without a position', () => {
    const r = build([], { header: false });
    assert.deepEqual(r.errors.map((d) => [d.code, d.message, d.at]), [
      ['ZONE_NO_SOA', 'zone example.com has 0 SOA records: it needs one at its apex', undefined],
      ['ZONE_NO_NS', 'zone example.com has no NS records at its apex', undefined],
    ]);
  });

  it('works without source positions', () => {
    const r = build(['www 300 IN CNAME ns1', 'www 300 IN A 192.0.2.2', '@ 300 IN MX 10 nowhere'], { positions: false });
    assert.deepEqual(r.errors.map((d) => [d.code, 'at' in d]), [['ZONE_CNAME_AND_OTHER_DATA', false]]);
    assert.deepEqual(r.warnings.map((d) => [d.code, 'at' in d]), [['ZONE_MX_NO_ADDRESS', false]]);
  });

  it('checks the class it was given', () => {
    const origin = Name.fromText(ORIGIN);
    const b = new ZoneBuilder(origin, { zoneClass: RRClass.CH });
    for (const line of HEADER) b.add({ ...recordFromLine(line, origin), class: RRClass.CH });
    b.add(recordFromLine('www 300 IN A 192.0.2.1', origin), { file: 'c.zone', line: 9, col: 1 });
    const r = b.build();
    assert.deepEqual(r.errors.map((d) => d.message), ["www.example.com/A: class 'IN' != zone class 'CH'"]);
  });

  it('builds once', () => {
    const b = new ZoneBuilder(origin);
    for (const line of HEADER) b.add(recordFromLine(line, origin));
    assert.ok(b.build().zone);
    assert.throws(() => b.build(), (e: unknown) => e instanceof TyneError && e.code === 'ZONE_BUILDER_USED');
    assert.throws(() => b.add(recordFromLine('x 1 IN A 192.0.2.1', origin)), TyneError);
  });

  it('builds a zone for the root', () => {
    const root = Name.ROOT;
    const b = new ZoneBuilder(root);
    for (const line of ['. 300 IN SOA a.root-servers.net. nstld.verisign-grs.com. 1 1800 900 604800 86400', '. 300 IN NS a.root-servers.net.', 'net. 300 IN NS a.gtld-servers.net.', 'a.root-servers.net. 300 IN A 198.41.0.4']) {
      b.add(recordFromLine(line, root));
    }
    const r = b.build();
    assert.deepEqual(r.errors, []);
    assert.equal(nodeFlagsToText(r.zone!.lookup(Name.fromText('net.'))!.flags), 'DELEGATION');
    assert.equal(nodeFlagsToText(r.zone!.lookup(Name.fromText('a.root-servers.net.'))!.flags), 'BELOW_CUT|BELOW_DELEGATION');
    assert.equal(NodeFlags.APEX & r.zone!.lookup(root)!.flags, NodeFlags.APEX);
  });
});

describe('Zone storage', () => {
  it('copies names and rdata, so the caller may reuse its buffers', () => {
    const b = new ZoneBuilder(origin);
    for (const line of HEADER) b.add(recordFromLine(line, origin));
    const rr = recordFromLine('www 300 IN A 192.0.2.5', origin);
    b.add(rr);
    rr.rdata.fill(0);
    rr.name.wire[1] = 0x58; // 'X'
    const zone = b.build().zone!;
    const node = zone.lookup(Name.fromText('www', origin))!;
    assert.equal(node.name.toText(), 'www.example.com.');
    assert.equal(rdataToText(RRType.A, node.rrsets.get(RRType.A)!.rdatas[0]!), '192.0.2.5');
  });

  it('keeps large rdata and many records intact across storage chunks', () => {
    const big = Array.from({ length: 100 }, (_, i) => `"${String(i).padStart(3, '0')}${'x'.repeat(240)}"`).join(' ');
    const lines = ['big 300 IN TXT ' + big];
    for (let i = 0; i < 3000; i++) lines.push(`h${i} 300 IN TXT "${'y'.repeat(200)}${i}"`);
    const zone = zoneOf(lines);
    const txt = zone.lookup(Name.fromText('big', origin))!.rrsets.get(RRType.TXT)!;
    assert.equal(txt.rdatas[0]!.length, 100 * 244);
    assert.equal(rdataToText(RRType.TXT, txt.rdatas[0]!), big);
    for (const i of [0, 1234, 2999]) {
      const r = zone.lookup(Name.fromText(`h${i}`, origin))!.rrsets.get(RRType.TXT)!;
      assert.equal(rdataToText(RRType.TXT, r.rdatas[0]!), `"${'y'.repeat(200)}${i}"`);
    }
    assert.equal(zone.canonicalRecords().length, 3003 + 1);
  });

  it('gives empty non-terminals their names and keys', () => {
    const zone = zoneOf(['a.b.c 300 IN A 192.0.2.1']);
    const ent = zone.lookup(Name.fromText('b.c', origin))!;
    assert.equal(ent.name.toText(), 'b.c.example.com.');
    assert.equal(ent.key, Name.fromText('b.c', origin).key);
    assert.equal(zone.lookupKey(ent.key), ent);
  });
});
