/**
 * The nodes of a zone read from an image (ImageNodeTable, issue 16 §3) are
 * held weakly: the same node is the same object for as long as something
 * holds it (identity within a question and in the denial index), and a
 * node nothing holds any more is collected, so a serving thread does not
 * keep an object per name it was ever asked for.
 */
import assert from 'node:assert/strict';
import { setImmediate as turn } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { fullGc } from '../../../src/daemon/heap-compaction.js';
import { loadZoneText, zoneFromImage, zoneImage, type ZoneNode } from '../../../src/zone/index.js';
import { Name } from '../../../src/wire/index.js';

const ORIGIN = Name.fromText('weak.example.');
const TEXT = ['$ORIGIN weak.example.', '$TTL 300', '@ SOA ns1 hostmaster 1 3600 900 604800 300', '@ NS ns1', 'ns1 A 192.0.2.1',
  ...Array.from({ length: 200 }, (_, i) => `h${i} A 198.51.100.${i % 250}`)].join('\n');

describe('ImageNodeTable: nodes held weakly', () => {
  const gc = fullGc();
  const zone = zoneFromImage(zoneImage(loadZoneText(TEXT, ORIGIN)));
  const name = (i: number): Name => Name.fromText(`h${i}.weak.example.`);

  it('a node held is the same object at every lookup, across collections', async () => {
    const held = zone.lookup(name(7))!;
    assert.ok(held !== undefined);
    for (let round = 0; round < 3; round++) {
      await turn();
      gc();
      assert.equal(zone.lookup(name(7)), held, `round ${round}`);
    }
  });

  it('a node nothing holds is collected, and a later lookup makes an equal one', async () => {
    const weak: WeakRef<ZoneNode>[] = [];
    for (let i = 100; i < 200; i++) weak.push(new WeakRef(zone.lookup(name(i))!));
    // WeakRef targets live until the end of the job that made them (ECMA-262 ClearKeptObjects).
    await turn();
    gc();
    const alive = weak.filter((w) => w.deref() !== undefined).length;
    assert.ok(alive < 10, `${alive} of 100 nodes nobody holds are still alive after a full collection`);
    const again = zone.lookup(name(150))!;
    assert.equal(again.name.toText(), 'h150.weak.example.');
    assert.equal(again.rrsets.size, 1);
  });
});
