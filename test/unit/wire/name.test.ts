import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Name, TextErrorCode, TextFormatError, compareCanonical } from '../../../src/wire/index.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('Name presentation ⇄ wire', () => {
  const cases: [string, string, string][] = [
    // text, wire hex, canonical text out
    ['.', '00', '.'],
    ['example.com.', '076578616d706c6503636f6d00', 'example.com.'],
    ['WwW.Example.COM.', '03577757074578616d706c6503434f4d00', 'WwW.Example.COM.'],
    ['a\\.b.example.', '03612e62076578616d706c6500', 'a\\.b.example.'],
    ['a\\\\b.', '03615c6200', 'a\\\\b.'],
    ['\\000\\255\\032.', '0300ff2000', '\\000\\255\\032.'],
    ['\\065b.', '02416200', 'Ab.'],
    ['\\"q\\"\\@\\$\\;\\(\\).', '0822712240' + '243b282900', '\\"q\\"\\@\\$\\;\\(\\).'],
  ];
  for (const [text, wire, out] of cases) {
    it(`parses ${JSON.stringify(text)}`, () => {
      const n = Name.fromText(text);
      assert.equal(hex(n.wire), wire);
      assert.equal(n.toText(), out);
      assert.equal(hex(Name.fromText(out).wire), wire, 'printed form parses back to the same octets');
    });
  }

  it('round-trips labels holding dots and bytes that are not UTF-8', () => {
    const label = Uint8Array.from([0x2e, 0xc3, 0x28, 0xff, 0x00, 0x5c, 0x41]);
    const n = Name.ROOT.prepend(Uint8Array.of(0x78)).prepend(label);
    const back = Name.fromText(n.toText());
    assert.equal(hex(back.wire), hex(n.wire));
    assert.equal(back.labelCount, 2);
  });

  it('appends the origin to relative names', () => {
    const origin = Name.fromText('example.com.');
    assert.equal(Name.fromText('www', origin).toText(), 'www.example.com.');
    assert.throws(() => Name.fromText('www'), (e: unknown) => e instanceof TextFormatError && e.code === TextErrorCode.RELATIVE_NAME);
  });

  it('enforces 63 octets per label and 255 per name', () => {
    const l63 = 'a'.repeat(63);
    assert.equal(Name.fromText(`${l63}.`).wire.length, 65);
    assert.throws(() => Name.fromText(`${'a'.repeat(64)}.`), (e: unknown) => (e as TextFormatError).code === TextErrorCode.LABEL_TOO_LONG);
    // 4 labels of 63 (256 octets with lengths) + root = 257: too long; 3×63 + 61 fits exactly 255.
    const ok = [l63, l63, l63, 'b'.repeat(61)].join('.') + '.';
    assert.equal(Name.fromText(ok).wire.length, 255);
    const tooLong = [l63, l63, l63, 'b'.repeat(62)].join('.') + '.';
    assert.throws(() => Name.fromText(tooLong), (e: unknown) => (e as TextFormatError).code === TextErrorCode.NAME_TOO_LONG);
    const origin = Name.fromText([l63, l63, l63].join('.') + '.');
    assert.throws(() => Name.fromText('b'.repeat(62), origin), (e: unknown) => (e as TextFormatError).code === TextErrorCode.NAME_TOO_LONG);
  });

  it('rejects empty labels and bad escapes', () => {
    for (const bad of ['a..b.', '.a.', '..', 'a\\25.', 'a\\256.', 'a\\']) {
      assert.throws(() => Name.fromText(bad), TextFormatError, bad);
    }
  });

  it('builds a lowercase key and compares case-insensitively', () => {
    const a = Name.fromText('WWW.Example.com.');
    const b = Name.fromText('www.example.COM.');
    assert.equal(a.key, b.key);
    assert.ok(a.equals(b));
    assert.notEqual(hex(a.wire), hex(b.wire), 'case is preserved in the wire form');
    assert.ok(!a.equals(Name.fromText('www.example.org.')));
  });

  it('knows ancestry, suffixes and wildcards', () => {
    const n = Name.fromText('a.b.Example.com.');
    assert.ok(n.isSubdomainOf(Name.fromText('example.COM.')));
    assert.ok(n.isSubdomainOf(n));
    assert.ok(n.isSubdomainOf(Name.ROOT));
    assert.ok(!n.isSubdomainOf(Name.fromText('b.example.org.')));
    assert.ok(!Name.fromText('xample.com.').isSubdomainOf(Name.fromText('example.com.')));
    assert.equal(n.suffix(2).toText(), 'Example.com.');
    assert.ok(Name.fromText('*.example.').isWildcard);
    assert.ok(Name.fromText('\\*.example.').isWildcard, 'an escaped * is still the octet 0x2a');
    assert.ok(!Name.fromText('a*.example.').isWildcard);
  });
});

describe('RFC 4034 §6.1 canonical ordering', () => {
  it('sorts the RFC example exactly', () => {
    // The example list from RFC 4034 §6.1, in its canonical order.
    const ordered = [
      'example.', 'a.example.', 'yljkjljk.a.example.', 'Z.a.example.', 'zABC.a.EXAMPLE.', 'z.example.',
      '\\001.z.example.', '*.z.example.', '\\200.z.example.',
    ];
    const names = ordered.map((t) => Name.fromText(t));
    const shuffled = [...names].reverse();
    shuffled.sort(compareCanonical);
    assert.deepEqual(shuffled.map((n) => n.toText()), names.map((n) => n.toText()));
  });

  it('treats case as equal and shorter labels first', () => {
    assert.equal(compareCanonical(Name.fromText('A.example.'), Name.fromText('a.EXAMPLE.')), 0);
    assert.ok(compareCanonical(Name.fromText('ab.'), Name.fromText('abc.')) < 0);
    assert.ok(compareCanonical(Name.fromText('b.'), Name.fromText('a.b.')) < 0);
  });
});
