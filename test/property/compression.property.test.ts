/**
 * Name compression by hash (src/wire/writer.ts) chooses exactly what the
 * plain rule chooses: for each suffix of the name, longest first, the
 * earliest name position whose octets are identical (RFC 1035 §4.1.4;
 * case kept, as BIND). The reference below is that rule written as a
 * linear scan over every position registered; random runs of names (few
 * labels, so suffixes repeat, in mixed case), with and without compression
 * and registration, and rollbacks to earlier marks, must give the same
 * octets at every step.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Name, WireWriter } from '../../src/wire/index.js';

/** The rule, plainly: every registered position with the uncompressed suffix it stands for. */
class LinearCompressor {
  readonly buf: Uint8Array;
  pos = 0;
  /** Registered positions: message offset and the suffix's uncompressed octets. */
  targets: { off: number; suffix: string }[] = [];

  constructor(size = 16384) {
    this.buf = new Uint8Array(size);
  }

  name(wire: Uint8Array, compress: boolean, register: boolean): void {
    const starts: number[] = [];
    for (let q = 0; wire[q] !== 0; q += wire[q]! + 1) starts.push(q);
    const key = (q: number): string => Buffer.from(wire.subarray(q)).toString('hex');
    let hit = -1;
    let at = wire.length - 1;
    if (compress) {
      search: for (const q of starts) {
        for (const t of this.targets) {
          if (t.suffix === key(q)) {
            hit = t.off;
            at = q;
            break search;
          }
        }
      }
    }
    const literal = hit >= 0 ? at : wire.length;
    const start = this.pos;
    this.buf.set(wire.subarray(0, literal), start);
    if (hit >= 0) {
      this.buf[start + literal] = 0xc0 | (hit >>> 8);
      this.buf[start + literal + 1] = hit & 0xff;
    }
    this.pos = start + literal + (hit >= 0 ? 2 : 0);
    if (register) {
      for (const q of starts) {
        if (q >= literal || start + q > 0x3fff || this.targets.length >= 512) break;
        this.targets.push({ off: start + q, suffix: key(q) });
      }
    }
  }
}

const label = fc.constantFrom('a', 'B', 'b', 'www', 'mail', 'Mail', 'example', 'com', 'x'.repeat(40));
const name = fc.array(label, { minLength: 0, maxLength: 5 }).map((ls) => Name.fromText(ls.length === 0 ? '.' : `${ls.join('.')}.`).wire);
const step = fc.oneof(
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('name' as const), wire: name, compress: fc.boolean(), register: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('rewind' as const), back: fc.nat(40) }) },
);

describe('name compression by hash', () => {
  it('gives the octets of the linear rule: same pointers, at every step, through rollbacks', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 20, maxLength: 400, size: 'max' }), (steps) => {
        const w = new WireWriter(new Uint8Array(16384));
        const ref = new LinearCompressor();
        const marks: { pos: number; targets: number; refTargets: number }[] = [];
        for (const s of steps) {
          if (s.kind === 'name') {
            if (ref.pos + s.wire.length + 2 > 16000) break;
            marks.push({ pos: w.pos, targets: w.targetCount, refTargets: ref.targets.length });
            w.name(s.wire, 0, s.compress, s.register);
            ref.name(s.wire, s.compress, s.register);
          } else if (marks.length > 0) {
            const m = marks[Math.max(0, marks.length - 1 - s.back)]!;
            marks.length = Math.max(0, marks.length - 1 - s.back);
            w.rewind(m.pos, m.targets);
            ref.pos = m.pos;
            ref.targets.length = m.refTargets;
          }
          assert.equal(w.pos, ref.pos);
          assert.deepEqual(w.buf.subarray(0, w.pos), ref.buf.subarray(0, ref.pos));
        }
      }),
      { numRuns: 300, seed: 7 },
    );
  });

  it('a long message: names past 512 positions are still compressed against the first 512', () => {
    const w = new WireWriter(new Uint8Array(65535));
    const ref = new LinearCompressor(65535);
    for (let i = 0; i < 1500; i++) {
      const wire = Name.fromText(`h${i % 700}.z${i % 7}.example.`).wire;
      w.name(wire, 0, true, true);
      ref.name(wire, true, true);
    }
    assert.equal(w.pos, ref.pos);
    assert.deepEqual(w.buf.subarray(0, w.pos), ref.buf.subarray(0, ref.pos));
  });
});
