/**
 * membershipChanges, table-driven: added, removed, reset (same name, new
 * ID: never removed + added) and changed (same name and ID, other groups or
 * coo), names matched in any letter case.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { membershipChanges, type CatalogEntry, type MembershipChanges } from '../../../src/catalog/index.js';
import { Name } from '../../../src/wire/index.js';

const e = (id: string, name: string, groups: string[] = [], coo: string | null = null): CatalogEntry => ({
  id,
  name: Name.fromText(name),
  groups,
  coo: coo === null ? null : Name.fromText(coo),
});

/** The changes as text: `+name/id`, `-name/id`, `name/id>id`, `~name/id`. */
function summary(c: MembershipChanges): string[] {
  return [
    ...c.added.map((x) => `+${x.name.toText()}/${x.id}`),
    ...c.removed.map((x) => `-${x.name.toText()}/${x.id}`),
    ...c.reset.map((x) => `${x.after.name.toText()}/${x.before.id}>${x.after.id}`),
    ...c.changed.map((x) => `~${x.name.toText()}/${x.id}`),
  ];
}

const CASES: { title: string; before: CatalogEntry[]; after: CatalogEntry[]; changes: string[] }[] = [
  { title: 'nothing to nothing', before: [], after: [], changes: [] },
  { title: 'the same membership', before: [e('aa', 'a.example.', ['g'], 'c.example.')], after: [e('aa', 'a.example.', ['g'], 'c.example.')], changes: [] },
  { title: 'a new name is added', before: [e('aa', 'a.example.')], after: [e('aa', 'a.example.'), e('bb', 'b.example.')], changes: ['+b.example./bb'] },
  { title: 'a name gone is removed', before: [e('aa', 'a.example.'), e('bb', 'b.example.')], after: [e('aa', 'a.example.')], changes: ['-b.example./bb'] },
  { title: 'the same name under a new ID is reset', before: [e('aa', 'a.example.')], after: [e('cc', 'a.example.')], changes: ['a.example./aa>cc'] },
  { title: 'a new ID for a name in other letters is a reset too', before: [e('aa', 'a.example.')], after: [e('cc', 'A.Example.')], changes: ['A.Example./aa>cc'] },
  { title: 'only the letter case of the name differs: no change', before: [e('aa', 'a.example.')], after: [e('aa', 'A.EXAMPLE.')], changes: [] },
  { title: 'an ID moved to another name: one removed, one added', before: [e('aa', 'a.example.')], after: [e('aa', 'b.example.')], changes: ['+b.example./aa', '-a.example./aa'] },
  { title: 'other groups are a change', before: [e('aa', 'a.example.', ['x'])], after: [e('aa', 'a.example.', ['x', 'y'])], changes: ['~a.example./aa'] },
  { title: 'groups in another order are not', before: [e('aa', 'a.example.', ['x', 'y'])], after: [e('aa', 'a.example.', ['y', 'x'])], changes: [] },
  { title: 'a coo set is a change', before: [e('aa', 'a.example.')], after: [e('aa', 'a.example.', [], 'new.example.')], changes: ['~a.example./aa'] },
  { title: 'another coo is a change', before: [e('aa', 'a.example.', [], 'one.example.')], after: [e('aa', 'a.example.', [], 'two.example.')], changes: ['~a.example./aa'] },
  { title: 'a coo in other letters is not', before: [e('aa', 'a.example.', [], 'one.example.')], after: [e('aa', 'a.example.', [], 'ONE.example.')], changes: [] },
  {
    title: 'all at once',
    before: [e('aa', 'a.example.'), e('bb', 'b.example.'), e('cc', 'c.example.', ['g'])],
    after: [e('dd', 'd.example.'), e('b2', 'b.example.'), e('cc', 'c.example.', ['h'])],
    changes: ['+d.example./dd', '-a.example./aa', 'b.example./bb>b2', '~c.example./cc'],
  },
];

describe('membershipChanges', () => {
  for (const c of CASES) {
    it(c.title, () => {
      assert.deepEqual(summary(membershipChanges(c.before, c.after)), c.changes);
    });
  }

  it('hands back the entries themselves: added and changed from after, removed from before, reset both', () => {
    const before = [e('aa', 'a.example.'), e('bb', 'b.example.', ['x'])];
    const after = [e('a2', 'a.example.'), e('bb', 'b.example.', ['y']), e('cc', 'c.example.')];
    const c = membershipChanges(before, after);
    assert.equal(c.reset[0]!.before, before[0]);
    assert.equal(c.reset[0]!.after, after[0]);
    assert.equal(c.changed[0], after[1]);
    assert.equal(c.added[0], after[2]);
  });

  it('refuses a membership that lists a name twice', () => {
    assert.throws(() => membershipChanges([e('aa', 'a.example.'), e('bb', 'A.example.')], []), RangeError);
  });
});
