/**
 * Applying incoming IXFR sequences: the version built in slices (what the
 * secondary runs) gives the zone the synchronous one gives, and both give
 * the zone a ZoneBuilder makes from scratch out of the expected records
 * (records, TTLs, node flags, empty non-terminals, NSEC3 owners); errors
 * are the same; and the sliced one lets the event loop run meanwhile.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Name, RRType, lookupType, rdataFromText, rdataToText, tokenize, typeToText, type ResourceRecord } from '../../../src/wire/index.js';
import { NodeFlags, ZoneBuilder, nodeFlagsToText, type Zone } from '../../../src/zone/index.js';
import { applyDiffsCondensed, applyDiffsCondensedAsync } from '../../../src/xfr/apply-diff.js';
import { TransferError } from '../../../src/xfr/transfer-error.js';
import type { ZoneDiff } from '../../../src/xfr/zone-diff.js';

const ORIGIN = Name.fromText('example.com.');
const SIG = '8 3 300 20300101000000 20200101000000 1 example.com. AAAA';

/** `owner ttl type rdata` (owner relative to ORIGIN, `@` for it) as a record. */
function rec(line: string): ResourceRecord {
  const [owner, ttl, type, ...rest] = line.split(' ');
  const t = lookupType(type!)!;
  const rdata = rdataFromText(t, tokenize(rest.join(' ')), ORIGIN);
  return { name: owner === '@' ? ORIGIN : Name.fromText(owner!, ORIGIN), type: t, class: 1, ttl: Number(ttl), rdata };
}

function soa(serial: number): ResourceRecord {
  return rec(`@ 300 SOA ns1 hostmaster ${serial} 3600 900 604800 300`);
}

/** In every version: a delegation and a DNAME (records come and go below them, not the cut itself). */
const BASE = ['@ 300 NS ns1', 'ns1 300 A 192.0.2.1', 'cut 300 NS ns.cut', 'ns.cut 300 A 192.0.2.90', 'dn 300 DNAME elsewhere.example.'].map(rec);

/**
 * Records a difference may add or delete. Names of one to four labels
 * (empty non-terminals come and go, in chains), wildcards (one an empty
 * non-terminal), a delegation with glue and a DNAME that come and go
 * (a change built whole), names below the fixed ones of BASE (flags taken
 * from above), two spellings of one owner, a record in two TTLs, an MX
 * (kept with a source position, so never inline), several records in one
 * RRset, a CNAME (a conflict makes the zone invalid), RRSIGs and NSEC3
 * owners (kept apart).
 */
const UNIVERSE = [
  'www 300 A 192.0.2.10',
  'www 300 A 192.0.2.11',
  'www 300 AAAA 2001:db8::10',
  'WWW 300 A 192.0.2.12',
  'mail 300 MX 10 www',
  'a 300 TXT "a"',
  'y.x.a 300 A 192.0.2.20',
  'z.y.x.a 300 A 192.0.2.21',
  '*.w 300 A 192.0.2.30',
  'w 300 TXT "w"',
  'sub 300 NS ns.sub',
  'ns.sub 300 A 192.0.2.40',
  'deep.ns.sub 300 A 192.0.2.41',
  'd 300 DNAME target.example.',
  'under.d 300 A 192.0.2.50',
  'ttl 300 A 192.0.2.60',
  'ttl 600 A 192.0.2.60',
  'alias 300 CNAME www',
  'alias 300 A 192.0.2.70',
  `www 300 RRSIG A ${SIG}`,
  '00 300 NSEC3 1 0 0 - 0p9mhaveqvm6t7vbl5lop2u3t2rp3tom A',
  '0p9mhaveqvm6t7vbl5lop2u3t2rp3tom 300 NSEC3 1 0 0 - 00 A',
  '@ 300 TXT "apex"',
  'glue.cut 300 A 192.0.2.91',
  'x.y.cut 300 A 192.0.2.92',
  'a.dn 300 A 192.0.2.93',
  'b.a.dn 300 TXT "below a DNAME"',
  'a.*.b 300 TXT "below a wildcard name"',
  '*.b 300 A 192.0.2.94',
  'q.p.o.n 300 A 192.0.2.95',
  'p.o.n 300 A 192.0.2.96',
  `00 300 RRSIG NSEC3 ${SIG.replace(' 3 ', ' 3 ')}`,
].map(rec);

/** Identity of a record as an IXFR deletion matches it: owner in any case, type, rdata; TTL left out. */
const keyOf = (rr: ResourceRecord): string => `${rr.name.key}/${rr.type}/${Buffer.from(rr.rdata).toString('hex')}`;

