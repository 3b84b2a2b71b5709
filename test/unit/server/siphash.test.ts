/**
 * SipHash-2-4 against the reference test vectors (key 00..0f, message
 * 00..n-1, output as the reference code writes it), for every message
 * length from 0 to 31: every tail length and one to three full words.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { siphash24 } from '../../../src/server/siphash.js';

const VECTORS = [
  '310e0edd47db6f72', 'fd67dc93c539f874', '5a4fa9d909806c0d', '2d7efbd796666785',
  'b7877127e09427cf', '8da699cd64557618', 'cee3fe586e46c9cb', '37d1018bf50002ab',
  '6224939a79f5f593', 'b0e4a90bdf82009e', 'f3b9dd94c5bb5d7a', 'a7ad6b22462fb3f4',
  'fbe50e86bc8f1e75', '903d84c02756ea14', 'eef27a8e90ca23f7', 'e545be4961ca29a1',
  'db9bc2577fcc2a3f', '9447be2cf5e99a69', '9cd38d96f0b3c14b', 'bd6179a71dc96dbb',
  '98eea21af25cd6be', 'c7673b2eb0cbf2d0', '883ea3e395675393', 'c8ce5ccd8c030ca8',
  '94af49f6c650adb8', 'eab8858ade92e1bc', 'f315bb5bb835d817', 'adcf6b0763612e2f',
  'a5c91da7acaa4dde', '716595876650a2a6', '28ef495c53a387ad', '42c341d8fa92d832',
];

const KEY = Uint8Array.from({ length: 16 }, (_, i) => i);
const MSG = Uint8Array.from({ length: 64 }, (_, i) => i);

describe('siphash24', () => {
  it('gives the reference vectors for messages of 0 to 31 octets', () => {
    const out = new Uint8Array(8);
    VECTORS.forEach((want, n) => {
      siphash24(KEY, MSG, 0, n, out);
      assert.equal(Buffer.from(out).toString('hex'), want, `message of ${n} octets`);
    });
  });

  it('hashes a slice in place and writes at an offset', () => {
    const buf = new Uint8Array(40);
    buf.set(MSG.subarray(0, 15), 5);
    const out = new Uint8Array(12);
    siphash24(KEY, buf, 5, 20, out, 4);
    assert.equal(Buffer.from(out.subarray(4)).toString('hex'), VECTORS[15]);
    assert.deepEqual([...out.subarray(0, 4)], [0, 0, 0, 0]);
  });

  it('refuses a key that is not 16 octets', () => {
    assert.throws(() => siphash24(new Uint8Array(8), MSG, 0, 1, new Uint8Array(8)), RangeError);
  });
});
