/**
 * A bound on the transfers in that run at once (as BIND's `transfers-in`,
 * default 10): the others wait their turn, first come first served. A
 * thousand new catalog members do not ask their primary for a thousand
 * transfers at once (it would refuse most of them at its own
 * `transfers-out`, and they would wait a whole retry interval).
 */
export class TransferSlots {
  readonly #max: number;
  #running = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(max: number) {
    this.#max = Math.max(1, max);
  }

  /** Transfers running now, and waiting. */
  get running(): number {
    return this.#running;
  }

  get waiting(): number {
    return this.#waiting.length;
  }

  /** Runs `fn` once a slot is free; the slot is given back when it settles. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#running >= this.#max) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    else this.#running++;
    try {
      return await fn();
    } finally {
      const next = this.#waiting.shift();
      // The slot passes to the next one waiting (the count stays), or is given back.
      if (next !== undefined) next();
      else this.#running--;
    }
  }
}
