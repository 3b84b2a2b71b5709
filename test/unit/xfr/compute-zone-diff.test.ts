/** diffZones: records only in the old zone are removed, only in the new one added; SOAs first. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { diffZones } from '../../../src/xfr/compute-zone-diff.js';
import { loadZoneText } from '../../../src/zone/load-zone.js';
import { Name, RRType, rdataToText, typeToText, type ResourceRecord } from '../../../src/wire/index.js';
import type { Zone } from '../../../src/zone/index.js';

const ORIGIN = Name.fromText('example.com.');

function zone(serial: number, lines: string[]): Zone {
  return loadZoneText(['$TTL 300', `@ IN SOA ns1 hostmaster ${serial} 3600 900 604800 300`, '@ IN NS ns1', 'ns1 IN A 192.0.2.1', ...lines].join('\n'), ORIGIN);
}

function text(rr: ResourceRecord): string {
  return `${rr.name.toText().toLowerCase()} ${rr.ttl} ${typeToText(rr.type)} ${rdataToText(rr.type, rr.rdata)}`;
}

function sorted(list: ResourceRecord[]): string[] {
  return list.map(text).sort();
}

/** Applies `diff` to the records of `from` as a set of texts (owner lowercased). */
function apply(from: Zone, removed: ResourceRecord[], added: ResourceRecord[]): string[] {
  const set = new Set(from.canonicalRecords().map(text));
  for (const rr of removed) assert.ok(set.delete(text(rr)), `removed record not present: ${text(rr)}`);
  for (const rr of added) {
    assert.ok(!set.has(text(rr)), `added record already present: ${text(rr)}`);
    set.add(text(rr));
  }
  return [...set].sort();
}

