/** `transfers-out`: the process-wide limit on zone transfers written at once. */
import type { MultiMessageAnswer } from './multi-message-answer.js';

/**
 * `transfers-out`, as BIND's: at most `limit` outgoing zone transfers
 * (AXFR, and IXFR over TCP) are written at once; a request past it is
 * refused (REFUSED), and the secondary tries again at its retry timer.
 * One quota per process, kept across reloads (the responder is rebuilt at
 * each zone change; the transfers it started go on counting).
 */
export class TransferQuota {
  #limit: number;
  #active = 0;

  constructor(limit: number) {
    this.#limit = limit;
  }

  get limit(): number {
    return this.#limit;
  }

  /** A new limit (a reload); transfers already running finish. */
  configure(limit: number): void {
    this.#limit = limit;
  }

  /** Every slot is in use: the next transfer would be refused. */
  get full(): boolean {
    return this.#active >= this.#limit;
  }

  /** Transfers being written now. */
  get active(): number {
    return this.#active;
  }

  /**
   * `stream` holding one slot until it ends, is closed (`return`, also
   * before its first message) or throws; null (nothing taken) when every
   * slot is in use.
   */
  hold(stream: MultiMessageAnswer): MultiMessageAnswer | null {
    if (this.#active >= this.#limit) return null;
    this.#active++;
    let held = true;
    const free = (): void => {
      if (!held) return;
      held = false;
      this.#active--;
    };
    return {
      next(): IteratorResult<Uint8Array, void> {
        let r: IteratorResult<Uint8Array, void>;
        try {
          r = stream.next();
        } catch (err) {
          free();
          throw err;
        }
        if (r.done === true) free();
        return r;
      },
      return(): IteratorResult<Uint8Array, void> {
        free();
        return stream.return?.() ?? { done: true, value: undefined };
      },
    };
  }
}
