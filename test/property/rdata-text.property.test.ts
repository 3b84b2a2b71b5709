import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Name, TextFormatError, genericRdataText, isMetaType, knownTypes, rdataFromText, rdataToText, tokenize, typeToText, validateRdata } from '../../src/wire/index.js';
import { RDATA } from './arbitraries.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const RUNS = 150;

describe('presentation ⇄ wire, every type', () => {
  it('has a generator for every type with a codec', () => {
    const missing = knownTypes().filter((t) => RDATA[t] === undefined).map(typeToText);
    assert.deepEqual(missing, []);
  });

  for (const type of knownTypes()) {
    const arb = RDATA[type];
    if (arb === undefined) continue;
    if (isMetaType(type)) {
      // TSIG and other meta-types exist only in messages: zone-file text for them is refused.
      it(`${typeToText(type)}: has no zone-file form`, () => {
        fc.assert(
          fc.property(arb, (rdata) => {
            validateRdata(type, rdata);
            assert.throws(() => rdataFromText(type, tokenize(rdataToText(type, rdata)), Name.ROOT), TextFormatError);
          }),
          { numRuns: 20, seed: type },
        );
      });
      continue;
    }
    it(`${typeToText(type)}: wire → text → wire is the identity and text is stable`, () => {
      fc.assert(
        fc.property(arb, (rdata) => {
          validateRdata(type, rdata);
          const text = rdataToText(type, rdata);
          const again = rdataFromText(type, tokenize(text), Name.ROOT);
          assert.equal(hex(again), hex(rdata), `text was: ${text}`);
          assert.equal(rdataToText(type, again), text);
        }),
        { numRuns: RUNS, seed: 42 + type },
      );
    });
    it(`${typeToText(type)}: the RFC 3597 generic form gives the same rdata`, () => {
      fc.assert(
        fc.property(arb, (rdata) => {
          const again = rdataFromText(type, tokenize(genericRdataText(rdata)), Name.ROOT);
          assert.equal(hex(again), hex(rdata));
        }),
        { numRuns: 50, seed: 7 + type },
      );
    });
  }

  it('unknown types use the generic form both ways', () => {
    fc.assert(
      fc.property(fc.integer({ min: 65280, max: 65534 }), fc.uint8Array({ maxLength: 40 }), (type, rdata) => {
        const text = rdataToText(type, rdata);
        assert.ok(text.startsWith('\\# '));
        assert.equal(hex(rdataFromText(type, tokenize(text))), hex(rdata));
      }),
      { numRuns: 100, seed: 3 },
    );
  });
});
