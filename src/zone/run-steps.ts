/**
 * Long jobs on a large zone (a build, a diff, an incoming IXFR applied) are
 * written as generators that pause (yield) every few hundred nodes; these
 * run such a generator either at once or in time slices on the event loop.
 */
import { performance } from 'node:perf_hooks';

/** A job written as steps: it yields between small pieces of work and returns its result. */
export type Steps<T> = Generator<void, T, void>;

/** Runs every step at once and returns the result (for callers that may block). */
export function runStepsNow<T>(steps: Steps<T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done === true) return r.value;
  }
}

/**
 * Runs `steps` in slices of about `sliceMs` of work each, yielding to the
 * event loop (setImmediate) between slices, so queries that arrive meanwhile
 * wait at most about one slice. A step is meant to be much shorter than a
 * slice. Rejects with whatever a step throws.
 */
export async function runStepsInSlices<T>(steps: Steps<T>, sliceMs: number): Promise<T> {
  for (;;) {
    const until = performance.now() + sliceMs;
    for (;;) {
      const r = steps.next();
      if (r.done === true) return r.value;
      if (performance.now() >= until) break;
    }
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
