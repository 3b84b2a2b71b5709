import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SlicedRunner } from '../../../src/server/sliced-runner.js';
import { sleep } from '../../support/wait.js';

describe('SlicedRunner', () => {
  it('runs jobs round robin, a slice per turn of the event loop in all', async () => {
    const r = new SlicedRunner(2);
    const order: string[] = [];
    const job = (name: string, steps: number): (() => boolean) => {
      let left = steps;
      return () => {
        order.push(name);
        return --left > 0;
      };
    };
    r.add(job('a', 3));
    r.add(job('b', 2));
    await new Promise((res) => setImmediate(res));
    await new Promise((res) => setImmediate(res));
    assert.deepEqual(order, ['a', 'b', 'a', 'b', 'a']);
    assert.equal(r.pending, 0);
  });

  it('yields to the event loop once the slice is spent', async () => {
    const r = new SlicedRunner(2);
    let steps = 0;
    let timerRan = -1;
    r.add(() => {
      if (steps === 0) setTimeout(() => { timerRan = steps; }, 0);
      const until = performance.now() + 1;
      while (performance.now() < until) { /* 1 ms of work */ }
      return ++steps < 50;
    });
    for (let i = 0; i < 300 && steps < 50; i++) await sleep(10);
    assert.equal(steps, 50);
    assert.ok(timerRan > 0 && timerRan < 10, `a timer ran after ${timerRan} steps, not after all 50`);
  });
});
