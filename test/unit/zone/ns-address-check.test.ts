import assert from 'node:assert/strict';
import { isIP } from 'node:net';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Name, RRType, type ResourceRecord } from '../../../src/wire/index.js';
import { nameForMessage, nsTargetAddress } from '../../../src/zone/index.js';

const ORIGIN = Name.fromText('example.com.');

function ns(target: string): ResourceRecord {
  return { name: ORIGIN, type: RRType.NS, class: 1, ttl: 300, rdata: Name.fromText(target, ORIGIN).wire };
}

/** The check as it reads without its shortcut: isIP asked of every text. */
function reference(rr: ResourceRecord): string | null {
  const target = Name.fromWire(rr.rdata);
  const full = nameForMessage(target);
  if (isIP(full) !== 0) return `${full}.`;
  if (target.isSubdomainOf(ORIGIN) && target.labelCount > ORIGIN.labelCount) {
    const relative = full.slice(0, full.length - nameForMessage(ORIGIN).length - 1);
    if (isIP(relative) !== 0) return relative;
  }
  return null;
}

describe('nsTargetAddress', () => {
  it('names NS targets written as addresses, absolute or relative, and nothing else', () => {
    assert.equal(nsTargetAddress(ns('192.0.2.1.'), ORIGIN), '192.0.2.1.');
    assert.equal(nsTargetAddress(ns('10.0.0.1'), ORIGIN), '10.0.0.1');
    assert.equal(nsTargetAddress(ns('fe80::1.'), ORIGIN), 'fe80::1.');
    assert.equal(nsTargetAddress(ns('ns1'), ORIGIN), null);
    assert.equal(nsTargetAddress(ns('1.2.3'), ORIGIN), null);
    assert.equal(nsTargetAddress({ ...ns('10.0.0.1'), type: RRType.A }, ORIGIN), null);
  });

  it('says what asking isIP of every text says (its shortcut for texts that cannot be addresses changes nothing)', () => {
    const word = fc.stringMatching(/^[0-9a-fA-F.:%zg-]{1,20}$/).filter((w) => !w.startsWith('.') && !w.includes('..'));
    fc.assert(
      fc.property(word, fc.boolean(), (w, absolute) => {
        let rr: ResourceRecord;
        try {
          rr = ns(absolute && !w.endsWith('.') ? `${w}.` : w);
        } catch {
          return; // not a name
        }
        assert.equal(nsTargetAddress(rr, ORIGIN), reference(rr), w);
      }),
      { numRuns: 3000, seed: 1035 },
    );
  });
});
