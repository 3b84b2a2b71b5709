/**
 * `npm run fuzz [-- --seconds N] [--seed S]`: a time-boxed fuzz session of
 * the wire decoder (fuzz/wire-decode.ts), in a watched worker thread.
 * `--target soak` is the network soak against a real `tyne serve` (fuzz/soak.ts).
 * `--target zonefile` fuzzes zone-file loading instead (fuzz/zonefile-parse.ts;
 * failures go to fuzz/crashes/zonefile-<hash>.zone); `--target handle` fuzzes
 * the Responder (fuzz/handle.ts; fuzz/crashes/handle-<hash>.bin) and
 * `--target xfr-in` the secondary's transfer client (fuzz/xfr-in.ts;
 * fuzz/crashes/xfr-in-<hash>.bin); `--target udp-batch` sends mutated
 * datagrams through the batched UDP socket to the responder (fuzz/udp-batch.ts).
 * Crashing inputs are saved to fuzz/crashes/<hash>.bin and the exit code is
 * 1. `--minimize FILE` shrinks a saved crash while it still fails the same
 * way and prints the hex.
 */
import { readFileSync } from 'node:fs';
import { externalCorpus, layout, savedCorpus } from './fuzz-kit.js';
import { FuzzFailure, runOne, wireTarget } from './wire-decode.js';
import { runSession } from './session.js';
import { zoneFuzzMain } from './zonefile-parse.js';
import { handleFuzzMain } from './handle.js';
import { xfrFuzzMain } from './xfr-in.js';
import { udpBatchFuzzMain } from './udp-batch.js';
import { soakMain } from './soak-main.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function rssMiB(): string {
  return (process.memoryUsage().rss / 1048576).toFixed(1);
}

/** The failure's message without quoted octets, or null when the input passes. */
function failure(b: Uint8Array): string | null {
  try {
    runOne(b);
    return null;
  } catch (e) {
    return (e instanceof FuzzFailure ? e.message : String(e)).replace(/[0-9a-f]{4,}/g, '');
  }
}

/** Greedy delta minimization: drop chunks, then simplify octets, while the failure stays the same. */
function minimize(input: Uint8Array, budget = 20000): Uint8Array {
  const want = failure(input);
  if (want === null) throw new Error('input does not fail');
  let tries = 0;
  const same = (c: Uint8Array): boolean => ++tries <= budget && failure(c) === want;
  let best = input;
  // Each pass can open new chances for the others: repeat until a fixpoint (at most 4 rounds).
  for (let round = 0; round < 4 && tries < budget; round++) {
    const before = best;
    best = minimizePass(best, same, () => tries < budget);
    if (before.length === best.length && before.every((v, i) => v === best[i])) break;
  }
  return best;
}

function minimizePass(input: Uint8Array, same: (c: Uint8Array) => boolean, more: () => boolean): Uint8Array {
  let best = input;
  // Whole questions and records first (with their header count), last first, until nothing more goes.
  for (let changed = true; changed && more(); ) {
    changed = false;
    const entries = layout(best).entries;
    for (let i = entries.length - 1; i >= 0; i--) {
      const { start, end, countAt } = entries[i]!;
      const c = new Uint8Array(best.length - (end - start));
      c.set(best.subarray(0, start));
      c.set(best.subarray(end), start);
      const count = ((c[countAt]! << 8) | c[countAt + 1]!) - 1;
      c[countAt] = count >>> 8;
      c[countAt + 1] = count & 0xff;
      if (same(c)) {
        best = c;
        changed = true;
        break;
      }
    }
  }
  for (let chunk = Math.max(1, best.length >> 1); chunk >= 1; chunk >>= 1) {
    for (let at = 12; at + chunk <= best.length && more(); ) {
      const c = new Uint8Array(best.length - chunk);
      c.set(best.subarray(0, at));
      c.set(best.subarray(at + chunk), at);
      if (same(c)) best = c;
      else at += chunk;
    }
  }
  for (let i = 0; i < best.length && more(); i++) {
    for (const v of [0x00, 0x01, 0x61]) {
      if (best[i] === v) break;
      const c = best.slice();
      c[i] = v;
      if (same(c)) {
        best = c;
        break;
      }
    }
  }
  return best;
}

async function main(): Promise<void> {
  const target = arg('--target') ?? 'wire';
  if (target === 'soak') {
    process.exitCode = await soakMain(arg);
    return;
  }
  const others: Record<string, (a: typeof arg) => Promise<number>> = { zonefile: zoneFuzzMain, handle: handleFuzzMain, 'xfr-in': xfrFuzzMain, 'udp-batch': udpBatchFuzzMain };
  const other = others[target];
  if (other !== undefined) {
    // The targets run in a worker thread of this process: its RSS is theirs too (memory must stay bounded).
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 1000);
    try {
      process.exitCode = await other(arg);
    } finally {
      clearInterval(sampler);
      const after = process.memoryUsage().rss;
      const mib = (n: number): string => (n / 1048576).toFixed(1);
      console.log(`RSS before/after: ${mib(before)} / ${mib(after)} MiB (peak ${mib(Math.max(peak, after))} MiB)`);
    }
    return;
  }
  if (target !== 'wire') throw new Error(`unknown --target '${target}' (wire, zonefile, handle, xfr-in, soak)`);
  const min = arg('--minimize');
  if (min !== undefined) {
    const input = new Uint8Array(readFileSync(min));
    const out = minimize(input);
    console.log(`failure: ${failure(out)}`);
    console.log(`${input.length} -> ${out.length} octets`);
    console.log(Buffer.from(out).toString('hex'));
    return;
  }
  const seconds = Number(arg('--seconds') ?? 60);
  const seed = Number(arg('--seed') ?? Date.now() % 0x7fffffff);
  if (!(seconds > 0) || !Number.isInteger(seed)) throw new Error('usage: run.js [--seconds N] [--seed S] | --minimize FILE');
  const rssBefore = rssMiB();
  const saved = savedCorpus();
  const pool = [...saved, ...externalCorpus()];
  console.log(`wire-decode fuzz: seed ${seed}, ${seconds} s, ${pool.length} seeds (${saved.length} saved), RSS before ${rssBefore} MiB`);
  const r = await runSession(wireTarget, { seconds, seed, pool, saveCrashes: true, log: (l) => console.log(l) });
  const secs = r.elapsedMs / 1000;
  console.log(`executions:      ${r.execs}`);
  console.log(`execs/sec:       ${Math.round(r.execs / secs)}`);
  console.log(`elapsed:         ${secs.toFixed(1)} s (${r.workers} worker${r.workers === 1 ? '' : 's'})`);
  console.log(`features seen:   ${r.signatures}; corpus in memory ${r.poolSize}`);
  console.log(`crashes found:   ${r.crashes.length} unique (${r.crashingExecs} crashing execs)`);
  console.log(`RSS before/after: ${rssBefore} / ${rssMiB()} MiB (peak ${(process.resourceUsage().maxRSS / 1024).toFixed(1)} MiB)`);
  if (r.crashes.length > 0) {
    console.log('re-run `node dist/fuzz/run.js --minimize fuzz/crashes/<hash>.bin` to shrink one');
    process.exitCode = 1;
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 2;
});
