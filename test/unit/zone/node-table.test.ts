/**
 * NodeTable: removal (backward-shift deletion, the last node moved into the
 * gap), replacement and copies keep every node findable by name and none
 * that was removed; pairNodes pairs the nodes of two tables by owner.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Name } from '../../../src/wire/index.js';
import { NodeTable, hashWireName, pairNodes } from '../../../src/zone/node-table.js';
import { runStepsNow } from '../../../src/zone/run-steps.js';
import { ZoneNodeImpl } from '../../../src/zone/zone-node.js';

function node(name: string): ZoneNodeImpl {
  const w = Name.fromText(name).wire;
  return new ZoneNodeImpl(w, 0, w.length, undefined, 0, -1);
}

const hashOf = (n: ZoneNodeImpl): number => hashWireName(n.chunk, n.start, n.end);
const indexOf = (t: NodeTable, n: ZoneNodeImpl): number => t.indexOfWire(hashOf(n), n.chunk, n.start, n.end);

/** Every node of `present` is found by name (key and wire) at a position holding it; no node of `gone` is. */
function assertHolds(t: NodeTable, present: ZoneNodeImpl[], gone: ZoneNodeImpl[]): void {
  assert.equal(t.size, present.length);
  for (const n of present) {
    assert.equal(t.get(n.key), n, `${n.name.toText()} by key`);
    assert.equal(t.getWire(hashOf(n), n.chunk, n.start, n.end), n, `${n.name.toText()} by wire`);
    assert.equal(t.at(indexOf(t, n)), n);
  }
  for (const n of gone) assert.equal(t.get(n.key), undefined, `${n.name.toText()} is gone`);
  assert.deepEqual(new Set(t.values()), new Set(present));
}

describe('NodeTable', () => {
  it('removal keeps the others findable, whatever the probe runs (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1500 }), fc.array(fc.nat(), { maxLength: 1500 }), (count, picks) => {
        // Enough names for the table to grow and for probe runs to collide.
        const all = Array.from({ length: count }, (_, i) => node(`n${i}.example.`));
        const t = new NodeTable();
        for (const n of all) t.insertHashed(hashOf(n), n);
        const present = [...all];
        const gone: ZoneNodeImpl[] = [];
        for (const p of picks) {
          if (present.length === 0) break;
          const [victim] = present.splice(p % present.length, 1);
          t.removeAt(indexOf(t, victim!), hashOf(victim!));
          gone.push(victim!);
        }
        assertHolds(t, present, gone);
        // A removed name can come back.
        for (const n of gone.slice(0, 5)) {
          t.insertHashed(hashOf(n), n);
          present.push(n);
        }
        assertHolds(t, present, gone.slice(5));
      }),
      { numRuns: 60 },
    );
  });

  it('while it grows (entries moved a few at each insertion), every node is found, replaced and removed as before', () => {
    const all = Array.from({ length: 5000 }, (_, i) => node(`g${i}.example.`));
    const t = new NodeTable();
    let sawGrowing = false;
    for (let i = 0; i < all.length; i++) {
      t.insertHashed(hashOf(all[i]!), all[i]!);
      if (t.growing) {
        sawGrowing = true;
        // Mid-growth: old and new entries are both found, by key and by wire.
        for (const j of [0, i >> 1, i]) assert.equal(t.get(all[j]!.key), all[j], `node ${j} of ${i} while growing`);
      }
    }
    assert.ok(sawGrowing, 'the table grew in steps');
    assert.ok(t.slots >= 2 * all.length);
    // set() replaces a node found in either table; removeAt finishes the growth first.
    const again = node('g1.example.');
    t.set(again.key, again);
    const present = [again, ...all.filter((_, i) => i !== 1)];
    const victim = present.pop()!;
    t.removeAt(indexOf(t, victim), hashOf(victim));
    assert.equal(t.growing, false);
    assertHolds(t, present, [victim]);
    // A built zone's table is settled: settleSteps ends any growth.
    const u = new NodeTable();
    for (const n of all.slice(0, 1100)) u.insertHashed(hashOf(n), n);
    assert.equal(u.growing, true, '1,100 nodes: past 2,048 slots / 2 at 1,025, growing to 4,096');
    runStepsNow(u.settleSteps());
    assert.equal(u.growing, false);
    assertHolds(u, all.slice(0, 1100), all.slice(1100, 1110));
  });

  it('starts at 16 slots (a customer zone has a handful of names, issue 14) and grows as names come', () => {
    const t = new NodeTable();
    assert.equal(t.slots, 16);
    const all = Array.from({ length: 40 }, (_, i) => node(`s${i}.example.`));
    for (const n of all) t.insertHashed(hashOf(n), n);
    runStepsNow(t.settleSteps());
    assert.ok(t.slots >= 2 * all.length, `${t.slots} slots for ${all.length}`);
    assertHolds(t, all, [node('absent.example.')]);
  });

  it('sized for the nodes expected, it never grows while they are added', () => {
    const all = Array.from({ length: 3000 }, (_, i) => node(`e${i}.example.`));
    const t = new NodeTable(all.length);
    const slots = t.slots;
    assert.ok(slots >= 2 * all.length, `${slots} slots for ${all.length}`);
    for (const n of all) {
      t.insertHashed(hashOf(n), n);
      assert.equal(t.growing, false);
    }
    assert.equal(t.slots, slots);
    assertHolds(t, all, []);
  });

  it('a copy holds the same nodes and is changed apart from the original; replaceAt swaps one node', () => {
    const all = Array.from({ length: 70_000 }, (_, i) => node(`h${i}.example.`));
    const t = new NodeTable();
    for (const n of all) t.insertHashed(hashOf(n), n);
    const c = runStepsNow(t.copySteps());
    assertHolds(c, all, []);
    const other = node('H5.EXAMPLE.');
    c.replaceAt(indexOf(c, all[5]!), other);
    c.removeAt(indexOf(c, all[6]!), hashOf(all[6]!));
    assert.equal(c.get(all[5]!.key), other, 'replaced in the copy');
    assert.equal(t.get(all[5]!.key), all[5], 'the original keeps its node');
    assert.equal(t.get(all[6]!.key), all[6]);
    assert.equal(c.get(all[6]!.key), undefined);
    // A position that holds no node is refused (its probe would never end).
    assert.throws(() => c.removeAt(-1, hashOf(all[7]!)), /no node at -1/);
    assert.throws(() => c.replaceAt(c.size, other), /no node at/);
  });

  it('pairNodes pairs by owner in any order and letter case, undefined where the other lacks it', () => {
    const a = new NodeTable();
    const b = new NodeTable();
    const names = ['a', 'b', 'c', 'd', 'e', 'f'].map((x) => `${x}.example.`);
    const an = names.map(node);
    // b: another order, one name missing, one new, one in upper case.
    const bn = ['c', 'A', 'b', 'f', 'g', 'e'].map((x) => node(`${x}.example.`));
    for (const n of an) a.insertHashed(hashOf(n), n);
    for (const n of bn) b.insertHashed(hashOf(n), n);
    const pairs = [...pairNodes(a, b)].map(([x, y]) => `${x.name.toText()}=${y === undefined ? '-' : y.name.toText()}`);
    assert.deepEqual(pairs, ['a.example.=A.example.', 'b.example.=b.example.', 'c.example.=c.example.', 'd.example.=-', 'e.example.=e.example.', 'f.example.=f.example.']);
  });
});
