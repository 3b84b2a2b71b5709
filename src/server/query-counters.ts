/**
 * What the listeners count per query when metrics are on (issue 15 §3):
 * requests by transport, address family and question type, responses by
 * RCODE, and the time each took, into arrays allocated once. Nothing is
 * rendered here (src/metrics does that, when scraped): a query costs a few
 * array steps, no string and no allocation. The labels follow CoreDNS's
 * metrics plugin (plugin/metrics/vars: `proto`, `family` 1 = IPv4 and
 * 2 = IPv6, `type` with the common types by name and the rest "other",
 * `rcode` by name), and so do the duration buckets
 * (prometheus.ExponentialBuckets(0.00025, 2, 16): 0.25 ms to 8.192 s).
 */
import { RRType } from '../wire/index.js';

/** The question types counted by name (CoreDNS's monitored types, as the issue lists them); any other is "other". */
export const COUNTED_TYPES: readonly string[] = ['A', 'AAAA', 'NS', 'SOA', 'MX', 'TXT', 'CNAME', 'PTR', 'SRV', 'DS', 'DNSKEY', 'CAA', 'HTTPS', 'SVCB', 'ANY', 'AXFR', 'IXFR'];
/** Label value of the types not in COUNTED_TYPES (and of a question that could not be read). */
export const OTHER_TYPE = 'other';
const TYPE_SLOTS = COUNTED_TYPES.length + 1;

/** RCODEs 0..23 (RFC 6895 §2.3: every one a response can carry up to BADCOOKIE) counted one by one; the rest together. */
export const COUNTED_RCODES = 24;

/** Upper bounds of the duration buckets, in seconds (CoreDNS: ExponentialBuckets(0.00025, 2, 16)). */
export const DURATION_BUCKETS: readonly number[] = Array.from({ length: 16 }, (_, i) => 0.00025 * 2 ** i);
/** The same in milliseconds, as the listeners measure (performance.now()). */
const BOUNDS_MS = Float64Array.from(DURATION_BUCKETS, (s) => s * 1000);

/** Slot of each question type (0..65535) in the per-type counters. */
const TYPE_SLOT = new Uint8Array(65536).fill(COUNTED_TYPES.length);
COUNTED_TYPES.forEach((t, i) => {
  TYPE_SLOT[RRType[t as keyof typeof RRType]] = i;
});

/** CoreDNS's family label for a client's address: IPv6 (2), unless IPv4 (1), also when mapped into IPv6 (::ffff:a.b.c.d). */
export function countedAsV6(address: string): boolean {
  return address.includes(':') && !address.startsWith('::ffff:');
}

/** Float64 words of one set of counters: requests, responses, durations, and their sum. */
const WORDS = 4 * TYPE_SLOTS + COUNTED_RCODES + 1 + BOUNDS_MS.length + 1 + 1;

/**
 * Counters of one thread, for every listener of it. Float64: exact up to
 * 2^53 steps. Over a SharedArrayBuffer (`QueryCounters.shared`) a serving
 * thread counts where the main thread reads them for the metrics page
 * (issue 16 §3): only that thread writes them.
 */
export class QueryCounters {
  /** Octets of the memory one set needs (for `new QueryCounters(buffer)`). */
  static readonly BYTES = WORDS * 8;
  /** Requests, at ((tcp ? 2 : 0) + (v6 ? 1 : 0)) * TYPE_SLOTS + type slot. */
  readonly requests: Float64Array;
  /** Responses sent by RCODE (0..23), and at COUNTED_RCODES every other. */
  readonly responses: Float64Array;
  /** Requests by duration bucket, not cumulative (the renderer sums them); the last is above the largest bound. */
  readonly durations: Float64Array;
  readonly #sum: Float64Array;
  /** Every word above, in one view (add, clear). */
  readonly #all: Float64Array;

  /** Counters in `buffer` (QueryCounters.BYTES octets, zeroed), or in memory of their own. */
  constructor(buffer: ArrayBufferLike = new ArrayBuffer(WORDS * 8)) {
    let at = 0;
    const take = (n: number): Float64Array => {
      const a = new Float64Array(buffer, at * 8, n);
      at += n;
      return a;
    };
    this.requests = take(4 * TYPE_SLOTS);
    this.responses = take(COUNTED_RCODES + 1);
    this.durations = take(BOUNDS_MS.length + 1);
    this.#sum = take(1);
    this.#all = new Float64Array(buffer, 0, WORDS);
  }

  /** Counters over a new SharedArrayBuffer, to hand to a serving thread. */
  static shared(): { buffer: SharedArrayBuffer; counters: QueryCounters } {
    const buffer = new SharedArrayBuffer(WORDS * 8);
    return { buffer, counters: new QueryCounters(buffer) };
  }

  /** Sum of the durations, in milliseconds. */
  get durationSumMs(): number {
    return this.#sum[0]!;
  }

  /** The sum of several threads' counters, as one set (a new one). */
  static sum(sets: readonly QueryCounters[]): QueryCounters {
    const out = new QueryCounters();
    for (const c of sets) out.add(c);
    return out;
  }

  /** Adds every counter of `other` (durations' sum included) to these. */
  add(other: QueryCounters): void {
    const a = this.#all;
    const b = other.#all;
    for (let i = 0; i < WORDS; i++) a[i]! += b[i]!;
  }

  /** Every counter back to zero. */
  clear(): void {
    this.#all.fill(0);
  }

  /**
   * One request: `qtype` its question's type (0 when none could be read),
   * `rcode` that of the response sent (-1: none sent), `ms` the time it took.
   */
  count(tcp: boolean, v6: boolean, qtype: number, rcode: number, ms: number): void {
    this.requests[((tcp ? 2 : 0) + (v6 ? 1 : 0)) * TYPE_SLOTS + TYPE_SLOT[qtype & 0xffff]!]!++;
    if (rcode >= 0) this.responses[rcode < COUNTED_RCODES ? rcode : COUNTED_RCODES]!++;
    let i = 0;
    while (i < BOUNDS_MS.length && ms > BOUNDS_MS[i]!) i++;
    this.durations[i]!++;
    this.#sum[0]! += ms;
  }

  /** The requests counted for one label set (`type` one of COUNTED_TYPES or OTHER_TYPE). */
  requestsOf(tcp: boolean, v6: boolean, type: string): number {
    const i = COUNTED_TYPES.indexOf(type);
    return this.requests[((tcp ? 2 : 0) + (v6 ? 1 : 0)) * TYPE_SLOTS + (i < 0 ? COUNTED_TYPES.length : i)]!;
  }
}

/** The type label of counter slot `i` of QueryCounters.requests, with its transport and family. */
export function requestSlotLabels(i: number): { tcp: boolean; v6: boolean; type: string } {
  const group = Math.floor(i / TYPE_SLOTS);
  const t = i % TYPE_SLOTS;
  return { tcp: group >= 2, v6: group % 2 === 1, type: t < COUNTED_TYPES.length ? COUNTED_TYPES[t]! : OTHER_TYPE };
}
