/**
 * The hot answers (src/server/hot-answers.ts) against a plain model: a map
 * from (name letter case aside, type, DO, and the exact name or the spelling
 * class) to the last answer kept. Random runs of puts, finds and clears over
 * a ring small enough to wrap many times, used as the responder uses it (a
 * put only after a find missed, of an exact entry or of the question's
 * class at the node's spelling), must never find an answer the model does
 * not hold for that question: an entry written over by the ring, one from
 * before a clear, another question's under the same key, or another
 * class's. Keys are drawn from a handful of values, so entries collide in
 * the table all the time and only the stored octets tell them apart; or
 * from one per question, in a table begun at two slots, so that it grows
 * (entries placed again by their keys) many times in a run. A missed find
 * is allowed (the ring forgets); a put then a find of the same question
 * must find it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { HotAnswers, INITIAL_SLOTS, hotKey } from '../../src/server/hot-answers.js';
import { EXACT_SPELLING } from '../../src/server/spelling-class.js';
import { Name } from '../../src/wire/index.js';
import { hashWireName } from '../../src/zone/index.js';

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

/** Questions: names in several letter cases; the first of each group is the node's spelling. */
const GROUPS = [['www.example.', 'WWW.example.', 'wWw.EXAMPLE.', 'www.Example.'], ['mail.example.', 'MAIL.EXAMPLE.'], ['a.b.', 'A.b.'], ['b.a.', 'b.A.']];
const NAMES = GROUPS.flatMap((g, group) => g.map((text) => ({ group, wire: Name.fromText(text).wire, spelled: Name.fromText(g[0]!).wire })));

/** ZoneNode.spelledFrom, plainly: after the last label with an octet spelled otherwise. */
function spelledFrom(asked: Uint8Array, spelled: Uint8Array): number {
  let from = 0;
  for (let p = 0; asked[p] !== 0; p += asked[p]! + 1) {
    for (let i = p + 1; i <= p + asked[p]!; i++) if (asked[i] !== spelled[i]) from = p + asked[p]! + 1;
  }
  return from;
}

const op = fc.oneof(
  fc.record({
    kind: fc.constant('ask' as const),
    name: fc.integer({ min: 0, max: NAMES.length - 1 }),
    qtype: fc.constantFrom(1, 28, 16),
    dnssecOk: fc.boolean(),
    /** Kept for the question's spelling class (true) or its exact octets. */
    byClass: fc.boolean(),
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
      fc.property(fc.array(op, { minLength: 1, maxLength: 300 }), fc.constantFrom(4096, 16384), fc.boolean(), (ops, bytes, growing) => {
        const hot = new HotAnswers(bytes, growing ? 2 : INITIAL_SLOTS);
        const model = new Map<string, Kept>();
        for (const o of ops) {
          if (o.kind === 'clear') {
            hot.clear();
            model.clear();
            continue;
          }
          const n = NAMES[o.name]!;
          const buf = question(n.wire);
          const cls = spelledFrom(n.wire, n.spelled);
          const at = `${n.group}/${o.qtype}/${o.dnssecOk}`;
          const exactId = `${at}/exact ${Buffer.from(n.wire).toString('hex')}`;
          const classId = `${at}/class ${cls}`;
          // The key is the question's, as hotKey's is, but by its length and type alone: groups of one length, DO or not share keys.
          // Growing: one key per group, type and DO (as hotKey's, any letter case), spread over the table.
          const key = growing ? hotKey(n.group * 131 + 7, o.qtype, o.dnssecOk) : (n.wire.length + o.qtype) % 4;
          const p = hot.find(key, buf, buf.length, o.qtype, o.dnssecOk);
          if (p >= 0) {
            const tail = Buffer.from(hot.ring.subarray(hot.tailStart(p), hot.tailStart(p) + hot.tailLength(p))).toString('hex');
            const got = { aa: hot.aa(p), rcode: hot.rcode(p), an: hot.an(p), ns: hot.ns(p), ar: hot.ar(p), tail };
            const fits = [model.get(exactId), model.get(classId)].some((w) => w !== undefined && JSON.stringify(w) === JSON.stringify(got));
            assert.ok(fits, `found for ${exactId} (class ${cls}) what the model does not hold for it`);
            continue;
          }
          // As the responder does: a miss is answered, then kept, for the class (at the node's spelling) or the exact octets.
          const kept: Kept = { aa: o.aa, rcode: o.rcode, an: o.an, ns: o.an >> 3, ar: o.an >> 5, tail: Buffer.from(o.tail).toString('hex') };
          const name = o.byClass ? n.spelled : n.wire;
          const spelling = o.byClass ? cls : EXACT_SPELLING;
          if (!hot.put(key, name, 0, name.length, spelling, o.qtype, o.dnssecOk, kept.aa, kept.rcode, kept.an, kept.ns, kept.ar, o.tail)) continue;
          model.set(o.byClass ? classId : exactId, kept);
          assert.ok(hot.find(key, buf, buf.length, o.qtype, o.dnssecOk) >= 0, `${exactId} kept but not found at once`);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('hotKey is the same for a name in any letter case, and tells type and DO apart', () => {
    const www = hashWireName(NAMES[0]!.wire);
    const k = hotKey(www, 1, false);
    assert.equal(hotKey(hashWireName(NAMES[1]!.wire), 1, false), k);
    assert.notEqual(hotKey(hashWireName(NAMES[4]!.wire), 1, false), k);
    assert.notEqual(hotKey(www, 28, false), k);
    assert.notEqual(hotKey(www, 1, true), k);
  });
});
