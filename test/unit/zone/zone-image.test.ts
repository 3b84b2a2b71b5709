/**
 * Zone images (issue 16 §3): each zone of a table goes through zoneImage →
 * zoneFromImage and is compared node by node, RRset by RRset and record by
 * record with the zone itself (owner octets with their letter case, flags,
 * types in order, class, TTL, per-record RRSIG TTLs, rdata octets), with the
 * original's octets wiped afterwards so that nothing is read from its slabs.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  NodeFlags,
  RRsetImpl,
  Zone,
  ZoneNodeImpl,
  ZoneUsageError,
  hashWireName,
  loadZoneText,
  runStepsNow,
  updateZoneSteps,
  zoneFromImage,
  zoneImage,
  zoneImageBytes,
  zoneImageSteps,
  zoneImageIn,
  imageBuffer,
  imageHeader,
  ImageArena,
  SLAB_BYTES,
  type RRset,
  type ZoneImage,
  type ZoneNode,
} from '../../../src/zone/index.js';
import { Name, RRType } from '../../../src/wire/index.js';
import { recordFromLine } from './zone-cases.js';
import { CHUNK } from '../../../src/zone/image-layout.js';

const ORIGIN = Name.fromText('Example.COM.');
const HEAD = ['$ORIGIN Example.COM.', '$TTL 300', '@ SOA ns1 hostmaster 7 3600 900 604800 300', '@ NS ns1', 'ns1 A 192.0.2.1'];
const SIG = (covered: string): string => `RRSIG ${covered} 8 2 300 20300101000000 20200101000000 12345 example.com. AAAA`;
/** A made-up NSEC3 owner label (32 base32hex digits) and record. */
const N3 = (c: string): string => c.repeat(32);
const NSEC3 = (next: string): string => `NSEC3 1 0 0 - ${N3(next)} A RRSIG`;

const CASES: { title: string; lines: string[] }[] = [
  { title: 'apex only', lines: [] },
  { title: 'wildcard', lines: ['*.w A 192.0.2.9', '*.w TXT "wild"', 'x.*.w.example.com. AAAA 2001:db8::9', 'w MX 10 ns1'] },
  {
    title: 'delegation with glue and DS',
    lines: ['sub NS ns.sub', 'sub NS ns2.sub', `sub DS 12345 8 2 ${'ab'.repeat(32)}`, 'ns.sub A 192.0.2.10', 'ns.sub AAAA 2001:db8::10', 'ns2.sub A 192.0.2.11', 'deep.below.sub TXT "occluded"'],
  },
  { title: 'DNAME', lines: ['dn DNAME example.net.', 'x.dn A 192.0.2.12', 'dn TXT "beside"'] },
  { title: 'CNAME chains', lines: ['c1 CNAME c2', 'c2 CNAME c3', 'c3 CNAME www', 'www A 192.0.2.80', 'out CNAME www.example.net.'] },
  {
    title: 'signed with NSEC',
    lines: ['@ NSEC a NS SOA RRSIG NSEC', `@ ${SIG('SOA')}`, `@ ${SIG('NS')}`, `@ ${SIG('NSEC')}`, 'a A 192.0.2.2', 'a NSEC ns1 A RRSIG NSEC', `a ${SIG('A')}`, `a ${SIG('NSEC')}`],
  },
  {
    title: 'NSEC3',
    lines: [
      '@ NSEC3PARAM 1 0 0 -',
      `${N3('0')} ${NSEC3('1')}`,
      `${N3('0')} ${SIG('NSEC3')}`,
      `${N3('1')} ${NSEC3('2')}`,
      `${N3('1')} ${SIG('NSEC3')}`,
      `${N3('2').toUpperCase()} ${NSEC3('0')}`,
      'a A 192.0.2.2',
    ],
  },
  { title: 'mixed case, an RRset spelled otherwise than its node', lines: ['WWW A 192.0.2.80', 'www TXT "lower"', 'wWw AAAA 2001:db8::80', 'MiXeD.CaSe MX 10 WWW', 'mixed.case MX 20 www'] },
  { title: 'RRSIGs with differing TTLs', lines: ['s 300 A 192.0.2.3', 's 600 TXT "t"', `s 300 ${SIG('A')}`, `s 600 ${SIG('TXT')}`, `s 900 ${SIG('MX').replace('AAAA', 'BBBB')}`] },
  { title: 'a record over 16 KiB', lines: [`big TYPE65280 \\# 17000 ${'5a'.repeat(17000)}`, 'big A 192.0.2.4', `big2 TXT ${Array.from({ length: 80 }, (_, i) => `"${String(i).padStart(3, '0')}${'x'.repeat(240)}"`).join(' ')}`] },
  { title: 'empty non-terminals', lines: ['a.b.c.ent A 192.0.2.5', 'x.y.ent AAAA 2001:db8::5', 'ent2 TXT "z"', 'q.r.ent2 TXT "under"'] },
  { title: 'inline pairs and larger RRsets', lines: ['h A 192.0.2.6', 'h AAAA 2001:db8::6', 'm A 192.0.2.7', 'm A 192.0.2.8', 'm TXT "t"', 't 60 A 192.0.2.9', 't 120 AAAA 2001:db8::9', 'k TXT "1"', 'k A 192.0.2.1', 'k AAAA 2001:db8::1'] },
];