/** Builds a zone from scratch with ZoneBuilder: the zone (or null) and the error codes. */
function fromScratch(serial: number, records: Iterable<ResourceRecord>): { zone: Zone | null; errors: string[] } {
  const b = new ZoneBuilder(ORIGIN);
  b.add(soa(serial));
  for (const rr of BASE) b.add(rr);
  for (const rr of records) b.add(rr);
  const r = b.build();
  return { zone: r.errors.length === 0 ? r.zone : null, errors: r.errors.map((e) => e.code) };
}

/**
 * Everything a query can see of a zone: each node (empty non-terminals and
 * NSEC3 owners included) with its flags and records (owner lowercased: a
 * spelling is kept from whichever record came first).
 */
function picture(z: Zone): string[] {
  const out: string[] = [`serial ${z.serial}`, `records ${z.recordCount}`, `nodes ${z.nodeCount}`];
  for (const node of z.nodes()) {
    // Every node is found again by its name: the name tables are sound.
    const found = (node.flags & NodeFlags.NSEC3) !== 0 ? z.lookupNsec3(node.name) : z.lookup(node.name);
    if (found !== node) out.push(`${node.name.toText()} NOT FOUND BY NAME`);
    out.push(`${node.name.toText().toLowerCase()} [${nodeFlagsToText(node.flags)}]`);
    for (const rrset of node.rrsets.values()) {
      rrset.rdatas.forEach((rd, i) => out.push(`  ${typeToText(rrset.type)} ${rrset.ttls?.[i] ?? rrset.ttl} ${rdataToText(rrset.type, rd)}`));
    }
  }
  return out.sort();
}

/** `applyDiffsCondensed` or its sliced version, as `{ zone }` or `{ error code }`. */
async function outcome(run: () => Promise<{ zone: Zone; diff: ZoneDiff }>): Promise<{ zone: Zone; diff: ZoneDiff } | { error: string }> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof TransferError) return { error: e.code };
    throw e;
  }
}

