/**
 * ZoneSet built from the set it replaces (the daemon's rebuild after each
 * change, issue 14 §5) answers every lookup exactly as one built afresh
 * from the same zones: random sequences of sets over a small pool of
 * zones (parents and children, letter case varied), unavailable names among
 * them, each set built from the one before. The previous set must still
 * answer as it did (its index is shared, never edited).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Name } from '../../src/wire/index.js';
import { loadZoneText } from '../../src/zone/load-zone.js';
import { ZoneSet } from '../../src/query/index.js';
import { hashWireName, type Zone } from '../../src/zone/index.js';

const ORIGINS = ['example.', 'a.example.', 'b.a.example.', 'EXAMPLE.org.', 'x.example.org.', 'c9.example.', 'test.', 'sub.test.'];

/** Two versions of each zone of the pool (a reload gives a new Zone object for the same name). */
const POOL: Zone[][] = ORIGINS.map((o) =>
  [1, 2].map((serial) => loadZoneText(`@ 300 IN SOA ns.provider.net. h.provider.net. ${serial} 1 1 1 1\n@ 300 IN NS ns.provider.net.\n`, Name.fromText(o), {}, o)),
);

/** The names asked: every apex in other letter cases, names below them, names beside them, parentSide or not. */
const ASKED = [...ORIGINS.flatMap((o) => [o, o.toUpperCase(), `www.${o}`, `deep.er.${o}`]), 'org.', 'nothing.', '.', 'example.net.'].map((t) => Name.fromText(t));

/** One set: for each pool origin, absent, version 1 or 2, or unavailable (configured, no data). */
const STATE = fc.array(fc.constantFrom<'absent' | 'v1' | 'v2' | 'unavailable'>('absent', 'v1', 'v2', 'unavailable'), { minLength: ORIGINS.length, maxLength: ORIGINS.length });

function parts(state: readonly string[]): { zones: Zone[]; unavailable: Name[] } {
  const zones: Zone[] = [];
  const unavailable: Name[] = [];
  state.forEach((s, i) => {
    if (s === 'v1') zones.push(POOL[i]![0]!);
    else if (s === 'v2') zones.push(POOL[i]![1]!);
    // A new Name object each time, in other letter case: the set must not rely on the object.
    else if (s === 'unavailable') unavailable.push(Name.fromText(ORIGINS[i]!.toUpperCase()));
  });
  return { zones, unavailable };
}

/** Every lookup of ASKED, as (zone object | null | undefined) per name and side. */
function lookups(set: ZoneSet): unknown[] {
  return ASKED.flatMap((n) => [set.get(n), set.find(n.wire, 0, n.wire.length), set.find(n.wire, 0, n.wire.length, true)]);
}

test('ZoneSet from its previous set answers as one built afresh, and leaves the previous one unchanged', () => {
  fc.assert(
    fc.property(fc.array(STATE, { minLength: 2, maxLength: 8 }), (states) => {
      let prev: ZoneSet | null = null;
      let prevLookups: unknown[] = [];
      for (const state of states) {
        const { zones, unavailable } = parts(state);
        const fresh = new ZoneSet(zones, unavailable);
        const next: ZoneSet = prev === null ? new ZoneSet(zones, unavailable) : new ZoneSet(zones, unavailable, [], prev);
        assert.deepEqual(lookups(next), lookups(fresh));
        assert.equal(next.size, zones.length);
        if (prev !== null) assert.deepEqual(lookups(prev), prevLookups, 'the previous set changed');
        prev = next;
        prevLookups = lookups(next);
      }
    }),
    { numRuns: 300 },
  );
});

test('ZoneSet from its previous set: one zone changed among many keeps every other lookup', () => {
  // 2,000 zones (the incremental path, not the rebuild past a quarter changed), then one replaced, one removed, one added.
  const zone = (o: string, serial: number): Zone => loadZoneText(`@ 300 IN SOA ns.provider.net. h.provider.net. ${serial} 1 1 1 1\n@ 300 IN NS ns.provider.net.\n`, Name.fromText(o), {}, o);
  const many = Array.from({ length: 2000 }, (_, i) => zone(`z${i}.example.`, 1));
  const first = new ZoneSet(many);
  const replaced = zone('z7.example.', 2);
  const added = zone('new.z5.example.', 1);
  const zones = [...many.filter((_, i) => i !== 7 && i !== 9), replaced, added];
  const next = new ZoneSet(zones, [Name.fromText('z9.example.')], [], first);
  const fresh = new ZoneSet(zones, [Name.fromText('z9.example.')]);
  for (const t of ['z7.example.', 'www.z7.example.', 'z9.example.', 'a.new.z5.example.', 'z5.example.', 'z1999.example.', 'z2000.example.']) {
    const n = Name.fromText(t);
    assert.equal(next.find(n.wire, 0, n.wire.length), fresh.find(n.wire, 0, n.wire.length), t);
  }
  assert.equal(next.get(Name.fromText('z7.example.')), replaced);
  assert.equal(next.get(Name.fromText('z9.example.')), null);
  assert.equal(first.get(Name.fromText('z7.example.')), many[7]);
  assert.equal(first.get(Name.fromText('new.z5.example.')), undefined);
});

/** Two names of the form c<i>.example. whose index hashes are equal (FNV-1a 32-bit: one is met within about 80,000 names). */
function collidingNames(): [string, string] {
  const seen = new Map<number, string>();
  for (let i = 0; i < 1_000_000; i++) {
    const t = `c${i}.example.`;
    const w = Name.fromText(t).wire;
    const h = hashWireName(w, 0, w.length);
    const other = seen.get(h);
    if (other !== undefined) return [other, t];
    seen.set(h, t);
  }
  throw new Error('no two names with one hash among 1,000,000');
}

test('ZoneSet from its previous set: names that share an index bucket, added and removed, leave earlier sets as they were', () => {
  const [a, b] = collidingNames();
  const zone = (o: string): Zone => loadZoneText(`@ 300 IN SOA ns.provider.net. h.provider.net. 1 1 1 1 1\n@ 300 IN NS ns.provider.net.\n`, Name.fromText(o), {}, o);
  const filler = Array.from({ length: 50 }, (_, i) => zone(`f${i}.example.`));
  const za = zone(a);
  const zb = zone(b);
  const first = new ZoneSet([...filler, za]);
  const second = new ZoneSet([...filler, za, zb], [], [], first);
  const third = new ZoneSet([...filler, zb], [], [], second);
  const at = (set: ZoneSet, t: string): Zone | null | undefined => set.get(Name.fromText(t));
  assert.deepEqual([at(first, a), at(first, b)], [za, undefined]);
  assert.deepEqual([at(second, a), at(second, b)], [za, zb]);
  assert.deepEqual([at(third, a), at(third, b)], [undefined, zb]);
});