const text = (lines: string[]): string => [...HEAD, ...lines].join('\n') + '\n';
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const ownerOctets = (n: ZoneNode): string => hex(n.chunk.subarray(n.start, n.start + n.name.wire.length));

/** What the table's zones hold, so that a case losing its point fails (see the last test). */
const seen = new Set<string>();

function describeRRset(r: RRset): string {
  if (r.ownerIsNode === false) seen.add('owner spelled otherwise');
  if (r.ttls !== undefined && new Set(r.ttls).size > 1) seen.add('RRSIG TTLs differ');
  if (r.rdatas.some((d) => d.length > 16384)) seen.add('record over 16 KiB');
  if (r.type === RRType.NSEC3) seen.add('NSEC3');
  if (r.type === RRType.DNAME) seen.add('DNAME');
  const parts = [hex(r.name.wire), String(r.ownerIsNode), r.type, r.class, r.ttl, r.ttls === undefined ? '-' : r.ttls.join(','), r.rdatas.map(hex).join(',')];
  return parts.join(' ');
}

/** Everything the query path and transfers read of a node. */
function describeNode(n: ZoneNode): string {
  const impl = n as ZoneNodeImpl;
  const sets = [...n.rrsets.values()].map(describeRRset);
  const transient = n.transientRRsets().map(describeRRset);
  assert.deepEqual(transient, sets, 'transientRRsets lists what rrsets does');
  const types = [...n.rrsets.keys()];
  for (const t of types) assert.ok(n.rrsets.has(t) && n.rrsets.get(t)?.type === t);
  if ((n.flags & NodeFlags.EMPTY_NON_TERMINAL) !== 0) seen.add('empty non-terminal');
  if ((n.flags & NodeFlags.WILDCARD) !== 0) seen.add('wildcard');
  if ((n.flags & NodeFlags.DELEGATION) !== 0 && n.rrsets.has(RRType.DS)) seen.add('delegation with DS');
  if ((n.flags & NodeFlags.BELOW_DELEGATION) !== 0 && n.rrsets.has(RRType.A)) seen.add('glue');
  return [hex(n.name.wire), hex(n.transientName().wire), n.key, ownerOctets(n), n.flags, n.rrsets.size, types.join(','), impl.isWildcard, ...sets].join('|');
}

/** The original's octets wiped: its nodes' chunks and its records' views (so an image reading them would differ). */
function wipe(zone: Zone): void {
  for (const n of zone.nodes()) {
    n.chunk.fill(0xee);
    for (const r of n.transientRRsets()) for (const d of r.rdatas) d.fill(0xee);
  }
}

