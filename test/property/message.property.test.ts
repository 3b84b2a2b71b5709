import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decodeMessage, emptyMessage, encodeMessage, encodeMessageToBytes, type ResourceRecord } from '../../src/wire/index.js';
import { message, plain } from './arbitraries.js';

const records = (list: readonly ResourceRecord[]): unknown => (plain({ ...emptyMessage(), answers: [...list] }) as { answers: unknown }).answers;

const RUNS = 300;

describe('messages: encode → decode', () => {
  it('arbitrary messages survive encode → decode', () => {
    fc.assert(
      fc.property(message, (m) => {
        const back = decodeMessage(encodeMessageToBytes(m));
        assert.deepEqual(plain(back), plain(m));
      }),
      { numRuns: RUNS, seed: 1 },
    );
  });

  it('decode gives the same message with and without compression, and compression never grows the output', () => {
    fc.assert(
      fc.property(message, (m) => {
        const a = encodeMessageToBytes(m, { compress: true });
        const b = encodeMessageToBytes(m, { compress: false });
        assert.ok(a.length <= b.length, `compressed ${a.length} > uncompressed ${b.length}`);
        assert.deepEqual(plain(decodeMessage(a)), plain(decodeMessage(b)));
      }),
      { numRuns: RUNS, seed: 2 },
    );
  });

  it('a size limit is respected and the cut falls on an RRset boundary', () => {
    fc.assert(
      fc.property(message, fc.integer({ min: 0, max: 600 }), (m, slack) => {
        const full = encodeMessageToBytes(m);
        const buf = new Uint8Array(65535);
        const limit = Math.max(12, full.length - slack);
        let res;
        try {
          res = encodeMessage(m, buf, { limit });
        } catch (e) {
          // Only acceptable when header + question + OPT + TSIG alone exceed the limit.
          assert.equal((e as { code?: string }).code, 'WIRE_NO_SPACE');
          return;
        }
        assert.ok(res.length <= limit);
        const back = decodeMessage(buf.subarray(0, res.length));
        const sections = [
          [m.answers, back.answers],
          [m.authorities, back.authorities],
          [m.additionals, back.additionals],
        ] as const;
        for (const [orig, got] of sections) {
          const n = got.length;
          assert.deepEqual(records(got), records(orig.slice(0, n)), 'what is kept is a prefix of the section');
          if (n < orig.length && n > 0) {
            const last = orig[n - 1]!;
            const next = orig[n]!;
            assert.ok(!(last.type === next.type && last.name.equals(next.name)), 'cut inside an RRset');
          }
        }
        assert.equal(res.truncated, res.length < full.length || back.answers.length + back.authorities.length + back.additionals.length < m.answers.length + m.authorities.length + m.additionals.length);
        assert.equal(back.edns !== null, m.edns !== null, 'OPT always kept');
      }),
      { numRuns: RUNS, seed: 3 },
    );
  });
});
