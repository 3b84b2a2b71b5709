/** The canonical sort key agrees with RFC 4034 §6.1 order (Name.compareCanonical) on random names. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Name, compareCanonical } from '../../../src/wire/index.js';
import { canonicalSortKey, compareOctets } from '../../../src/zone/canonical-order.js';

/** Labels over a small alphabet with case, the escapes' edge octets and `*`, so ties and prefixes happen. */
const label = fc
  .array(fc.constantFrom(0x00, 0x01, 0x2a, 0x41, 0x61, 0x5a, 0x7a, 0x5b, 0x40, 0xff), { minLength: 1, maxLength: 4 })
  .map((bytes) => Uint8Array.from(bytes));
const name = fc.array(label, { minLength: 0, maxLength: 4 }).map((labels) => labels.reduce((n, l) => n.prepend(l), Name.ROOT));

describe('canonicalSortKey', () => {
  it('orders names as compareCanonical does', () => {
    fc.assert(
      fc.property(name, name, (a, b) => {
        const ka = canonicalSortKey(a.wire, 0);
        const kb = canonicalSortKey(b.wire, 0);
        assert.equal(Math.sign(ka < kb ? -1 : ka > kb ? 1 : 0), Math.sign(compareCanonical(a, b)), `${a.toText()} vs ${b.toText()}`);
      }),
      { numRuns: 5000, seed: 4034 },
    );
  });

  it('reads a name at an offset inside a larger buffer', () => {
    const n = Name.fromText('WWW.Example.');
    const buf = new Uint8Array(n.wire.length + 3);
    buf.set(n.wire, 3);
    assert.equal(canonicalSortKey(buf, 3), canonicalSortKey(Name.fromText('www.example.').wire, 0));
  });
});

describe('compareOctets', () => {
  it('sorts a missing octet before a zero octet (RFC 4034 §6.3)', () => {
    assert.ok(compareOctets(Uint8Array.of(1), Uint8Array.of(1, 0)) < 0);
    assert.ok(compareOctets(Uint8Array.of(2), Uint8Array.of(1, 9)) > 0);
    assert.equal(compareOctets(Uint8Array.of(1, 2), Uint8Array.of(1, 2)), 0);
  });
});
