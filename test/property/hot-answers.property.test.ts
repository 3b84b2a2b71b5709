/**
 * The hot answers (src/server/hot-answers.ts) against a plain model: a map
 * from (question octets, type, DO) to the last answer kept. Random runs of
 * puts, finds and clears over a ring small enough to wrap many times, used
 * as the responder uses it (a put only after a find missed), must never
 * find an answer the model does not hold for that question: an entry
 * written over by the ring, one from before a clear, or another question's
 * under the same key. Keys are drawn from a handful of values, so entries
 * collide in the table all the time and only the stored octets tell them
 * apart. A missed find is allowed (the ring forgets); a put then a find of
 * the same question must find it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { HotAnswers, hotKey } from '../../src/server/hot-answers.js';

interface Kept {
  aa: boolean;
  rcode: number;
  an: number;
  ns: number;
  ar: number;
  tail: string;
}

/** A question buffer: a 12-octet header, then the name. */
function question(name: Uint8Array): Uint8Array {
  const b = new Uint8Array(12 + name.length);
  b.set(name, 12);
  return b;
}

const NAMES = ['www', 'WWW', 'mail', 'a', 'b', 'longer-label-name'].map((l) => {
  const wire = Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'latin1'), Buffer.from([7]), Buffer.from('example', 'latin1'), Buffer.from([0])]);
  return new Uint8Array(wire);
});

const op = fc.oneof(
  fc.record({
    kind: fc.constant('ask' as const),
    name: fc.integer({ min: 0, max: NAMES.length - 1 }),
    qtype: fc.constantFrom(1, 28, 16),
    dnssecOk: fc.boolean(),
    tail: fc.uint8Array({ minLength: 0, maxLength: 200 }),
    aa: fc.boolean(),
    rcode: fc.integer({ min: 0, max: 15 }),
    an: fc.integer({ min: 0, max: 0xffff }),
  }),
  fc.record({ kind: fc.constant('clear' as const) }),
);

describe('HotAnswers against a map (fast-check)', () => {
  it('never finds what the model does not hold, and finds what was just kept', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 300 }), fc.constantFrom(4096, 16384), (ops, bytes) => {
        const hot = new HotAnswers(bytes);
        const model = new Map<string, Kept>();
        for (const o of ops) {
          if (o.kind === 'clear') {
            hot.clear();
            model.clear();
            continue;
          }
          const buf = question(NAMES[o.name]!);
          const id = `${o.name}/${o.qtype}/${o.dnssecOk}`;
          // The key is the question's, as hotKey's is, but by its length and type alone: www and WWW, a and b, DO or not share keys.
          const key = (NAMES[o.name]!.length + o.qtype) % 4;
          const p = hot.find(key, buf, buf.length, o.qtype, o.dnssecOk);
          if (p >= 0) {
            const want = model.get(id);
            assert.ok(want !== undefined, `found ${id}, which was never kept (or was cleared)`);
            const tail = Buffer.from(hot.ring.subarray(hot.tailStart(p), hot.tailStart(p) + hot.tailLength(p))).toString('hex');
            assert.deepEqual({ aa: hot.aa(p), rcode: hot.rcode(p), an: hot.an(p), ns: hot.ns(p), ar: hot.ar(p), tail }, want, id);
            continue;
          }
          // As the responder does: a miss is answered, then kept.
          const kept: Kept = { aa: o.aa, rcode: o.rcode, an: o.an, ns: o.an >> 3, ar: o.an >> 5, tail: Buffer.from(o.tail).toString('hex') };
          if (!hot.put(key, buf, buf.length, o.qtype, o.dnssecOk, kept.aa, kept.rcode, kept.an, kept.ns, kept.ar, o.tail)) continue;
          model.set(id, kept);
          assert.ok(hot.find(key, buf, buf.length, o.qtype, o.dnssecOk) >= 0, `${id} kept but not found at once`);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('hotKey tells letter case, type and DO apart, and is the same for the same question', () => {
    const www = question(NAMES[0]!);
    const WWW = question(NAMES[1]!);
    const k = hotKey(www, www.length, 1, false);
    assert.equal(hotKey(question(NAMES[0]!), www.length, 1, false), k);
    assert.notEqual(hotKey(WWW, WWW.length, 1, false), k);
    assert.notEqual(hotKey(www, www.length, 28, false), k);
    assert.notEqual(hotKey(www, www.length, 1, true), k);
  });
});
