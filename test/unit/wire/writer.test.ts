import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Name, WireReader, WireWriter, isOverflow } from '../../../src/wire/index.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('WireWriter', () => {
  it('compresses the longest matching suffix, with exact case', () => {
    const buf = new Uint8Array(100);
    const w = new WireWriter(buf);
    w.name(Name.fromText('a.example.com.').wire);
    w.name(Name.fromText('b.example.com.').wire);
    w.name(Name.fromText('b.Example.com.').wire);
    w.name(Name.fromText('example.com.').wire);
    assert.equal(
      hex(buf.subarray(0, w.pos)),
      '0161076578616d706c6503636f6d00' + // a.example.com.
        '0162c002' + // b + pointer to example.com. at 2
        '0162074578616d706c65c00a' + // b.Example + pointer to com. at 10
        'c002', // example.com.
    );
  });

  it('never writes past its limit and reports overflow without allocating', () => {
    const buf = new Uint8Array(64);
    const w = new WireWriter(buf, 10);
    w.u32(1);
    w.u32(2);
    let thrown: unknown;
    try {
      w.u32(3);
    } catch (e) {
      thrown = e;
    }
    assert.ok(isOverflow(thrown));
    assert.equal(w.pos, 8);
    assert.equal(buf[8], 0, 'nothing written past the limit');
  });

  it('does not point at names beyond offset 0x3fff (14-bit pointers)', () => {
    const buf = new Uint8Array(20000);
    const w = new WireWriter(buf);
    w.bytes(new Uint8Array(0x4000));
    const far = w.pos;
    w.name(Name.fromText('far.example.').wire);
    const again = w.pos;
    w.name(Name.fromText('far.example.').wire);
    assert.equal(w.pos - again, Name.fromText('far.example.').wire.length, 'written in full, no pointer');
    const r = new WireReader(buf, far);
    assert.equal(Name.trusted(r.readName()).toText(), 'far.example.');
  });

  it('rewinds the compression table with the position', () => {
    const buf = new Uint8Array(100);
    const w = new WireWriter(buf);
    const pos = w.pos;
    const targets = w.targetCount;
    w.name(Name.fromText('gone.example.').wire);
    w.rewind(pos, targets);
    w.name(Name.fromText('x.gone.example.').wire);
    assert.equal(hex(buf.subarray(0, w.pos)), hex(Name.fromText('x.gone.example.').wire), 'no pointer to rolled-back bytes');
  });
});
