/** needsOwner: which datagrams a serving thread passes to the main thread (issue 16 §3). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { needsOwner } from '../../../src/server/owner-relay.js';
import { Opcode, RRType } from '../../../src/wire/index.js';
import { buildQuery, ixfrQuery } from '../../support/dns-client.js';

/** `q` with its opcode set to `opcode` (RFC 1035 §4.1.1: bits 1-4 of the third octet). */
const withOpcode = (q: Uint8Array, opcode: number): Uint8Array => {
  const c = q.slice();
  c[2] = (c[2]! & 0x87) | (opcode << 3);
  return c;
};
const query = (type: number, name = 'www.example.'): Uint8Array => buildQuery({ id: 1, name, type });

describe('needsOwner', () => {
  const compressed = query(RRType.A);
  compressed[12] = 0xc0; // the question's name a pointer: answered (FORMERR) where it came in
  const cases: [string, Uint8Array, number | undefined, boolean][] = [
    ['A', query(RRType.A), undefined, false],
    ['SOA', query(RRType.SOA), undefined, false],
    ['ANY', query(RRType.ANY), undefined, false],
    ['the root, A', query(RRType.A, '.'), undefined, false],
    ['AXFR', query(RRType.AXFR), undefined, true],
    ['IXFR with its SOA', ixfrQuery(1, 'example', 7), undefined, true],
    ['NOTIFY', withOpcode(query(RRType.SOA), Opcode.NOTIFY), undefined, true],
    ['UPDATE', withOpcode(query(RRType.SOA), Opcode.UPDATE), undefined, true],
    ['opcode 3 (unassigned)', withOpcode(query(RRType.A), 3), undefined, true],
    ['STATUS', withOpcode(query(RRType.A), Opcode.STATUS), undefined, true],
    ['no question', query(RRType.A).slice(0, 12).fill(0, 4, 6), undefined, false],
    ['shorter than a header', query(RRType.A), 11, false],
    ['a question cut short before its type', query(RRType.AXFR), 12 + 'www.example.'.length + 2, false],
    ['a pointer in the question', compressed, undefined, false],
    ['two questions', (() => { const q = query(RRType.AXFR); q[5] = 2; return q; })(), undefined, false],
  ];
  for (const [what, buf, length, want] of cases) it(`${what}: ${want ? 'the main thread' : 'the thread'}`, () => assert.equal(needsOwner(buf, length ?? buf.length), want));
});