describe('applyDiffsCondensed, synchronous and in slices', () => {
  it('both give the zone built from scratch from the expected records (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.nat({ max: UNIVERSE.length - 1 })),
        fc.array(fc.uniqueArray(fc.nat({ max: UNIVERSE.length - 1 }), { maxLength: 6 }), { minLength: 1, maxLength: 4 }),
        fc.constantFrom(0, 1, 1000),
        async (init, steps, sliceMs) => {
          // The starting zone: one record of each key (records differing in owner case or TTL share one).
          const state = new Map<string, ResourceRecord>();
          for (const i of init) if (!state.has(keyOf(UNIVERSE[i]!))) state.set(keyOf(UNIVERSE[i]!), UNIVERSE[i]!);
          const start = fromScratch(1, state.values());
          fc.pre(start.zone !== null);
          // Each step deletes the present records it names (spelled as the universe has them: the
          // match ignores letter case and TTL) and adds the absent ones.
          const diffs: ZoneDiff[] = [];
          steps.forEach((toggles, s) => {
            const removed = [soa(s + 1)];
            const added = [soa(s + 2)];
            const seen = new Set<string>();
            for (const t of toggles) {
              const rr = UNIVERSE[t]!;
              const k = keyOf(rr);
              if (seen.has(k)) continue;
              seen.add(k);
              if (state.has(k)) removed.push(rr);
              else added.push(rr);
            }
            for (const rr of removed.slice(1)) state.delete(keyOf(rr));
            for (const rr of added.slice(1)) state.set(keyOf(rr), rr);
            diffs.push({ fromSerial: s + 1, toSerial: s + 2, removed, added });
          });
          const want = fromScratch(steps.length + 1, state.values());
          const sync = await outcome(async () => applyDiffsCondensed(start.zone!, diffs, 'test'));
          const sliced = await outcome(() => applyDiffsCondensedAsync(start.zone!, diffs, 'test', sliceMs));
          if (want.zone === null) {
            assert.deepEqual(sync, { error: 'XFR_INVALID_ZONE' }, `expected errors ${want.errors.join(', ')}`);
            assert.deepEqual(sliced, { error: 'XFR_INVALID_ZONE' });
            return;
          }
          if (!('zone' in sync) || !('zone' in sliced)) {
            assert.fail(`no zone: synchronous ${'error' in sync ? sync.error : 'ok'}, in slices ${'error' in sliced ? sliced.error : 'ok'}`);
          }
          assert.deepEqual(picture(sliced.zone), picture(sync.zone));
          assert.deepEqual(picture(sync.zone), picture(want.zone));
          assert.deepEqual(sliced.diff.removed.map(keyOf).sort(), sync.diff.removed.map(keyOf).sort());
          assert.deepEqual(sliced.diff.added.map(keyOf).sort(), sync.diff.added.map(keyOf).sort());
        },
      ),
      { numRuns: Number(process.env.FC_RUNS ?? 300) },
    );
  });

  it('the sliced one rejects as the synchronous one throws: a missing deletion, a broken chain', async () => {
    const z = fromScratch(1, [UNIVERSE[0]!]).zone!;
    const missing: ZoneDiff[] = [{ fromSerial: 1, toSerial: 2, removed: [soa(1), UNIVERSE[1]!], added: [soa(2)] }];
    const broken: ZoneDiff[] = [{ fromSerial: 5, toSerial: 6, removed: [soa(5)], added: [soa(6)] }];
    for (const diffs of [missing, broken]) {
      assert.throws(() => applyDiffsCondensed(z, diffs, 'p'), (e: unknown) => e instanceof TransferError && e.code === 'XFR_IXFR_MISMATCH');
      await assert.rejects(applyDiffsCondensedAsync(z, diffs, 'p', 1), (e: unknown) => e instanceof TransferError && e.code === 'XFR_IXFR_MISMATCH');
    }
  });

  it('a change of a few names: the new version shares every other node with the old one', () => {
    const hosts: ResourceRecord[] = [];
    for (let i = 0; i < 1000; i++) hosts.push(rec(`host${i} 300 A 10.0.${(i >> 8) & 255}.${i & 255}`));
    const z = fromScratch(1, hosts).zone!;
    const diffs: ZoneDiff[] = [
      { fromSerial: 1, toSerial: 2, removed: [soa(1), hosts[7]!, hosts[8]!], added: [soa(2), rec('host7 300 A 192.0.2.7'), rec('new.deep 300 A 192.0.2.8')] },
    ];
    const next = applyDiffsCondensed(z, diffs, 'p').zone;
    const at = (zone: Zone, n: string) => zone.lookup(Name.fromText(n, ORIGIN));
    assert.equal(at(next, 'host9'), at(z, 'host9'), 'an unchanged name: the same node object');
    assert.equal(at(next, 'ns1'), at(z, 'ns1'));
    assert.notEqual(at(next, 'host7'), at(z, 'host7'), 'a changed name: a new node');
    assert.equal(at(next, 'host8'), undefined, 'a name left without records and names below: gone');
    assert.ok(at(next, 'deep'), 'the empty non-terminal above a new name');
    assert.equal(at(z, 'host7')!.rrsets.get(RRType.A)!.rdatas.map((r) => rdataToText(RRType.A, r)).join(), '10.0.0.7', 'the old version is untouched');
    assert.deepEqual(picture(next), picture(fromScratch(2, [...hosts.filter((_, i) => i !== 7 && i !== 8), rec('host7 300 A 192.0.2.7'), rec('new.deep 300 A 192.0.2.8')]).zone!));
  });

  it('a change that moves a zone cut is built whole, in slices: the event loop runs meanwhile; in one go, it does not', async () => {
    const hosts: ResourceRecord[] = [];
    for (let i = 0; i < 30_000; i++) hosts.push(rec(`host${i} 300 A 10.0.${(i >> 8) & 255}.${i & 255}`));
    const z = fromScratch(1, hosts).zone!;
    // A new delegation with glue: every name below the cut changes flags.
    const diffs: ZoneDiff[] = [{ fromSerial: 1, toSerial: 2, removed: [soa(1), hosts[7]!], added: [soa(2), rec('host7 300 NS ns.host7'), rec('ns.host7 300 A 192.0.2.7')] }];
    let turns = 0;
    let counting = true;
    const tick = (): void => {
      turns++;
      if (counting) setImmediate(tick);
    };
    setImmediate(tick);
    const sync = applyDiffsCondensed(z, diffs, 'p');
    assert.equal(turns, 0, 'nothing else runs during the synchronous apply');
    const before = turns;
    const sliced = await applyDiffsCondensedAsync(z, diffs, 'p', 1);
    counting = false;
    const during = turns - before;
    assert.ok(during >= 5, `the event loop turned ${during} times during the sliced apply (at least 5 expected)`);
    assert.deepEqual(picture(sliced.zone), picture(sync.zone));
    assert.equal(sliced.zone.recordCount, 1 + BASE.length + 30_000 - 1 + 2);
    assert.notEqual(sliced.zone.lookup(Name.fromText('host9', ORIGIN)), z.lookup(Name.fromText('host9', ORIGIN)), 'built whole: no node shared');
    const glue = sliced.zone.lookup(Name.fromText('ns.host7', ORIGIN))!;
    assert.match(nodeFlagsToText(glue.flags), /BELOW_DELEGATION/);
  });
});
