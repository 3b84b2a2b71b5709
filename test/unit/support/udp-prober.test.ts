/**
 * The test kit's UDP prober figures (test/support/udp-prober.ts): the
 * longest time without an answer is counted per window from the answers to
 * that window's own queries, so a stall at a window boundary counts once,
 * in the window whose queries waited through it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { probeStats, type ProbeSample } from '../../support/udp-prober.js';

/** A query every ms from `from` to `to` (exclusive), answered after `latency(sentAt)` ms (null: lost). */
function steady(from: number, to: number, latency: (sentAt: number) => number | null): ProbeSample[] {
  const out: ProbeSample[] = [];
  for (let t = from; t < to; t++) out.push({ sentAt: t, latencyMs: latency(t) });
  return out;
}

/** Answered in 0.1 ms, except that nothing is answered from `stallFrom` until `stallTo`, when everything waiting is. */
const stalled = (stallFrom: number, stallTo: number) => (t: number): number =>
  t + 0.1 >= stallFrom && t < stallTo ? stallTo - t : 0.1;

describe('UdpProber figures (probeStats)', () => {
  const cases: { name: string; samples: ProbeSample[]; windows: [number, number][]; gaps: number[] }[] = [
    {
      name: 'steady answers: the gap is the interval between queries',
      samples: steady(0, 2000, () => 0.1),
      windows: [[0, 1000], [1000, 2000]],
      gaps: [1, 1],
    },
    {
      name: 'a stall inside a window counts in that window only',
      samples: steady(0, 2000, stalled(400, 600)),
      windows: [[0, 1000], [1000, 2000]],
      gaps: [200.9, 1],
    },
    {
      name: 'a stall across the boundary counts once, in the window whose queries waited through it',
      samples: steady(0, 2000, stalled(900, 1100)),
      windows: [[0, 1000], [1000, 2000]],
      gaps: [200.9, 1],
    },
    {
      name: 'a stall beginning right at the boundary counts in the window it holds up',
      samples: steady(0, 2000, stalled(1000, 1300)),
      windows: [[0, 1000], [1000, 2000]],
      gaps: [1, 300],
    },
    {
      name: 'an outage across the boundary with every query lost: each window its own part',
      samples: steady(0, 2000, (t) => (t >= 950 && t < 1300 ? null : 0.1)),
      windows: [[0, 1000], [1000, 2000]],
      gaps: [50.9, 300.1],
    },
    {
      name: 'the first window: from its start to its first answer',
      samples: steady(0, 1000, stalled(0, 250)),
      windows: [[0, 1000]],
      gaps: [250],
    },
    {
      name: 'a server that stops answering: to the window end, then the whole span',
      samples: steady(0, 2000, (t) => (t < 800 ? 0.1 : null)),
      windows: [[0, 1000], [1000, 2000]],
      gaps: [200.9, 1000],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = c.windows.map(([from, to]) => probeStats(c.samples, from, to).longestGapMs);
      assert.deepEqual(got.map((g) => Math.round(g * 10) / 10), c.gaps);
    });
  }

  it('counts, percentiles, span and send gaps of a window', () => {
    const samples = steady(0, 100, (t) => (t % 10 === 0 ? null : 1 + (t % 10) / 10));
    const s = probeStats(samples, 0, 100);
    assert.equal(s.sent, 100);
    assert.equal(s.answered, 90);
    assert.equal(s.lost, 10);
    assert.equal(s.p50, 1.5);
    assert.equal(s.max, 1.9);
    assert.equal(s.spanMs, 100);
    assert.equal(s.longestSendGapMs, 1);
  });

  it('with no bounds: from the first to the last query sent', () => {
    const s = probeStats(steady(5, 15, () => 0.5));
    assert.equal(s.sent, 10);
    assert.equal(s.spanMs, 9);
    assert.equal(s.longestGapMs, 1);
    assert.deepEqual(probeStats([]), { sent: 0, answered: 0, lost: 0, p50: 0, p99: 0, max: 0, longestGapMs: 0, longestSendGapMs: 0, spanMs: 0 });
  });

  it('a window with no answers at all: the whole span', () => {
    const s = probeStats(steady(0, 50, () => null), 0, 100);
    assert.equal(s.longestGapMs, 100);
    assert.equal(s.lost, 50);
  });
});
