import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { formatIPv6, parseIPv4, parseIPv6 } from '../../../src/wire/ip-address.js';

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
});
