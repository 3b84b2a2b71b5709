import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TransferQuota } from '../../../src/server/transfer-quota.js';

describe('TransferQuota', () => {
  function* three(): Generator<Uint8Array, void, undefined> {
    for (let i = 0; i < 3; i++) yield new Uint8Array([i]);
  }

  it('holds a slot until the stream ends, is closed (even before it started) or throws', () => {
    const q = new TransferQuota(2);
    const a = q.hold(three())!;
    const b = q.hold(three())!;
    assert.equal(q.hold(three()), null, 'the third is refused');
    assert.equal(q.full, true);
    while (a.next().done !== true) { /* drain */ }
    assert.equal(q.active, 1, 'a finished stream frees its slot');
    b.return!();
    assert.equal(q.active, 0, 'a stream closed before its first message frees its slot');
    const bad = q.hold({ next: () => { throw new Error('boom'); } })!;
    assert.throws(() => bad.next());
    assert.equal(q.active, 0, 'a throwing stream frees its slot');
    q.configure(0);
    assert.equal(q.hold(three()), null);
  });
});

