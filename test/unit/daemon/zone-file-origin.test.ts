/** A zone directory's file names: the zone each gives (escapes, @ for /), and the names never served. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ignoredZoneFileName, originFromFileName } from '../../../src/daemon/zone-file-origin.js';

describe('originFromFileName', () => {
  for (const [captured, origin] of [
    ['customer.com', 'customer.com.'],
    ['customer.com.', 'customer.com.'],
    ['0@26.2.0.192.in-addr.arpa', '0/26.2.0.192.in-addr.arpa.'],
    ['a\\.b.example', 'a\\.b.example.'],
    ['a\\.', 'a\\..'],
    ['caf\\195\\169.example', 'caf\\195\\169.example.'],
    ['Upper.Example', 'Upper.Example.'],
  ] as const) {
    it(`${captured} → ${origin}`, () => assert.equal(originFromFileName(captured).toText(), origin));
  }
  for (const bad of ['a..b', 'x\\999.example', `${'a'.repeat(64)}.example`]) {
    it(`refuses ${bad}`, () => assert.throws(() => originFromFileName(bad)));
  }
});

describe('ignoredZoneFileName', () => {
  for (const [name, ignored] of [
    ['.hidden.zone', true],
    ['.customer.com.zone.tmp-123-abcdef01', true],
    ['customer.com.zone~', true],
    ['customer.com.zone.swp', true],
    ['customer.com.zone.tmp', true],
    ['#customer.com.zone#', true],
    ['customer.com.zone', false],
    ['#customer.com.zone', false],
    ['customer.tmp.zone', false],
  ] as const) {
    it(`${name}: ${ignored ? 'ignored' : 'read'}`, () => assert.equal(ignoredZoneFileName(name), ignored));
  }
});
