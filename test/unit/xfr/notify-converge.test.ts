/** NOTIFY until converged (issue 15 §2): the schedule of one secondary, on an explicit clock. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConvergeSchedule, DEFAULT_CONVERGE } from '../../../src/xfr/notify-converge.js';

const S = DEFAULT_CONVERGE;

/** Runs a secondary that acknowledges at once and never serves the serial: the times of each NOTIFY, and the outcome. */
function neverConverges(limitMs = S.limitMs): { sends: number[]; outcome: string; at: number } {
  const c = new ConvergeSchedule();
  const sends: number[] = [];
  let now = 0;
  c.sent(7, now);
  sends.push(now);
  c.acked(7, now, { ...S, limitMs });
  for (let step = 0; step < 10_000; step++) {
    now = c.nextAt!;
    assert.ok(c.due(now));
    c.checking();
    const a = c.check(now, false, { ...S, limitMs });
    if (a === 'give-up') return { sends, outcome: c.state, at: now };
    c.sent(7, now);
    sends.push(now);
    c.acked(7, now, { ...S, limitMs });
  }
  throw new Error('no end');
}

describe('ConvergeSchedule', () => {
  it('notifies again after 10 s, then doubling up to 10 min, and gives up after 1 h', () => {
    const r = neverConverges();
    const gaps = r.sends.slice(1).map((t, i) => (t - r.sends[i]!) / 1000);
    assert.deepEqual(gaps.slice(0, 7), [10, 20, 40, 80, 160, 320, 600]);
    assert.ok(gaps.every((g) => g <= 600));
    assert.equal(r.outcome, 'gave-up');
    assert.ok(r.at >= 3_600_000 && r.at < 3_600_000 + 600_000, `gave up at ${r.at}`);
  });

  it('stops once the secondary serves the serial', () => {
    const c = new ConvergeSchedule();
    c.sent(7, 0);
    c.acked(7, 5, S);
    assert.equal(c.nextAt, 10_005);
    assert.equal(c.due(10_004), false);
    assert.equal(c.due(10_005), true);
    assert.equal(c.check(10_005, true, S), 'done');
    assert.equal(c.state, 'converged');
    assert.equal(c.due(1e9), false);
    assert.deepEqual(c.progress(), { state: 'converged', serial: 7, tries: 1, nextAt: null });
  });

  it('a new serial starts afresh (tries, limit)', () => {
    const c = new ConvergeSchedule();
    c.sent(7, 0);
    c.acked(7, 0, S);
    c.check(10_000, false, S);
    c.sent(7, 10_000);
    assert.equal(c.tries, 2);
    c.sent(8, 4_000_000);
    assert.equal(c.tries, 1);
    assert.equal(c.since, 4_000_000);
    c.acked(8, 4_000_000, S);
    assert.equal(c.nextAt, 4_010_000);
  });

  it('an acknowledgement of an older serial is ignored', () => {
    const c = new ConvergeSchedule();
    c.sent(7, 0);
    c.sent(8, 1);
    c.acked(7, 2, S);
    assert.equal(c.state, 'sending');
  });

  it('firstMs 0: acknowledged, never checked nor notified again', () => {
    const c = new ConvergeSchedule();
    c.sent(7, 0);
    c.acked(7, 0, { ...S, firstMs: 0 });
    assert.equal(c.state, 'acked');
    assert.equal(c.due(1e12), false);
  });

  it('a probe finding it behind may start a NOTIFY only when none runs and it was not given up', () => {
    const table: [string, (c: ConvergeSchedule) => void, boolean][] = [
      ['never notified', () => undefined, true],
      ['unanswered', (c) => { c.sent(7, 0); c.unanswered(7); }, true],
      ['waiting', (c) => { c.sent(7, 0); c.acked(7, 0, S); }, false],
      ['gave up', (c) => { c.sent(7, 0); c.acked(7, 0, S); c.check(S.limitMs, false, S); }, false],
      ['unanswered, past the limit', (c) => { c.sent(7, -S.limitMs); c.unanswered(7); }, false],
    ];
    for (const [name, setup, want] of table) {
      const c = new ConvergeSchedule();
      setup(c);
      assert.equal(c.mayStart(7, 0, S), want, name);
    }
  });
});