function compare(image: Zone, want: Zone): void {
  assert.ok(image instanceof Zone);
  assert.equal(hex(image.origin.wire), hex(want.origin.wire));
  assert.equal(image.zoneClass, want.zoneClass);
  assert.equal(image.serial, want.serial);
  assert.equal(image.recordCount, want.recordCount);
  assert.equal(image.nodeCount, want.nodeCount);
  assert.equal(describeRRset(image.soa), describeRRset(want.soa));
  assert.equal(image.soa, image.lookup(image.origin)?.rrsets.get(RRType.SOA), 'the SOA is the apex node\'s');
  const got = [...image.nodes()];
  const exp = [...want.nodes()];
  assert.equal(got.length, exp.length);
  for (let i = 0; i < exp.length; i++) {
    const g = got[i]!;
    const w = exp[i]!;
    assert.ok(g instanceof ZoneNodeImpl);
    for (const r of g.list()) assert.ok(r instanceof RRsetImpl);
    assert.equal(describeNode(g), describeNode(w), `node ${i} (${w.name.toText()})`);
    const nsec3 = i >= want.nodeCount;
    const wire = w.name.wire;
    if (nsec3) {
      assert.equal(image.lookupNsec3(w.name), g, 'lookupNsec3 gives the node nodes() gave');
      assert.equal(image.lookup(w.name), undefined, 'NSEC3 owners live apart');
    } else {
      assert.equal(image.lookup(w.name), g, 'lookup gives the node nodes() gave');
      assert.equal(image.lookupKey(w.key), g);
      // In capitals, inside a larger buffer: any letter case, at an offset.
      const buf = Uint8Array.from([9, 9, ...Buffer.from(wire).map((c) => (c >= 0x61 && c <= 0x7a ? c - 32 : c)), 9]);
      assert.equal(image.lookupWire(hashWireName(buf, 2, 2 + wire.length), buf, 2, 2 + wire.length), g, 'lookupWire');
      assert.equal(g.spelledFrom(buf, 2, 2 + wire.length), w.spelledFrom(buf, 2, 2 + wire.length));
      assert.equal(g.spelledFrom(wire, 0, wire.length), 0);
    }
    for (const rr of g.transientRRsets()) assert.equal(image.nodeOf({ name: rr.name, type: rr.type, rdata: rr.rdatas[0]! }), g, 'nodeOf');
  }
  const canon = (z: Zone): string[] => z.canonicalRecords().map((r) => `${hex(r.name.wire)} ${r.type} ${r.class} ${r.ttl} ${hex(r.rdata)}`);
  assert.deepEqual(canon(image), canon(want));
  const pairs = [...image.pairedNodes(want)];
  assert.equal(pairs.length, exp.length);
  for (const [a, b] of pairs) assert.equal(b === undefined ? 'none' : describeNode(b), describeNode(a), 'pairedNodes pairs each node with its own');
  assert.equal(image.lookup(Name.fromText('no-such-name.example.com.')), undefined);
}

