import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { formatIPv6, parseIPv4, parseIPv4Range, parseIPv6, parsePlainIPv6Range } from '../../../src/wire/ip-address.js';

describe('IP address text', () => {
  it('parses every IPv6 address back from its printed and its full form, writing all 16 octets', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (b) => {
        const full = Array.from({ length: 8 }, (_, i) => ((b[2 * i]! << 8) | b[2 * i + 1]!).toString(16)).join(':');
        for (const text of [formatIPv6(b), full, full.toUpperCase()]) {
          const out = new Uint8Array(16).fill(0xaa); // a used buffer: the zeros of `::` must be written
          assert.ok(parseIPv6(text, out), text);
          assert.deepEqual([...out], [...b], text);
        }
      }),
      { numRuns: 2000, seed: 6 },
    );
  });

  it('refuses malformed IPv6 and IPv4', () => {
    for (const bad of ['1::2::3', ':1::', '1:2:3:4:5:6:7:8:9', '12345::', '1:2:3:4:5:6:7', 'g::1', '::1.2.3', '1:', ':', '1::2:', '::ffff:1.2.3.04']) {
      assert.equal(parseIPv6(bad, new Uint8Array(16)), false, bad);
    }
    for (const bad of ['1.2.3', '1.2.3.4.5', '01.2.3.4', '256.1.1.1', '1..2.3', '', 'a.b.c.d', '1.2.3.4 ']) {
      assert.equal(parseIPv4(bad, new Uint8Array(4)), false, bad);
    }
  });

  it('the range forms (zone-file fast path) read s[from, to) as the text forms read that slice, whatever is around it', () => {
    const text = fc.oneof(fc.ipV4(), fc.ipV6(), fc.ipV4Extended(), fc.stringMatching(/^[0-9a-fA-F:.]{0,12}$/));
    fc.assert(
      fc.property(fc.string({ maxLength: 4 }), text, fc.string({ maxLength: 4 }), (before, t, after) => {
        const s = before + t + after;
        const from = before.length;
        const to = from + t.length;
        const a = new Uint8Array(4);
        const b = new Uint8Array(4);
        assert.equal(parseIPv4Range(s, from, to, a), parseIPv4(t, b), t);
        if (parseIPv4(t, b)) assert.deepEqual([...a], [...b], t);
        const c = new Uint8Array(16).fill(0xaa);
        const d = new Uint8Array(16);
        // The plain form says yes only where parseIPv6 does, with the same octets.
        if (parsePlainIPv6Range(s, from, to, c)) {
          assert.ok(parseIPv6(t, d), t);
          assert.deepEqual([...c], [...d], t);
        }
      }),
      { numRuns: 2000, seed: 4291 },
    );
    const out = new Uint8Array(16);
    assert.ok(parsePlainIPv6Range('xx2001:db8::1yy', 2, 13, out));
    assert.equal(formatIPv6(out), '2001:db8::1');
  });
});
