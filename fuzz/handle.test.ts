/**
 * The CI part of the `handle` fuzz target (fuzz/handle.ts): the seeds, every
 * saved failure (fuzz/crashes/handle-*.bin, regressions) and a short
 * deterministic fuzz run, each in a watched worker. `npm run fuzz --
 * --target handle` is the long version.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runSession, type Crash } from './session.js';
import { Rng } from '../test/support/rng.js';
import { checkHandle, generateQuery, handleCrashInputs, handleSeeds, handleTarget, newResponder, nextHandleInput } from './handle.js';

const SEED = 0x4a4d;
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function report(crashes: Crash<Uint8Array>[]): string {
  return crashes.map((c) => `${c.kind}${c.name ? ` [${c.name}]` : ''}: ${c.message}\n  input ${hex(c.input)}`).join('\n');
}

describe('fuzz target handle', () => {
  it('the seeds pass', async () => {
    const seeds = handleSeeds();
    const r = await runSession(handleTarget, { seconds: 60, seed: SEED, replay: seeds });
    assert.equal(r.crashes.length, 0, `failing seeds:\n${report(r.crashes)}`);
    assert.equal(r.execs, seeds.length);
  });

  it('every saved failure in fuzz/crashes/handle-*.bin passes now (regressions)', async () => {
    const crashes = handleCrashInputs();
    if (crashes.length === 0) return;
    const r = await runSession(handleTarget, { seconds: 60, seed: SEED, replay: crashes });
    assert.equal(r.crashes.length, 0, `failing inputs:\n${report(r.crashes)}`);
  });

  it('a short deterministic fuzz run finds nothing', async () => {
    const r = await runSession(handleTarget, { seconds: 3, seed: SEED, pool: handleSeeds(), maxExecs: 150_000 });
    console.error(`handle fuzz: ${r.execs} executions in ${r.elapsedMs} ms, ${r.signatures} features, seed ${SEED}`);
    assert.equal(r.crashes.length, 0, `failures (reproduce with seed ${SEED}):\n${report(r.crashes)}`);
    assert.ok(r.execs > 1000, `only ${r.execs} executions ran`);
  });
});

describe('handle fuzz engine', () => {
  it('is reproducible from its seed', () => {
    const pool = handleSeeds().map((e) => e.bytes);
    const run = (): string[] => {
      const rng = new Rng(42);
      return Array.from({ length: 300 }, () => hex(nextHandleInput(rng, pool)));
    };
    assert.deepEqual(run(), run());
  });

  it('generated queries reach answers, referrals, NXDOMAIN, REFUSED and transfers', () => {
    const rng = new Rng(3);
    const r = newResponder();
    const feats = new Set<string>();
    for (let i = 0; i < 5000; i++) for (const f of checkHandle(generateQuery(rng), r).split('|')) feats.add(f);
    for (const f of ['u0.0.an', 'u0.0.ns', 'u0.3.ns', 'u0.5.', 't0.0.an', 'stream1']) assert.ok(feats.has(f), `no query reached ${f}; reached ${[...feats].join(' ')}`);
  });

  it('noise and short inputs are handled (dropped or answered)', () => {
    for (const q of [new Uint8Array(0), new Uint8Array(1), new Uint8Array(11), new Uint8Array(12), Uint8Array.from([1, 2, 0x80])]) {
      assert.match(checkHandle(q), /^ok/);
    }
  });
});