describe('zone images', () => {
  for (const c of CASES) {
    it(`${c.title}: the image's zone holds what the zone holds`, () => {
      const zone = loadZoneText(text(c.lines), ORIGIN);
      const twin = loadZoneText(text(c.lines), ORIGIN);
      const image = zoneImage(zone);
      assert.equal(zoneImage(zone), image, 'the same zone gives the same image');
      assert.ok(zoneImageBytes(image) > 0);
      wipe(zone);
      const read = zoneFromImage(image);
      compare(read, twin);
      // A second Zone from the same image, from a structured clone of it (what postMessage makes): the same content.
      compare(zoneFromImage(structuredClone(image)), twin);
    });
  }

  it('keeps node identity: a node is the same object on every lookup', () => {
    const zone = zoneFromImage(zoneImage(loadZoneText(text(CASES[7]!.lines), ORIGIN)));
    const www = Name.fromText('www.example.com.');
    const first = zone.lookup(www);
    assert.ok(first !== undefined);
    assert.equal(zone.lookup(Name.fromText('WWW.EXAMPLE.COM.')), first);
    assert.equal(zone.lookupKey(www.key), first);
    assert.equal(zone.lookupWire(hashWireName(www.wire), www.wire, 0, www.wire.length), first);
    assert.equal([...zone.nodes()].find((n) => n.key === www.key), first);
    assert.equal(first.rrsets.get(RRType.A), first.rrsets.get(RRType.A), 'and its RRsets too');
  });

  it('is made of SharedArrayBuffers only, and its zone is read-only', () => {
    const zone = loadZoneText(text(CASES[5]!.lines), ORIGIN);
    const image = zoneImage(zone);
    // A buffer and a number: nothing else to copy into a message, or to hold per zone.
    assert.deepEqual(Object.keys(image).sort(), ['at', 'buffer']);
    assert.ok(image.buffer instanceof SharedArrayBuffer);
    const h = imageHeader(image);
    assert.equal(h.serial, 7);
    assert.equal(h.nodeCount, zone.nodeCount);
    assert.equal(h.bytesAt, 0, 'its own buffer: its octets first');
    const size = image.buffer.byteLength;
    // Its own buffer (no arena): the image's octets and entries, the entries 8-aligned.
    assert.ok(zoneImageBytes(image) <= size && zoneImageBytes(image) > size - 8, `${zoneImageBytes(image)} of ${size}`);
    assert.equal(4 * image.at + 4 * h.intsLength, size, 'the entries end the buffer');
    const read = zoneFromImage(image);
    assert.throws(() => read.setSerialBeforeServing(8), (e: unknown) => e instanceof ZoneUsageError && e.code === 'ZONE_IMAGE_READ_ONLY');
    assert.equal(read.serial, 7);
    assert.throws(() => read.nameTables(), ZoneUsageError);
    assert.equal(zone.readOnly, false);
    assert.equal(read.readOnly, true);
  });

  it('a version made by an IXFR (zone-update.ts) images like any other', () => {
    const base = loadZoneText(text([...CASES[2]!.lines, ...CASES[8]!.lines, 'old A 192.0.2.44']), ORIGIN);
    const rr = (line: string): ReturnType<typeof recordFromLine> => recordFromLine(line, ORIGIN);
    const result = runStepsNow(
      updateZoneSteps(base, {
        soa: rr('@ 300 IN SOA ns1 hostmaster 8 3600 900 604800 300'),
        removed: [rr('old 300 IN A 192.0.2.44'), rr('ns2.sub 300 IN A 192.0.2.11')],
        added: [rr('New.Name 300 IN A 192.0.2.45'), rr('new.name 300 IN TXT "second spelling"'), rr('ns2.sub 300 IN A 192.0.2.12'), rr('a.b.new 300 IN AAAA 2001:db8::45')],
      }),
    );
    assert.ok(result !== null && result.zone !== null, 'the update applies');
    const version = result.zone;
    assert.equal(version.serial, 8);
    const read = zoneFromImage(zoneImage(version));
    compare(read, version);
    assert.equal(read.lookup(Name.fromText('old.example.com.')), undefined);
    assert.ok(read.lookup(Name.fromText('b.new.example.com.')) !== undefined, 'an empty non-terminal the update made');
  });

  it('the table covers what it claims to', () => {
    for (const f of ['owner spelled otherwise', 'RRSIG TTLs differ', 'record over 16 KiB', 'NSEC3', 'DNAME', 'empty non-terminal', 'wildcard', 'delegation with DS', 'glue']) {
      assert.ok(seen.has(f), `no zone of the table has: ${f}`);
    }
  });

  it('zoneImageSteps: a large zone in steps, the same image as zoneImage gives, cached', () => {
    const lines = Array.from({ length: 20_000 }, (_, i) => `h${i} A 10.0.${(i >> 8) & 255}.${i & 255}${i % 7 === 0 ? `\nh${i} AAAA 2001:db8::${i.toString(16)}` : ''}`);
    const zone = loadZoneText(text(lines), ORIGIN);
    const steps = zoneImageSteps(zone);
    let paused = 0;
    let r = steps.next();
    for (; r.done !== true && paused < 1000; r = steps.next()) paused++;
    assert.ok(r.done === true && paused >= 1, `${paused} pauses`);
    const image = r.value;
    assert.equal(zoneImage(zone), image, 'zoneImage gives the image the steps made');
    assert.equal(zoneImageSteps(zone).next().done, true, 'an imaged zone takes no step');
    compare(zoneFromImage(image), zone);
  });

  it('an image of more than one view (over CHUNK octets): every node read back across the views', () => {
    // 200-octet TXT strings: some 5 MB of octets, so runs fall in two views and none may cross from one to the next.
    const filler = 'x'.repeat(200);
    const lines = Array.from({ length: 25_000 }, (_, i) => `t${i} TXT "${filler}" "${i}"`);
    const zone = loadZoneText(text(lines), ORIGIN);
    const image = zoneImage(zone);
    assert.ok(imageHeader(image).bytesLength > CHUNK, `${imageHeader(image).bytesLength} octets`);
    assert.ok(imageBuffer(image.buffer).views.length >= 2);
    compare(zoneFromImage(image), zone);
  });

  it('a zone made from an image images again to the same content', () => {
    const zone = loadZoneText(text(CASES[9]!.lines), ORIGIN);
    const again = zoneFromImage(zoneImage(zoneFromImage(zoneImage(zone))));
    compare(again, zone);
  });
});