describe('diffZones', () => {
  it('puts the old SOA first in removed and the new SOA first in added', () => {
    const a = zone(1, ['www IN A 192.0.2.10']);
    const b = zone(2, ['www IN A 192.0.2.10']);
    const d = diffZones(a, b);
    assert.equal(d.fromSerial, 1);
    assert.equal(d.toSerial, 2);
    assert.equal(d.removed.length, 1);
    assert.equal(d.added.length, 1);
    assert.equal(d.removed[0]!.type, RRType.SOA);
    assert.equal(d.added[0]!.type, RRType.SOA);
    assert.match(text(d.removed[0]!), / 1 3600 900/);
    assert.match(text(d.added[0]!), / 2 3600 900/);
  });

  it('finds additions, removals, TTL changes, new and vanished names, and RRset changes', () => {
    const a = zone(1, [
      'www IN A 192.0.2.10',
      'www IN A 192.0.2.11',
      'mail IN MX 10 mx1',
      'gone IN TXT "bye"',
      'gone IN A 192.0.2.99',
      'ttl IN A 192.0.2.20',
      'a.b.c IN A 192.0.2.30',
      '@ IN TXT "apex"',
    ]);
    const b = zone(2, [
      'www IN A 192.0.2.10',
      'www IN A 192.0.2.12',
      'WWW IN AAAA 2001:db8::1',
      'mail IN MX 10 mx1',
      'new IN CNAME www',
      'ttl 600 IN A 192.0.2.20',
      'x.b.c IN A 192.0.2.31',
      '@ IN TXT "apex2"',
    ]);
    const d = diffZones(a, b);
    assert.deepEqual(sorted(d.removed.slice(1)), [
      'a.b.c.example.com. 300 A 192.0.2.30',
      'example.com. 300 TXT "apex"',
      'gone.example.com. 300 A 192.0.2.99',
      'gone.example.com. 300 TXT "bye"',
      'ttl.example.com. 300 A 192.0.2.20',
      'www.example.com. 300 A 192.0.2.11',
    ]);
    assert.deepEqual(sorted(d.added.slice(1)), [
      'example.com. 300 TXT "apex2"',
      'new.example.com. 300 CNAME www.example.com.',
      'ttl.example.com. 600 A 192.0.2.20',
      'www.example.com. 300 A 192.0.2.12',
      'www.example.com. 300 AAAA 2001:db8::1',
      'x.b.c.example.com. 300 A 192.0.2.31',
    ]);
    assert.deepEqual(apply(a, d.removed, d.added), sorted(b.canonicalRecords()));
  });

  it('compares owners without regard to case', () => {
    const a = zone(1, ['Www IN A 192.0.2.10']);
    const b = zone(2, ['wWW IN A 192.0.2.10']);
    const d = diffZones(a, b);
    assert.equal(d.removed.length + d.added.length, 2);
  });

  it('handles a name that becomes an empty non-terminal', () => {
    const a = zone(1, ['b IN A 192.0.2.1']);
    const b = zone(2, ['a.b IN A 192.0.2.2']);
    const d = diffZones(a, b);
    assert.deepEqual(sorted(d.removed.slice(1)), ['b.example.com. 300 A 192.0.2.1']);
    assert.deepEqual(sorted(d.added.slice(1)), ['a.b.example.com. 300 A 192.0.2.2']);
    const back = diffZones(b, a);
    assert.deepEqual(sorted(back.removed.slice(1)), ['a.b.example.com. 300 A 192.0.2.2']);
    assert.deepEqual(sorted(back.added.slice(1)), ['b.example.com. 300 A 192.0.2.1']);
  });

  it('diffs large RRsets and many names correctly', () => {
    const aLines: string[] = [];
    const bLines: string[] = [];
    for (let i = 0; i < 300; i++) {
      if (i % 7 !== 0) aLines.push(`big IN TXT "t${i}"`);
      if (i % 5 !== 0) bLines.push(`big IN TXT "t${i}"`);
      if (i % 3 !== 0) aLines.push(`h${i} IN A 10.0.${i >> 8}.${i & 255}`);
      if (i % 4 !== 0) bLines.push(`h${i} IN A 10.0.${i >> 8}.${i & 255}`);
    }
    const a = zone(10, aLines);
    const b = zone(11, bLines);
    const d = diffZones(a, b);
    assert.deepEqual(apply(a, d.removed.slice(1), d.added.slice(1)).filter((t) => !t.includes(' SOA ')), sorted(b.canonicalRecords()).filter((t) => !t.includes(' SOA ')));
  });

  it('gives an empty difference (SOAs only) for identical zones', () => {
    const a = zone(3, ['www IN A 192.0.2.10', 'x IN NSEC3PARAM 1 0 0 -']);
    const d = diffZones(a, a);
    assert.equal(d.removed.length, 1);
    assert.equal(d.added.length, 1);
  });

  it('sees a change in either of the two records a name keeps inline (an A and an AAAA)', () => {
    const a = zone(1, ['h IN A 10.0.0.1', 'h IN AAAA 2001:db8::1', 'g IN A 10.0.0.2', 'g IN AAAA 2001:db8::2']);
    const b = zone(2, ['h IN A 10.0.0.1', 'h IN AAAA 2001:db8::99', 'g IN A 10.0.0.99', 'g IN AAAA 2001:db8::2']);
    const d = diffZones(a, b);
    assert.deepEqual(sorted(d.removed.slice(1)), ['g.example.com. 300 A 10.0.0.2', 'h.example.com. 300 AAAA 2001:db8::1']);
    assert.deepEqual(sorted(d.added.slice(1)), ['g.example.com. 300 A 10.0.0.99', 'h.example.com. 300 AAAA 2001:db8::99']);
  });

  it('equals the difference of the record sets, whatever order the names come in (property)', () => {
    // Two versions of a zone whose names are listed in different orders (the node walk pairs
    // nodes by position first), with names that come, go and become empty non-terminals.
    const pool = [
      'www IN A 192.0.2.10', 'www IN A 192.0.2.11', 'WWW IN AAAA 2001:db8::1', 'a IN TXT "a"', 'x.a IN A 192.0.2.20',
      'y.x.a IN A 192.0.2.21', 'mail IN MX 10 www', 'ttl IN A 192.0.2.30', 'ttl 600 IN A 192.0.2.31', '*.w IN A 192.0.2.40',
      'h1 IN A 10.0.0.1', 'h2 IN A 10.0.0.2', 'h3 IN A 10.0.0.3', 'h4 IN A 10.0.0.4', 'h5 IN AAAA 2001:db8::5',
      '00 IN NSEC3 1 0 0 - 0p9mhaveqvm6t7vbl5lop2u3t2rp3tom A',
    ];
    const version = fc.shuffledSubarray(pool);
    fc.assert(
      fc.property(version, version, (aLines, bLines) => {
        const a = zone(1, aLines);
        const b = zone(2, bLines);
        const d = diffZones(a, b);
        const body = (t: string): boolean => !t.includes(' SOA ');
        assert.deepEqual(apply(a, d.removed.slice(1), d.added.slice(1)).filter(body), sorted(b.canonicalRecords()).filter(body));
      }),
      { numRuns: 300 },
    );
  });
});
