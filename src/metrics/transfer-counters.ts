/**
 * Counters of zone transfers out and in and of the NOTIFYs sent (issue 15
 * §3: `tyne_xfr_out_total`, `tyne_xfr_in_total`, `tyne_notify_sent_total`).
 * Counted at the transfer service's events (a transfer written or refused,
 * a transfer from a primary ended, a NOTIFY acknowledged or given up),
 * never per query. Every label has a small fixed set of values (below);
 * the zone label has one value per zone served.
 */

/** What was sent (an IXFR answered with the whole zone counts as axfr), or asked for when it failed. */
export type TransferKind = 'axfr' | 'ixfr';
/**
 * Out: `success` the last message written; `uptodate` an IXFR whose client
 * already held our serial (one SOA sent); `aborted` the client went away
 * before the end; `refused` by `allow-transfer` or at `transfers-out`.
 */
export type TransferOutResult = 'success' | 'uptodate' | 'aborted' | 'refused';
/** In: `success` a new version received; `uptodate` the primary's IXFR said ours is current; `failed` any error (the log says which). */
export type TransferInResult = 'success' | 'uptodate' | 'failed';
/** `acked` answered NOERROR; `refused` answered with an error RCODE; `timeout` unanswered after its tries; `failed` no try could be made (no socket, no signature). */
export type NotifyResult = 'acked' | 'refused' | 'timeout' | 'failed';

export const TRANSFER_KINDS: readonly TransferKind[] = ['axfr', 'ixfr'];
export const TRANSFER_OUT_RESULTS: readonly TransferOutResult[] = ['success', 'uptodate', 'aborted', 'refused'];
export const TRANSFER_IN_RESULTS: readonly TransferInResult[] = ['success', 'uptodate', 'failed'];
export const NOTIFY_RESULTS: readonly NotifyResult[] = ['acked', 'refused', 'timeout', 'failed'];

/** One counter per (zone, kind, result); the zone as served (`example.com.`). */
export class ZoneTransferCounts {
  /** By zone: counts at kind index * results + result index. */
  readonly #byZone = new Map<string, Float64Array>();
  readonly results: readonly string[];

  constructor(results: readonly string[]) {
    this.results = results;
  }

  add(zone: string, kind: TransferKind, result: string): void {
    let a = this.#byZone.get(zone);
    if (a === undefined) {
      a = new Float64Array(TRANSFER_KINDS.length * this.results.length);
      this.#byZone.set(zone, a);
    }
    const r = this.results.indexOf(result);
    if (r >= 0) a[TRANSFER_KINDS.indexOf(kind) * this.results.length + r]!++;
  }

  /** Every counter that is not 0, sorted by zone: [zone, kind, result, count]. */
  rows(): [string, TransferKind, string, number][] {
    const out: [string, TransferKind, string, number][] = [];
    for (const zone of [...this.#byZone.keys()].sort()) {
      const a = this.#byZone.get(zone)!;
      TRANSFER_KINDS.forEach((kind, k) => this.results.forEach((result, r) => {
        const n = a[k * this.results.length + r]!;
        if (n > 0) out.push([zone, kind, result, n]);
      }));
    }
    return out;
  }

  /** The count of one label set (0 when never counted). */
  get(zone: string, kind: TransferKind, result: string): number {
    const a = this.#byZone.get(zone);
    const r = this.results.indexOf(result);
    return a === undefined || r < 0 ? 0 : a[TRANSFER_KINDS.indexOf(kind) * this.results.length + r]!;
  }
}

/** The transfer and NOTIFY counters of one process. */
export class TransferCounters {
  readonly out = new ZoneTransferCounts(TRANSFER_OUT_RESULTS);
  readonly in = new ZoneTransferCounts(TRANSFER_IN_RESULTS);
  readonly notify = new Float64Array(NOTIFY_RESULTS.length);

  notified(result: NotifyResult): void {
    this.notify[NOTIFY_RESULTS.indexOf(result)]!++;
  }
}
