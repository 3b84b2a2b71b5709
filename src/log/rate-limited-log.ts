/**
 * Log lines for events a remote party can repeat at will (refused NOTIFYs,
 * TSIG failures): the first event of a kind is logged at once, in full;
 * the ones after it within the interval are only counted, and one summary
 * line per kind says how many there were ("37 more refused NOTIFY for
 * example.com. in the last 10 s", with the fields of the latest one). A
 * kind quiet for a whole interval starts over with a full line. So a flood
 * of any size costs at most two lines per kind and interval, and the
 * number of kinds held is capped (the rest share one overflow kind).
 */

export type LogLevel = 'info' | 'warn' | 'error';

/** What the limiter writes to (a pino Logger fits). */
export interface LineSink {
  info(o: object, msg: string): void;
  warn(o: object, msg: string): void;
  error(o: object, msg: string): void;
}

export interface RateLimitedLogOptions {
  /** Length of one counting interval, ms (default 10 s). */
  intervalMs?: number;
  /** Kinds held at once (default 256); events of further kinds are counted under one overflow kind. */
  maxKinds?: number;
  /** Injected for tests. */
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => { cancel(): void };
}

interface Kind {
  level: LogLevel;
  /** What the summary line counts ("refused NOTIFY for example.com."). */
  what: string;
  /** Events counted since the last line. */
  count: number;
  /** Fields of the latest counted event. */
  fields: object;
}

/** The kind events beyond `maxKinds` share. */
const OVERFLOW = '\u0000overflow';

export const DEFAULT_INTERVAL_MS = 10_000;

export class RateLimitedLog {
  readonly #sink: LineSink;
  readonly #intervalMs: number;
  readonly #maxKinds: number;
  readonly #setTimer: (fn: () => void, ms: number) => { cancel(): void };
  /** Kinds seen in the current interval. */
  readonly #kinds = new Map<string, Kind>();
  #timer: { cancel(): void } | null = null;
  /** Lines written (for tests and metrics). */
  lines = 0;
  /** Events counted but not written as lines of their own. */
  suppressed = 0;

  constructor(sink: LineSink, opts: RateLimitedLogOptions = {}) {
    this.#sink = sink;
    this.#intervalMs = Math.max(1, opts.intervalMs ?? DEFAULT_INTERVAL_MS);
    this.#maxKinds = Math.max(1, opts.maxKinds ?? 256);
    this.#setTimer = opts.setTimer ?? ((fn, ms) => {
      const t = setTimeout(fn, ms);
      t.unref();
      return { cancel: () => clearTimeout(t) };
    });
  }

  /**
   * One event of `kind`. Logged now as `msg` with `fields` when the kind
   * was quiet for the last interval; counted otherwise. `what` names the
   * events in the summary line.
   */
  event(kind: string, level: LogLevel, fields: object, msg: string, what: string): void {
    let k = this.#kinds.get(kind);
    if (k === undefined && this.#kinds.size >= this.#maxKinds) {
      kind = OVERFLOW;
      k = this.#kinds.get(kind);
      what = 'events of other kinds';
    }
    if (k !== undefined) {
      k.count++;
      k.fields = fields;
      this.suppressed++;
      return;
    }
    this.#kinds.set(kind, { level, what, count: 0, fields });
    this.#write(level, fields, msg);
    this.#arm();
  }

  /** Writes the pending summary lines now (at shutdown). */
  flush(): void {
    this.#timer?.cancel();
    this.#timer = null;
    this.#tick(true);
  }

  #arm(): void {
    this.#timer ??= this.#setTimer(() => {
      this.#timer = null;
      this.#tick(false);
    }, this.#intervalMs);
  }

  /** End of an interval: a summary for each kind that counted events; kinds that did not are forgotten. */
  #tick(final: boolean): void {
    const sec = Math.round(this.#intervalMs / 1000);
    for (const [name, k] of this.#kinds) {
      if (k.count === 0 || final) {
        if (k.count > 0) this.#summary(k, sec);
        this.#kinds.delete(name);
        continue;
      }
      this.#summary(k, sec);
      k.count = 0;
    }
    if (this.#kinds.size > 0) this.#arm();
  }

  #summary(k: Kind, sec: number): void {
    this.#write(k.level, { ...k.fields, suppressed: k.count, intervalSec: sec }, `${k.count} more ${k.what} in the last ${sec} s`);
  }

  #write(level: LogLevel, fields: object, msg: string): void {
    this.lines++;
    this.#sink[level](fields, msg);
  }
}
