/**
 * Runs long jobs (transfers being written) a step at a time, round robin,
 * at most `sliceMs` of steps per turn of the event loop for all of them
 * together, so UDP and other TCP clients are answered between two slices
 * however many jobs there are (10 transfers cost the loop 1 ms a turn,
 * not 10 x 1 ms).
 */

/** One step of a job: true when it has more to do now; false when it is done or waits (it adds itself again). */
export type Step = () => boolean;

export class SlicedRunner {
  readonly #sliceMs: number;
  /** Jobs with a step to run, in turn (a few: transfers are capped by `transfers-out`). */
  readonly #queue: Step[] = [];
  #scheduled = false;

  constructor(sliceMs: number) {
    this.#sliceMs = sliceMs;
  }

  /** Jobs waiting for their next step. */
  get pending(): number {
    return this.#queue.length;
  }

  /** Queues `step`; it runs at the next turn of the event loop, and at later ones while it returns true. */
  add(step: Step): void {
    this.#queue.push(step);
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(this.#run);
    }
  }

  readonly #run = (): void => {
    this.#scheduled = false;
    const until = performance.now() + this.#sliceMs;
    // Round robin: one step of the first job, which then goes last, until the slice is spent.
    do {
      const step = this.#queue.shift();
      if (step === undefined) return;
      if (step()) this.#queue.push(step);
    } while (performance.now() < until);
    if (this.#queue.length > 0 && !this.#scheduled) {
      this.#scheduled = true;
      setImmediate(this.#run);
    }
  };
}