describe('zone images in an ImageArena (image-arena.ts)', () => {
  const zoneOf = (i: number): Zone => loadZoneText(text([`h${i} A 192.0.2.${i % 250}`, `h${i} TXT "zone ${i}"`]), ORIGIN);
  const range = (image: ZoneImage): [number, number] => [imageHeader(image).bytesAt, 4 * (image.at + imageHeader(image).intsLength)];

  it('packs small images into one slab, each read back as its zone, and gives a large one its own buffer', () => {
    const arena = new ImageArena();
    const images = CASES.map((c) => zoneImageIn(loadZoneText(text(c.lines), ORIGIN), arena));
    const big = CASES.findIndex((c) => c.title === 'a record over 16 KiB');
    const slab = images[0]!.buffer;
    assert.equal(slab.byteLength, SLAB_BYTES);
    const placed: [number, number][] = [];
    images.forEach((image, i) => {
      if (i === big) {
        assert.notEqual(image.buffer, slab, 'a large image has a buffer of its own');
        assert.equal(imageHeader(image).bytesAt, 0);
      } else {
        assert.equal(image.buffer, slab, `${CASES[i]!.title}: in the slab`);
        placed.push(range(image));
      }
    });
    placed.sort((x, y) => x[0] - y[0]);
    for (let k = 1; k < placed.length; k++) assert.ok(placed[k]![0] >= placed[k - 1]![1], 'no two images overlap');
    // As a serving thread reads them: every image of the slab through one pair of views.
    const views = imageBuffer(slab);
    CASES.forEach((c, i) => {
      compare(zoneFromImage(images[i]!), loadZoneText(text(c.lines), ORIGIN));
      compare(zoneFromImage(structuredClone(images[i]!)), loadZoneText(text(c.lines), ORIGIN));
      if (i !== big) compare(zoneFromImage(images[i]!, views), loadZoneText(text(c.lines), ORIGIN));
    });
  });

  it('sparse: the images still served in slabs less than half used by them; copy: the same content elsewhere', () => {
    const arena = new ImageArena();
    const zones: Zone[] = [];
    const images: ZoneImage[] = [];
    // Three slabs' worth, the last one open.
    while (images.length === 0 || images[images.length - 1]!.buffer === images[0]!.buffer || zones.length < 3 * (SLAB_BYTES / zoneImageBytes(images[0]!))) {
      const z = zoneOf(zones.length);
      zones.push(z);
      images.push(zoneImageIn(z, arena));
    }
    const slabs = [...new Set(images.map((im) => im.buffer))];
    assert.ok(slabs.length >= 3, `${slabs.length} slabs`);
    const [first, second] = slabs as [SharedArrayBuffer, SharedArrayBuffer];
    const inFirst = images.filter((im) => im.buffer === first);
    const inSecond = images.filter((im) => im.buffer === second);
    const keyed = (list: ZoneImage[]): [ZoneImage, ZoneImage][] => list.map((im) => [im, im]);
    assert.deepEqual(arena.sparse(keyed(images)), [], 'every image served: no slab is sparse');
    // The first slab keeps a tenth of its images, the second most of them, the open one few.
    const served = [
      ...inFirst.filter((_, k) => k % 10 === 0),
      ...inSecond.filter((_, k) => k % 10 !== 0),
      ...images.filter((im) => im.buffer === slabs[slabs.length - 1]).slice(0, 1),
    ];
    const out = arena.sparse(keyed(served));
    assert.deepEqual(out, inFirst.filter((_, k) => k % 10 === 0), 'the first slab\'s images, and only those');
    for (const image of out) {
      const copy = arena.copy(image);
      assert.notEqual(copy.buffer, first);
      // Only where its octets are changed: the same content at another place.
      const [a, b] = [imageHeader(image), imageHeader(copy)];
      assert.deepEqual({ ...b, bytesAt: 0 }, { ...a, bytesAt: 0 });
      assert.ok(b.bytesAt >= 0 && 4 * copy.at >= b.bytesAt + b.bytesLength, 'its entries after its octets');
      const i = images.indexOf(image);
      compare(zoneFromImage(copy), zoneOf(i));
    }
  });
});
