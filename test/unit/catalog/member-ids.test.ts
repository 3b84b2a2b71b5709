/**
 * MemberIds: first adds get generation 0, a name removed and added again
 * gets a new ID, IDs stay unique when the hash clashes, and the saved form
 * reads back (a malformed one is CATALOG_STATE_CORRUPT).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CatalogStateError, MemberIds, memberId } from '../../../src/catalog/index.js';
import { Name } from '../../../src/wire/index.js';

const n = (text: string): Name => Name.fromText(text);

describe('MemberIds', () => {
  it('gives a new name the ID of generation 0, and the same ID again while it is a member', () => {
    const ids = new MemberIds();
    const id = ids.add(n('a.example.'));
    assert.equal(id, memberId(n('a.example.'), 0));
    assert.equal(ids.add(n('A.Example.')), id);
    assert.equal(ids.idOf(n('A.EXAMPLE.')), id);
    assert.equal(ids.has(n('a.example.')), true);
    assert.equal(ids.size, 1);
  });

  it('gives a removed name, added again, the next generation (RFC 9432 §5.4 reset)', () => {
    const ids = new MemberIds();
    const first = ids.add(n('a.example.'));
    assert.equal(ids.remove(n('a.example.')), true);
    assert.equal(ids.has(n('a.example.')), false);
    assert.equal(ids.idOf(n('a.example.')), undefined);
    const second = ids.add(n('a.example.'));
    assert.notEqual(second, first);
    assert.equal(second, memberId(n('a.example.'), 1));
    ids.remove(n('a.example.'));
    assert.equal(ids.add(n('a.example.')), memberId(n('a.example.'), 2));
  });

  it('remove of a name that is not a member is false and changes nothing', () => {
    const ids = new MemberIds();
    ids.add(n('a.example.'));
    assert.equal(ids.remove(n('b.example.')), false);
    assert.deepEqual(ids.toJSON(), { version: 1, members: [{ name: 'a.example.', generation: 0 }], removed: [] });
  });

  it('raises the generation while the ID is in use by another member', () => {
    // An ID function where every name's generation 0 and 1 clash: a.example. takes 'x0', b.example. must skip to 2.
    const clashing = (name: Name, g: number): string => (g < 2 ? 'x0' : `${name.toText()}-${g}`);
    const ids = new MemberIds(clashing);
    assert.equal(ids.add(n('a.example.')), 'x0');
    assert.equal(ids.add(n('b.example.')), 'b.example.-2');
    assert.deepEqual(ids.toJSON().members, [
      { name: 'a.example.', generation: 0 },
      { name: 'b.example.', generation: 2 },
    ]);
    // Once a.example. is gone its ID is free again.
    ids.remove(n('a.example.'));
    assert.equal(ids.add(n('c.example.')), 'x0');
  });

  it('lists its members with their IDs', () => {
    const ids = new MemberIds();
    ids.add(n('a.example.'));
    ids.add(n('B.example.'));
    assert.deepEqual(
      ids.members().map((m) => [m.name.toText(), m.id]),
      [
        ['a.example.', memberId(n('a.example.'), 0)],
        ['B.example.', memberId(n('b.example.'), 0)],
      ],
    );
  });

  it('reads back what it saved, through JSON text, with the same IDs and the same next generations', () => {
    const ids = new MemberIds();
    for (const t of ['a.example.', 'b.example.', 'we\\.ird\\255.example.']) ids.add(n(t));
    ids.remove(n('b.example.'));
    ids.add(n('b.example.'));
    ids.remove(n('a.example.'));
    const back = MemberIds.fromJSON(JSON.parse(JSON.stringify(ids)));
    assert.deepEqual(back.toJSON(), ids.toJSON());
    for (const t of ['b.example.', 'we\\.ird\\255.example.']) assert.equal(back.idOf(n(t)), ids.idOf(n(t)));
    assert.equal(back.has(n('a.example.')), false);
    assert.equal(back.add(n('a.example.')), memberId(n('a.example.'), 1));
  });

  const good = { version: 1, members: [{ name: 'a.example.', generation: 0 }], removed: [{ name: 'b.example.', generation: 3 }] };
  const BAD: { title: string; value: unknown; message: RegExp }[] = [
    { title: 'not an object', value: [], message: /not an object/ },
    { title: 'null', value: null, message: /not an object/ },
    { title: 'another version', value: { ...good, version: 2 }, message: /unknown version 2/ },
    { title: 'members missing', value: { version: 1, removed: [] }, message: /members is not an array/ },
    { title: 'removed not an array', value: { ...good, removed: {} }, message: /removed is not an array/ },
    { title: 'a member not an object', value: { ...good, members: ['a.example.'] }, message: /members\[0\] is not an object/ },
    { title: 'a relative name', value: { ...good, members: [{ name: 'a.example', generation: 0 }] }, message: /members\[0\]\.name is not an absolute/ },
    { title: 'a name that does not read', value: { ...good, members: [{ name: 'a..example.', generation: 0 }] }, message: /is not a domain name/ },
    { title: 'a generation not an integer', value: { ...good, members: [{ name: 'a.example.', generation: 1.5 }] }, message: /generation is not an integer/ },
    { title: 'a negative generation', value: { ...good, removed: [{ name: 'b.example.', generation: -1 }] }, message: /removed\[0\]\.generation/ },
    { title: 'a generation over 32 bits', value: { ...good, removed: [{ name: 'b.example.', generation: 2 ** 32 }] }, message: /removed\[0\]\.generation/ },
    {
      title: 'a member twice (any letter case)',
      value: { ...good, members: [{ name: 'a.example.', generation: 0 }, { name: 'A.EXAMPLE.', generation: 1 }] },
      message: /members\[1\]: A\.EXAMPLE\. is listed twice/,
    },
    { title: 'a name both member and removed', value: { ...good, removed: [{ name: 'a.example.', generation: 0 }] }, message: /removed\[0\]: a\.example\. is listed twice/ },
  ];
  for (const c of BAD) {
    it(`fromJSON refuses ${c.title} with CATALOG_STATE_CORRUPT`, () => {
      assert.throws(
        () => MemberIds.fromJSON(c.value),
        (e: unknown) => e instanceof CatalogStateError && e.code === 'CATALOG_STATE_CORRUPT' && c.message.test(e.message),
      );
    });
  }

  it('fromJSON refuses two members with one ID', () => {
    const sameId = (): string => 'same';
    const value = { version: 1, members: [{ name: 'a.example.', generation: 0 }, { name: 'b.example.', generation: 0 }], removed: [] };
    assert.throws(() => MemberIds.fromJSON(value, sameId), (e: unknown) => e instanceof CatalogStateError && /which another member has/.test(e.message));
  });

  it('fromJSON takes the good form', () => {
    const ids = MemberIds.fromJSON(good);
    assert.equal(ids.idOf(n('a.example.')), memberId(n('a.example.'), 0));
    assert.equal(ids.add(n('b.example.')), memberId(n('b.example.'), 4));
  });
});
