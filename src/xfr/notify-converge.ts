/**
 * NOTIFY until converged (issue 15 §2), the schedule of one (zone, secondary):
 * a secondary that acknowledged a NOTIFY but does not serve the serial
 * `firstMs` later (10 s by default) is notified again, the wait doubling up
 * to `maxMs` (10 min), until it serves the serial or `limitMs` (1 h) has
 * passed since the first NOTIFY of that serial. Pure: explicit times, no
 * timers; the daemon asks `due(now)` and runs the check (an SOA probe) and
 * the NOTIFY. RFC 1996 §3.6 retries a NOTIFY until it is acknowledged; this
 * goes on past the acknowledgement, which says nothing of the transfer.
 */
import type { NotifyProgress } from './replication-view.js';

export interface ConvergeSettings {
  /** The first wait after an acknowledgement (0: no check, no NOTIFY again). */
  firstMs: number;
  /** The longest wait (the doubling stops there). */
  maxMs: number;
  /** Since the first NOTIFY of a serial, the time after which it is given up. */
  limitMs: number;
}

export const DEFAULT_CONVERGE: Readonly<ConvergeSettings> = Object.freeze({ firstMs: 10_000, maxMs: 600_000, limitMs: 3_600_000 });

/** What the daemon does once a check is made. */
export type ConvergeAction = 'done' | 'notify-again' | 'give-up';

/** The schedule of one (zone, secondary). */
export class ConvergeSchedule {
  #state: NotifyProgress['state'] = 'none';
  #serial: number | null = null;
  #tries = 0;
  /** First NOTIFY of this serial. */
  #since = 0;
  #nextAt: number | null = null;

  get state(): NotifyProgress['state'] {
    return this.#state;
  }

  get serial(): number | null {
    return this.#serial;
  }

  get tries(): number {
    return this.#tries;
  }

  get nextAt(): number | null {
    return this.#nextAt;
  }

  /** When the first NOTIFY of the serial was sent. */
  get since(): number {
    return this.#since;
  }

  /** A NOTIFY of `serial` goes out (a new serial starts the schedule afresh). */
  sent(serial: number, now: number): void {
    if (serial !== this.#serial) {
      this.#serial = serial;
      this.#tries = 0;
      this.#since = now;
    }
    this.#tries++;
    this.#state = 'sending';
    this.#nextAt = null;
  }

  /** The secondary acknowledged the NOTIFY of `serial`: it is checked after the wait. */
  acked(serial: number, now: number, s: ConvergeSettings): void {
    if (serial !== this.#serial || this.#state === 'converged') return;
    if (s.firstMs <= 0) {
      this.#state = 'acked';
      this.#nextAt = null;
      return;
    }
    this.#state = 'waiting';
    this.#nextAt = now + Math.min(s.maxMs, s.firstMs * 2 ** Math.max(0, this.#tries - 1));
  }

  /** The NOTIFY went unanswered (or was answered with an error): nothing more until the secondary is heard from. */
  unanswered(serial: number): void {
    if (serial !== this.#serial) return;
    this.#state = 'unanswered';
    this.#nextAt = null;
  }

  /** It is time to check whether the secondary serves the serial. */
  due(now: number): boolean {
    return this.#state === 'waiting' && this.#nextAt !== null && now >= this.#nextAt;
  }

  /** The check (a probe) runs. */
  checking(): void {
    if (this.#state === 'waiting') this.#state = 'checking';
  }

  /** The secondary serves the serial (or a newer one), however that was learnt. */
  converged(): void {
    if (this.#serial === null) return;
    this.#state = 'converged';
    this.#nextAt = null;
  }

  /**
   * The outcome of a check: `holds`, the secondary serves the serial. Not
   * yet, and the limit passed: given up (the daemon logs it); not yet:
   * notify again (the daemon sends it and calls `sent`).
   */
  check(now: number, holds: boolean, s: ConvergeSettings): ConvergeAction {
    if (holds) {
      this.converged();
      return 'done';
    }
    if (now - this.#since >= s.limitMs) {
      this.#state = 'gave-up';
      this.#nextAt = null;
      return 'give-up';
    }
    return 'notify-again';
  }

  /**
   * Whether a probe that finds the secondary behind should start a NOTIFY of
   * `serial`: not while one runs, nor after giving it up; after one went
   * unanswered, only within the limit (so a secondary that answers SOA
   * queries but refuses NOTIFY is not notified at every probe for ever).
   */
  mayStart(serial: number, now: number, s: ConvergeSettings): boolean {
    if (serial !== this.#serial) return true;
    if (this.#state === 'none') return true;
    return this.#state === 'unanswered' && now - this.#since < s.limitMs;
  }

  /** As plain JSON. */
  progress(): NotifyProgress {
    return { state: this.#state, serial: this.#serial, tries: this.#tries, nextAt: this.#nextAt === null ? null : new Date(this.#nextAt).toISOString() };
  }
}
