import type { Logger } from '../log/logger.js';
import { RateLimiter, RRL_KIND_NAMES } from '../server/rate-limit.js';
import type { RateLimitSettings } from '../server/rate-limit-settings.js';

/** How often the limiter's work is summed up in the log. */
export const RATE_LIMIT_LOG_INTERVAL_MS = 10_000;

/**
 * The daemon's side of response rate limiting: one limiter kept across zone
 * reloads (its buckets are about clients, not zones) and replaced only when
 * `rate-limit` changes; and at most one log line per interval, only when
 * something was limited: "rate limit: N dropped, M slipped in the last 10 s,
 * top prefix P", never a line per packet.
 */
export class RateLimitService {
  readonly #log: Logger;
  readonly #intervalMs: number;
  #limiter: RateLimiter | null = null;
  #settingsKey = '';
  #last = { dropped: [0, 0, 0, 0, 0], slipped: [0, 0, 0, 0, 0] };
  readonly #timer: NodeJS.Timeout;

  constructor(log: Logger, intervalMs = RATE_LIMIT_LOG_INTERVAL_MS) {
    this.#log = log;
    this.#intervalMs = intervalMs;
    this.#timer = setInterval(() => this.flush(), intervalMs);
    this.#timer.unref();
  }

  /** The limiter for `settings` (null: off): the running one when they did not change. */
  configure(settings: RateLimitSettings | null): RateLimiter | null {
    const key = settings === null ? 'off' : JSON.stringify(settings, (_k, v: unknown) => (v instanceof Uint8Array ? [...v] : v));
    if (key === this.#settingsKey) return this.#limiter;
    this.flush();
    this.#settingsKey = key;
    this.#limiter = settings === null ? null : new RateLimiter(settings);
    this.#last = { dropped: [0, 0, 0, 0, 0], slipped: [0, 0, 0, 0, 0] };
    return this.#limiter;
  }

  get limiter(): RateLimiter | null {
    return this.#limiter;
  }

  /** Logs what was limited since the last line, if anything. */
  flush(): void {
    const l = this.#limiter;
    if (l === null) return;
    const c = l.counters;
    const dropped = c.dropped.map((n, i) => n - this.#last.dropped[i]!);
    const slipped = c.slipped.map((n, i) => n - this.#last.slipped[i]!);
    this.#last = { dropped: [...c.dropped], slipped: [...c.slipped] };
    const top = l.takeTop();
    const d = dropped.reduce((a, b) => a + b, 0);
    const s = slipped.reduce((a, b) => a + b, 0);
    if (d + s === 0) return;
    const byKind: Record<string, { dropped: number; slipped: number }> = {};
    RRL_KIND_NAMES.forEach((k, i) => {
      if (dropped[i]! + slipped[i]! > 0) byKind[k] = { dropped: dropped[i]!, slipped: slipped[i]! };
    });
    const secs = Math.round(this.#intervalMs / 1000);
    const would = l.settings.logOnly ? 'would have ' : '';
    const topText = top === null ? '' : `, top prefix ${top.prefix} (${top.limited} ${top.kind})`;
    this.#log.warn(
      { dropped: d, slipped: s, byKind, top, logOnly: l.settings.logOnly },
      `rate limit: ${would}${d} dropped, ${s} slipped in the last ${secs} s${topText}`,
    );
  }

  stop(): void {
    clearInterval(this.#timer);
    this.flush();
  }
}
