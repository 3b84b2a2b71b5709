/** Peer addresses as sockets report them, and network/prefix matching (src/wire/ip-network.ts). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inNetwork, parsePeerAddress, prefixMaskOctet } from '../../../src/wire/ip-network.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('peer addresses and networks', () => {
  const peers: [string, 0 | 4 | 6, string][] = [
    ['192.0.2.1', 4, 'c0000201'],
    ['::ffff:192.0.2.1', 4, 'c0000201'],
    ['::1', 6, '00000000000000000000000000000001'],
    ['fe80::1%eth0', 6, 'fe800000000000000000000000000001'],
    ['::ffff:0:1.2.3.4', 6, '0000000000000000ffff000001020304'],
    ['2001:DB8::A', 6, '20010db800000000000000000000000a'],
    ['localhost', 0, ''],
    ['1.2.3.256', 0, ''],
  ];
  for (const [text, family, octets] of peers) {
    it(`reads ${text} as ${family === 0 ? 'no address' : `IPv${family}`}`, () => {
      const out = new Uint8Array(16);
      assert.equal(parsePeerAddress(text, out), family);
      if (family !== 0) assert.equal(hex(out.subarray(0, family === 4 ? 4 : 16)), octets);
    });
  }

  it('masks each octet of a prefix', () => {
    assert.deepEqual([0, 1, 2, 3].map((i) => prefixMaskOctet(20, i)), [0xff, 0xff, 0xf0, 0]);
    assert.deepEqual([0, 1].map((i) => prefixMaskOctet(0, i)), [0, 0]);
  });

  const nets: [number[], number[], number, boolean][] = [
    [[192, 0, 2, 77], [192, 0, 2, 0], 24, true],
    [[192, 0, 3, 77], [192, 0, 2, 0], 24, false],
    [[192, 0, 3, 77], [192, 0, 2, 0], 23, true],
    [[10, 1, 2, 3], [0, 0, 0, 0], 0, true],
    [[192, 0, 2, 1], [192, 0, 2, 1], 32, true],
    [[192, 0, 2, 2], [192, 0, 2, 1], 32, false],
  ];
  for (const [addr, net, prefix, inside] of nets) {
    it(`${addr.join('.')} is ${inside ? '' : 'not '}in ${net.join('.')}/${prefix}`, () => {
      assert.equal(inNetwork(Uint8Array.from(addr), Uint8Array.from(net), prefix), inside);
    });
  }
});
