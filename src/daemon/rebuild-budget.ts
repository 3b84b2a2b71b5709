/**
 * How often what is served may be rebuilt when zones change in the
 * background (thousands of zones loading, transfers finishing). A rebuild
 * goes over every zone served, so a burst of changes must not spend the
 * main thread on rebuilds; a change alone must still be served at once.
 *
 * A leaky bucket of main-thread time: each rebuild adds what it took,
 * and `share` of the time that passes drains it. While the bucket holds
 * at most `allowanceMs`, the next rebuild may run now; past that it waits
 * until the bucket has drained to it. Over time rebuilds take at most
 * `share` of the main thread; a lone change, or a few, wait for nothing.
 */
export class RebuildBudget {
  readonly #share: number;
  readonly #allowanceMs: number;
  #debtMs = 0;
  #at = 0;

  constructor(opts: { share: number; allowanceMs: number }) {
    this.#share = opts.share;
    this.#allowanceMs = opts.allowanceMs;
  }

  /** How long (ms) from `now` the next rebuild should wait: 0 when it may run at once. */
  waitAt(now: number): number {
    const debt = this.#debtAt(now);
    return debt <= this.#allowanceMs ? 0 : (debt - this.#allowanceMs) / this.#share;
  }

  /** A rebuild that ended at `now` took `ms`. */
  spent(now: number, ms: number): void {
    this.#debtMs = this.#debtAt(now) + Math.max(0, ms);
    this.#at = now;
  }

  #debtAt(now: number): number {
    return Math.max(0, this.#debtMs - Math.max(0, now - this.#at) * this.#share);
  }
}
