/**
 * memberId: 16 lowercase hex digits of SHA-256 over the generation (4
 * octets big-endian) and the lower-cased wire name; the vectors were
 * computed apart (Python's hashlib), so the layout of the hashed octets is
 * checked, not only its stability.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MEMBER_ID_HEX_DIGITS, memberId } from '../../../src/catalog/index.js';
import { Name } from '../../../src/wire/index.js';

const VECTORS: { name: string; generation: number; id: string }[] = [
  { name: 'example.com.', generation: 0, id: '4e27f4c7e8e6588b' },
  { name: 'example.com.', generation: 1, id: '6592a359b58c85d5' },
  { name: 'example.com.', generation: 0xffffffff, id: 'b8199d27be2c66ac' },
  { name: 'Example.COM.', generation: 0, id: '4e27f4c7e8e6588b' },
  { name: '.', generation: 0, id: '8855508aade16ec5' },
];

describe('memberId', () => {
  for (const v of VECTORS) {
    it(`${v.name} generation ${v.generation} is ${v.id}`, () => {
      assert.equal(memberId(Name.fromText(v.name), v.generation), v.id);
    });
  }

  it('is 16 lowercase hex digits, and differs between names and between generations', () => {
    const seen = new Set<string>();
    for (const n of ['a.example.', 'b.example.', 'example.', 'a\\.b.example.']) {
      for (let g = 0; g < 4; g++) {
        const id = memberId(Name.fromText(n), g);
        assert.match(id, new RegExp(`^[0-9a-f]{${MEMBER_ID_HEX_DIGITS}}$`));
        seen.add(id);
      }
    }
    assert.equal(seen.size, 16);
  });

  for (const bad of [-1, 1.5, 2 ** 32, Number.NaN]) {
    it(`refuses generation ${bad} with a RangeError`, () => {
      assert.throws(() => memberId(Name.fromText('example.com.'), bad), RangeError);
    });
  }
});
