/**
 * The CI part of the `xfr-in` fuzz target (fuzz/xfr-in.ts): the seed
 * transfers succeed with the expected zones, every saved failure
 * (fuzz/crashes/xfr-in-*.bin) passes, and a short deterministic fuzz run
 * (slow target: a real fake primary on 127.0.0.1) finds nothing; the
 * socketless mode (TransferReader fed directly) agrees with it and a short
 * run of it finds nothing either.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runSession, type Crash } from './session.js';
import { Rng } from '../test/support/rng.js';
import { decodeCase, encodeCase, nextXfrInput, runXfr, runXfrDirect, xfrCrashInputs, xfrDirectTarget, xfrSeeds, xfrTarget } from './xfr-in.js';

const SEED = 0x1f3;
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function report(crashes: Crash<Uint8Array>[]): string {
  return crashes.map((c) => `${c.kind}${c.name ? ` [${c.name}]` : ''}: ${c.message}\n  input ${hex(c.input).slice(0, 600)}`).join('\n');
}

describe('fuzz target xfr-in', () => {
  it('every seed transfer succeeds as expected', async () => {
    const seeds = xfrSeeds();
    const want: Record<string, RegExp> = {
      'axfr-': /^ok\|AXFR\|\|direct$/,
      'ixfr-axfr-style-': /^ok\|AXFR\|\|server sent a full zone$/,
      'ixfr-uptodate': /^ok\|IXFR\|uptodate\|direct$/,
      'ixfr-soa-only-later': /^ok\|AXFR\|\|server answered IXFR with only its SOA/,
      'ixfr-': /^ok\|IXFR\|\|direct$/,
    };
    for (const s of seeds) {
      const re = Object.entries(want).find(([p]) => s.name.startsWith(p))![1];
      assert.match(runXfr(s.bytes), re, s.name);
    }
    const r = await runSession(xfrTarget, { seconds: 60, seed: SEED, replay: seeds });
    assert.equal(r.crashes.length, 0, report(r.crashes));
    assert.equal(r.accepted, seeds.length);
  });

  it('every saved failure in fuzz/crashes/xfr-in-*.bin passes now (regressions)', async () => {
    const crashes = xfrCrashInputs();
    if (crashes.length === 0) return;
    const r = await runSession(xfrTarget, { seconds: 60, seed: SEED, replay: crashes });
    assert.equal(r.crashes.length, 0, `failing inputs:\n${report(r.crashes)}`);
  });

  it('a short deterministic fuzz run finds nothing', async () => {
    const r = await runSession(xfrTarget, { seconds: 3, seed: SEED, pool: xfrSeeds(), maxExecs: 20_000 });
    console.error(`xfr-in fuzz: ${r.execs} executions in ${r.elapsedMs} ms, ${r.accepted} transfers succeeded, ${r.signatures} features, seed ${SEED}`);
    assert.equal(r.crashes.length, 0, `failures (reproduce with seed ${SEED}):\n${report(r.crashes)}`);
    assert.ok(r.execs > 200, `only ${r.execs} executions ran`);
    assert.ok(r.accepted > 20, `only ${r.accepted} mutants transferred: the mutator destroys too much`);
  });
});

describe('fuzz target xfr-in, socketless mode', () => {
  it('gives the outcome of the transfer over TCP, for the seeds and 300 mutants', () => {
    const pool = xfrSeeds().map((e) => e.bytes);
    const rng = new Rng(SEED);
    const outcome = (run: (b: Uint8Array) => string, b: Uint8Array): string => {
      try {
        return run(b);
      } catch (e) {
        return `failure: ${(e as Error).message}`;
      }
    };
    for (const b of [...pool, ...Array.from({ length: 300 }, () => nextXfrInput(rng, pool))]) {
      assert.equal(outcome(runXfrDirect, b), outcome(runXfr, b), hex(b).slice(0, 600));
    }
  });

  it('a short deterministic run finds nothing', async () => {
    const r = await runSession(xfrDirectTarget, { seconds: 3, seed: SEED, pool: xfrSeeds(), maxExecs: 20_000 });
    console.error(`xfr-in socketless fuzz: ${r.execs} executions in ${r.elapsedMs} ms, ${r.accepted} transfers succeeded, seed ${SEED}`);
    assert.equal(r.crashes.length, 0, `failures (reproduce with seed ${SEED}):\n${report(r.crashes)}`);
    assert.ok(r.execs > 200, `only ${r.execs} executions ran`);
  });
});

describe('xfr-in fuzz engine', () => {
  it('cases survive encoding', () => {
    for (const s of xfrSeeds()) assert.equal(hex(encodeCase(decodeCase(s.bytes))), hex(s.bytes), s.name);
  });

  it('is reproducible from its seed', () => {
    const pool = xfrSeeds().map((e) => e.bytes);
    const run = (): string[] => {
      const rng = new Rng(42);
      return Array.from({ length: 100 }, () => hex(nextXfrInput(rng, pool)));
    };
    assert.deepEqual(run(), run());
  });
});
