import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RebuildBudget } from '../../../src/daemon/rebuild-budget.js';

/** Each step: at `at` ms, ask how long to wait, then (when `spend` is given) record a rebuild of that many ms ending then. */
const CASES: { name: string; steps: { at: number; wait: number; spend?: number }[] }[] = [
  { name: 'a lone change is rebuilt at once', steps: [{ at: 1000, wait: 0, spend: 10 }] },
  {
    name: 'a few changes in a row within the allowance wait for nothing',
    steps: [{ at: 0, wait: 0, spend: 20 }, { at: 1, wait: 0, spend: 20 }, { at: 2, wait: 0, spend: 9 }],
  },
  {
    // 60 ms spent at t=2 (debt 60 - 0.2 = 59.8): over the 50 ms allowance by 9.8, which drains at 0.1 ms per ms.
    name: 'past the allowance the next waits until the debt drains to it',
    steps: [{ at: 0, wait: 0, spend: 30 }, { at: 2, wait: 0, spend: 30 }, { at: 2, wait: 98 }, { at: 100, wait: 0 }],
  },
  {
    name: 'a second later the whole budget is back',
    steps: [{ at: 0, wait: 0, spend: 100 }, { at: 1, wait: 499 }, { at: 1500, wait: 0, spend: 40 }, { at: 1500, wait: 0 }],
  },
];

for (const c of CASES) {
  test(`RebuildBudget: ${c.name}`, () => {
    const b = new RebuildBudget({ share: 0.1, allowanceMs: 50 });
    for (const s of c.steps) {
      assert.ok(Math.abs(b.waitAt(s.at) - s.wait) < 1e-6, `at ${s.at}: wait ${b.waitAt(s.at)}, not ${s.wait}`);
      if (s.spend !== undefined) b.spent(s.at, s.spend);
    }
  });
}

test('RebuildBudget: rebuilds run as soon as allowed take about the share of the time', () => {
  const b = new RebuildBudget({ share: 0.1, allowanceMs: 50 });
  let now = 0;
  let spent = 0;
  // 10 s of 8 ms rebuilds, each run as soon as the budget lets it (bounded by count).
  for (let i = 0; i < 10_000 && now < 10_000; i++) {
    now += b.waitAt(now);
    b.spent(now + 8, 8);
    spent += 8;
    now += 8;
  }
  assert.ok(spent / now < 0.1 + 50 / now + 0.01, `rebuilds took ${((100 * spent) / now).toFixed(1)} % of the time`);
  assert.ok(spent / now > 0.09, `rebuilds took only ${((100 * spent) / now).toFixed(1)} % of the time`);
});
