/**
 * One compacting garbage collection of the main thread's heap, after the
 * startup loads: thousands of zones loaded leave V8's old space mostly
 * free but spread over pages that stay resident (at 10,000 small zones,
 * 67 MiB live in 203 MiB of old space), and V8's own heuristics do not
 * compact them soon, or at all while queries keep it busy. One compacting
 * full GC gives the pages back: about 140 ms at 10,000 zones, once, when
 * the zones have loaded (measured in the small-zones bench, README
 * "Benchmarks").
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** V8's `gc`, only exposed with --expose-gc: set it, and take the function from a fresh context (where it is defined). */
export function fullGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** Runs one compacting full GC; returns how long it took (ms) and the RSS before (octets). */
export function compactHeap(): { ms: number; rssBefore: number } {
  const rssBefore = process.memoryUsage.rss();
  const gc = fullGc();
  setFlagsFromString('--compact-on-every-full-gc');
  const t0 = performance.now();
  try {
    gc();
  } finally {
    setFlagsFromString('--no-compact-on-every-full-gc');
  }
  return { ms: performance.now() - t0, rssBefore };
}
