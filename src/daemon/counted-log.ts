import type { Logger } from '../log/logger.js';

/**
 * A warning that a flood could repeat thousands of times a second (TCP
 * connections refused, transfers refused): the first of each kind is
 * logged at once; the rest within `intervalMs` are counted, and the count
 * is logged as one line at the end of the interval (`repeated: n`).
 */
export class CountedLog {
  readonly #log: Logger;
  readonly #intervalMs: number;
  readonly #open = new Map<string, { count: number; fields: Record<string, unknown>; msg: string; timer: NodeJS.Timeout }>();

  constructor(log: Logger, intervalMs = 10_000) {
    this.#log = log;
    this.#intervalMs = intervalMs;
  }

  /** One occurrence of `kind` (its line: `fields`, `msg`). */
  warn(kind: string, fields: Record<string, unknown>, msg: string): void {
    const open = this.#open.get(kind);
    if (open !== undefined) {
      open.count++;
      open.fields = fields;
      return;
    }
    this.#log.warn(fields, msg);
    const timer = setTimeout(() => this.#flush(kind), this.#intervalMs);
    timer.unref();
    this.#open.set(kind, { count: 0, fields, msg, timer });
  }

  #flush(kind: string): void {
    const open = this.#open.get(kind);
    this.#open.delete(kind);
    if (open === undefined || open.count === 0) return;
    this.#log.warn({ ...open.fields, repeated: open.count, intervalMs: this.#intervalMs }, `${open.msg} (${open.count} more times in the last ${this.#intervalMs / 1000} s)`);
  }

  /** Logs what is counted and stops the timers. */
  stop(): void {
    for (const [kind, open] of [...this.#open]) {
      clearTimeout(open.timer);
      this.#flush(kind);
    }
  }
}
