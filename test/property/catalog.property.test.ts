/**
 * Catalog zones as properties: a catalog built from random members reads
 * back as exactly those members (IDs and groups); the changes between two
 * random memberships, applied to the first, give the second; MemberIds
 * gives a name a new ID each time it comes back, keeps IDs unique, and its
 * saved form reads back to the same IDs.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { MemberIds, buildCatalogZone, membershipChanges, readCatalog, type CatalogEntry } from '../../src/catalog/index.js';
import { Name } from '../../src/wire/index.js';
import { anyLabel, nameFrom } from './arbitraries.js';

const ORIGIN = Name.fromText('catalog.example.');

/** Member names: up to three labels of any octets, distinct in any letter case. */
const memberNames = fc.uniqueArray(nameFrom(anyLabel, 3), { maxLength: 25, selector: (n) => n.key });
/** Group names: any Unicode text (UTF-8 on the wire), at most 6 graphemes. */
const groupList = fc.array(fc.string({ unit: 'grapheme', maxLength: 6 }), { maxLength: 4 });

/** A membership over a small pool of names (random letter case), IDs, groups and coo targets, so two of them overlap. */
const POOL = ['a.example.', 'b.example.', 'c.example.', 'd.example.', 'e.example.', 'f.example.'];
const flipCase = (text: string, mask: number): string => [...text].map((c, i) => ((mask >> i) & 1 ? c.toUpperCase() : c)).join('');
const entry = fc
  .record({
    name: fc.constantFrom(...POOL),
    mask: fc.nat(63),
    id: fc.constantFrom('i1', 'i2', 'i3'),
    groups: fc.array(fc.constantFrom('x', 'y', 'z'), { maxLength: 3 }),
    coo: fc.option(fc.constantFrom('new.example.', 'NEW.example.', 'other.example.')),
  })
  .map((r): CatalogEntry => ({ id: r.id, name: Name.fromText(flipCase(r.name, r.mask)), groups: r.groups, coo: r.coo === null ? null : Name.fromText(r.coo) }));
const membership = fc.uniqueArray(entry, { maxLength: POOL.length, selector: (e) => e.name.key });

/** An entry in a form where equivalent entries are equal: name and coo in any case, groups as a set. */
const norm = (e: CatalogEntry): unknown => ({ key: e.name.key, id: e.id, groups: [...new Set(e.groups)].sort(), coo: e.coo?.key ?? null });
const normAll = (list: Iterable<CatalogEntry>): unknown[] => [...list].map(norm).sort((a, b) => ((a as { key: string }).key < (b as { key: string }).key ? -1 : 1));

describe('catalog properties', () => {
  it('readCatalog(buildCatalogZone(members)) gives back the members, their IDs and groups', () => {
    fc.assert(
      fc.property(memberNames, fc.array(groupList, { minLength: 25, maxLength: 25 }), fc.nat(0xffffffff), (names, groups, serial) => {
        const ids = new MemberIds();
        const members = names.map((name, i) => ({ name, id: ids.add(name), groups: groups[i]! }));
        const zone = buildCatalogZone(ORIGIN, serial, members);
        assert.equal(zone.serial, serial);
        const r = readCatalog(zone);
        assert.ok(r.ok, r.ok ? '' : r.reason);
        const want = members
          .map((m) => ({ id: m.id, wire: Buffer.from(m.name.wire).toString('hex'), groups: [...new Set(m.groups)], coo: null }))
          .sort((a, b) => (a.id < b.id ? -1 : 1));
        const got = r.members
          .map((m) => ({ id: m.id, wire: Buffer.from(m.name.wire).toString('hex'), groups: m.groups, coo: m.coo }))
          .sort((a, b) => (a.id < b.id ? -1 : 1));
        assert.deepEqual(got, want);
      }),
      { numRuns: 200, seed: 9432 },
    );
  });

  it('membershipChanges(before, after) applied to before gives after', () => {
    fc.assert(
      fc.property(membership, membership, (before, after) => {
        const c = membershipChanges(before, after);
        const state = new Map(before.map((e) => [e.name.key, e]));
        for (const e of c.removed) assert.ok(state.delete(e.name.key), 'removed a name that was not there');
        for (const e of c.added) {
          assert.ok(!state.has(e.name.key), 'added a name that was there');
          state.set(e.name.key, e);
        }
        for (const { before: b, after: a } of c.reset) {
          assert.equal(state.get(a.name.key), b, 'reset a name that was not there');
          assert.notEqual(a.id, b.id);
          state.set(a.name.key, a);
        }
        for (const e of c.changed) {
          assert.equal(state.get(e.name.key)?.id, e.id, 'changed a name that was not there under that ID');
          state.set(e.name.key, e);
        }
        assert.deepEqual(normAll(state.values()), normAll(after));
        // Each name in both is listed at most once, and a name listed in neither reset nor changed is equivalent.
        const touched = [...c.reset.map((x) => x.after), ...c.changed].map((e) => e.name.key);
        assert.equal(new Set(touched).size, touched.length);
      }),
      { numRuns: 500, seed: 5 },
    );
  });

  /** Operations on MemberIds over a few names: true adds, false removes. */
  const ops = fc.array(fc.tuple(fc.boolean(), fc.constantFrom(...POOL), fc.nat(63)), { maxLength: 60 });

  it('MemberIds: a name removed and added again gets a new ID; IDs stay unique; fromJSON(toJSON()) gives the same IDs', () => {
    fc.assert(
      fc.property(ops, (list) => {
        const ids = new MemberIds();
        const seenIds = new Map<string, Set<string>>();
        for (const [add, text, mask] of list) {
          const name = Name.fromText(flipCase(text, mask));
          if (add) {
            const was = ids.idOf(name);
            const id = ids.add(name);
            if (was !== undefined) assert.equal(id, was, 'a member keeps its ID');
            else {
              const earlier = seenIds.get(name.key) ?? new Set<string>();
              assert.ok(!earlier.has(id), `${name.toText()} came back with an ID it had before`);
              earlier.add(id);
              seenIds.set(name.key, earlier);
            }
          } else {
            ids.remove(name);
          }
          const current = ids.members().map((m) => m.id);
          assert.equal(new Set(current).size, current.length, 'IDs are unique');
        }
        const back = MemberIds.fromJSON(JSON.parse(JSON.stringify(ids.toJSON())));
        for (const text of POOL) assert.equal(back.idOf(Name.fromText(text)), ids.idOf(Name.fromText(text)));
        // And both give the same ID to every name added next.
        for (const text of POOL) assert.equal(back.add(Name.fromText(text)), ids.add(Name.fromText(text)));
      }),
      { numRuns: 300, seed: 54 },
    );
  });
});
