/** TransferSlots: at most `max` transfers in run at once; the others wait, first come first served. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TransferSlots } from '../../../src/daemon/transfer-slots.js';

describe('TransferSlots', () => {
  it('runs at most max at once, the rest in the order asked, and gives every slot back (also after a failure)', async () => {
    const slots = new TransferSlots(2);
    const started: number[] = [];
    const finish: (() => void)[] = [];
    let peak = 0;
    let now = 0;
    const job = (i: number, fail = false): Promise<number> =>
      slots.run(async () => {
        started.push(i);
        now++;
        peak = Math.max(peak, now);
        await new Promise<void>((resolve) => finish.push(resolve));
        now--;
        if (fail) throw new Error(`job ${i} failed`);
        return i;
      });
    const jobs = [job(0), job(1, true), job(2), job(3), job(4)];
    const settled = Promise.allSettled(jobs);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(started, [0, 1]);
    assert.equal(slots.waiting, 3);
    for (let round = 0; round < 10 && finish.length > 0; round++) {
      finish.shift()!();
      await new Promise((r) => setImmediate(r));
    }
    const results = await settled;
    assert.deepEqual(started, [0, 1, 2, 3, 4]);
    assert.equal(peak, 2);
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled']);
    assert.equal(slots.running, 0);
    assert.equal(slots.waiting, 0);
  });
});
