/**
 * ContentDigest: the same records give the same digest whatever their order
 * and whatever the SOA serial; any other change gives another digest; and
 * the digest kept up to date from a difference equals the one walked anew.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { loadZoneText } from '../../../src/zone/load-zone.js';
import { diffZones } from '../../../src/xfr/compute-zone-diff.js';
import { Name } from '../../../src/wire/index.js';
import { ContentDigest, type Zone } from '../../../src/zone/index.js';

const ORIGIN = Name.fromText('example.com.');

function zone(serial: number, lines: readonly string[], soaRest = '3600 900 604800 300'): Zone {
  return loadZoneText(['$TTL 300', `@ IN SOA ns1 hostmaster ${serial} ${soaRest}`, '@ IN NS ns1', 'ns1 IN A 192.0.2.1', ...lines].join('\n'), ORIGIN);
}

const digest = (z: Zone): string => ContentDigest.ofZone(z).toString();

const BASE = ['www IN A 192.0.2.10', 'www IN A 192.0.2.11', 'mail IN MX 10 www', 'txt IN TXT "a b"', 'Deep.Sub IN AAAA 2001:db8::1'];

describe('ContentDigest', () => {
  it('is 32 hex digits and reads back from its text', () => {
    const d = ContentDigest.ofZone(zone(1, BASE));
    assert.match(d.toString(), /^[0-9a-f]{32}$/);
    assert.ok(ContentDigest.fromText(d.toString())!.equals(d));
    assert.equal(ContentDigest.fromText('not hex'), null);
  });

  it('made in steps (ofZoneSteps, several pauses on a 2,000-name zone), it equals ofZone', () => {
    const z = zone(1, [...BASE, ...Array.from({ length: 2000 }, (_, i) => `h${i} IN A 198.51.100.${i % 250}`)]);
    const steps = ContentDigest.ofZoneSteps(z);
    let pauses = 0;
    let r = steps.next();
    for (; r.done !== true; r = steps.next()) pauses++;
    assert.ok(pauses >= 2000 / 256 - 1, `${pauses} pauses`);
    assert.ok(r.value.equals(ContentDigest.ofZone(z)));
  });

  it('does not depend on the order of the records, on owner case, or on the SOA serial', () => {
    const a = digest(zone(1, BASE));
    assert.equal(digest(zone(1, [...BASE].reverse())), a, 'order');
    assert.equal(digest(zone(1, BASE.map((l) => l.replace('Deep.Sub', 'deep.sub')))), a, 'owner case');
    assert.equal(digest(zone(4_000_000_000, BASE)), a, 'serial');
  });

  const changes: [string, (l: string[]) => string[], string?][] = [
    ['a record removed', (l) => l.slice(1)],
    ['a record added', (l) => [...l, 'new IN A 192.0.2.99']],
    ['an address changed', (l) => l.map((x) => x.replace('192.0.2.11', '192.0.2.12'))],
    ['a TTL changed', (l) => l.map((x) => x.replace('txt IN TXT', 'txt 60 IN TXT'))],
    ['a type changed', (l) => l.map((x) => x.replace('mail IN MX 10 www', 'mail IN MX 20 www'))],
    ['case inside rdata changed', (l) => l.map((x) => x.replace('"a b"', '"A b"'))],
    ['an SOA timer changed', (l) => l, '3601 900 604800 300'],
  ];
  for (const [what, edit, soa] of changes) {
    it(`changes when ${what}`, () => {
      assert.notEqual(digest(zone(1, edit([...BASE]), soa)), digest(zone(1, BASE)));
    });
  }

  it('kept up to date from diffZones, it equals the digest of the new version (random edits)', () => {
    const line = fc.tuple(fc.constantFrom('a', 'b', 'C.d', 'e.f.g'), fc.constantFrom('A', 'TXT', 'MX'), fc.integer({ min: 0, max: 6 }), fc.constantFrom(60, 300))
      .map(([owner, type, v, ttl]) =>
        type === 'A' ? `${owner} ${ttl} IN A 198.51.100.${v}` : type === 'TXT' ? `${owner} ${ttl} IN TXT "v${v}"` : `${owner} ${ttl} IN MX ${v} ns1`);
    // Records of one RRset with different TTLs all take the first (RFC 2181 §5.2), as the loader does.
    const version = fc.array(line, { maxLength: 25 });
    fc.assert(
      fc.property(version, version, fc.integer({ min: 1, max: 1000 }), (va, vb, sb) => {
        const a = zone(1, va);
        const b = zone(sb, vb);
        const d = diffZones(a, b);
        const kept = ContentDigest.ofZone(a).update(d.removed, d.added);
        assert.equal(kept.toString(), digest(b));
        assert.equal(ContentDigest.ofZone(a).equals(ContentDigest.ofZone(b)), d.removed.length === 1 && d.added.length === 1 && a.soa.ttl === b.soa.ttl);
      }),
      { numRuns: 300, seed: 20261202 },
    );
  });
});
