/**
 * PositionTable: every position added reads back, across the first chunk's
 * doublings (64 positions to start with, issue 14) and the whole chunks
 * after it; -1 and indexes past the end are unknown.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PositionTable } from '../../../src/zone/position-table.js';

describe('PositionTable', () => {
  it('reads back 40,000 positions in two files; six positions take one small chunk', () => {
    const t = new PositionTable();
    const at = (i: number) => ({ file: i % 3 === 0 ? 'a.zone' : 'b.inc', line: i + 1, col: (i % 7) + 1 });
    for (let i = 0; i < 6; i++) assert.equal(t.add(at(i)), i);
    assert.equal(t.octets, 3 * 4 * 64, 'six positions: the 64-position first chunk (768 octets), not 192 KiB');
    for (let i = 6; i < 40_000; i++) assert.equal(t.add(at(i)), i);
    for (let i = 0; i < 40_000; i++) assert.deepEqual(t.get(i), at(i), `position ${i}`);
    assert.equal(t.octets, 3 * 4 * 3 * 16384, 'then whole chunks of 16,384');
    assert.equal(t.add(undefined), -1);
    assert.equal(t.get(-1), undefined);
    assert.equal(t.get(40_000), undefined);
    t.clear();
    assert.equal(t.octets, 0);
    assert.equal(t.get(0), undefined);
  });
});
