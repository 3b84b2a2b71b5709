/**
 * Response rate limiting (RRL) as BIND defines it (ARM "Response Rate
 * Limiting", also Knot's mod-rrl and NSD's rrl): UDP responses are counted
 * per client network (`ipv4-prefix-length`, `ipv6-prefix-length`) and per
 * answer, in token buckets credited `rate` per second, holding at most `rate`
 * and owing at most `window * rate`. Past the limit a response is dropped,
 * or every `slip`-th one is "slipped": sent truncated (TC=1) so that a real
 * client, whose address an attacker is spoofing, retries over TCP.
 * Pure: no sockets, no clock of its own (the caller passes the time), and a
 * fixed-size table, so the memory is bounded and each check is O(1).
 */
import { formatIPv4, formatIPv6, parsePeerAddress } from '../wire/index.js';
import type { RateLimitSettings } from './rate-limit-settings.js';

/** What a response is, for the limiter; each kind has its own rate (BIND's rtype). */
export const RrlKind = {
  /** A positive answer: counted per (name, type, class). */
  ANSWER: 0,
  /** A referral: counted per delegation point (no type: the answer section is empty). */
  REFERRAL: 1,
  /** NODATA: counted per name (no type, as BIND). */
  NODATA: 2,
  /** NXDOMAIN: counted per zone, so random names in one zone share one bucket. */
  NXDOMAIN: 3,
  /** REFUSED, FORMERR, SERVFAIL, NOTIMP...: counted per client network alone. */
  ERROR: 4,
} as const;
export type RrlKind = (typeof RrlKind)[keyof typeof RrlKind];

/** The names of the kinds, in RrlKind order (for counters and logs). */
export const RRL_KIND_NAMES = ['answer', 'referral', 'nodata', 'nxdomain', 'error'] as const;

/** The limiter's decision for one response. */
export const RrlVerdict = {
  SEND: 0,
  DROP: 1,
  /** Send a truncated response instead (TC=1, question only). */
  SLIP: 2,
} as const;
export type RrlVerdict = (typeof RrlVerdict)[keyof typeof RrlVerdict];

/** Totals since the limiter was made (for a metrics endpoint; the daemon logs their changes). */
export interface RateLimitCounters {
  /** Responses the limiter looked at (exempt clients not included). */
  checked: number;
  /** Responses not sent, by RrlKind. */
  dropped: number[];
  /** Responses sent truncated instead, by RrlKind. */
  slipped: number[];
  /** Responses to exempt clients (never limited). */
  exempt: number;
}

/** The most limited bucket of an interval, for the summary log line. */
export interface RateLimitTop {
  /** The client network, e.g. `192.0.2.0/24`. */
  prefix: string;
  kind: (typeof RRL_KIND_NAMES)[number];
  /** Responses dropped or slipped for it in the interval. */
  limited: number;
}

/** How many slots a lookup may probe before reusing the oldest of them. */
const PROBES = 8;
/** Words of a bucket's key: 4 of address prefix, the name hash, and family/kind/class/type. */
const KEY_WORDS = 6;
/** In the key's type word: an IPv6 network (so a v4 network never shares a bucket with ::a.b.c.0). */
const V6_FLAG = 0x80000000 | 0;
/** "Never used": older than any window. */
const NEVER = -1e18;

/**
 * The buckets, NSD/BIND style: a fixed table of typed arrays (no objects per
 * client), open addressing over at most PROBES slots, and the stalest slot
 * of those reused for a new key, so memory never grows whatever the traffic.
 */
export class RateLimiter {
  readonly settings: Readonly<RateLimitSettings>;
  readonly counters: RateLimitCounters = { checked: 0, dropped: [0, 0, 0, 0, 0], slipped: [0, 0, 0, 0, 0], exempt: 0 };

  readonly #rates: Float64Array;
  readonly #windowMs: number;
  readonly #mask: number;
  readonly #keys: Int32Array;
  readonly #balance: Float64Array;
  readonly #stamp: Float64Array;
  readonly #slip: Uint8Array;
  /** Limited responses of the bucket in interval #epochOf. */
  readonly #limited: Uint32Array;
  readonly #epochOf: Uint32Array;
  readonly #seed: number;
  readonly #v4Mask: number;
  readonly #v6Mask: Int32Array;
  readonly #exempt: { family: 4 | 6; words: Int32Array; masks: Int32Array }[];

  /** The key being looked up (the address words, then the name hash and the type word). */
  readonly #key = new Int32Array(KEY_WORDS);
  readonly #octets = new Uint8Array(16);
  /** The last address parsed, and what it gave (floods come from few addresses). */
  #lastAddress = '';
  #lastFamily: 0 | 4 | 6 = 0;
  #lastExempt = false;
  readonly #lastWords = new Int32Array(4);

  #epoch = 1;
  #top = -1;
  #topLimited = 0;
  #topKey = new Int32Array(KEY_WORDS);

  constructor(settings: Readonly<RateLimitSettings>, seed = (Math.random() * 0x100000000) | 0) {
    this.settings = settings;
    const s = settings;
    this.#rates = Float64Array.of(s.responsesPerSecond, s.referralsPerSecond, s.nodataPerSecond, s.nxdomainsPerSecond, s.errorsPerSecond);
    this.#windowMs = s.window * 1000;
    let size = 16;
    while (size < s.maxTableSize) size *= 2;
    this.#mask = size - 1;
    this.#keys = new Int32Array(size * KEY_WORDS);
    this.#balance = new Float64Array(size);
    this.#stamp = new Float64Array(size).fill(NEVER);
    this.#slip = new Uint8Array(size);
    this.#limited = new Uint32Array(size);
    this.#epochOf = new Uint32Array(size);
    this.#seed = seed;
    this.#v4Mask = maskWord(s.ipv4PrefixLength);
    this.#v6Mask = Int32Array.from([0, 1, 2, 3], (i) => maskWord(s.ipv6PrefixLength - 32 * i));
    this.#exempt = s.exempt.map((n) => {
      const words = new Int32Array(4);
      const masks = new Int32Array(4);
      for (let i = 0; i < n.network.length / 4; i++) {
        words[i] = readWord(n.network, 4 * i);
        masks[i] = maskWord(n.prefix - 32 * i);
      }
      return { family: n.family, words, masks };
    });
  }

  /** Buckets in the table (a power of two, at least `max-table-size`). */
  get tableSize(): number {
    return this.#mask + 1;
  }

  /**
   * False when responses to `address` are never limited (an exempt network,
   * or not an address), counted as exempt: asked before the response's token
   * is read, which an exempt client's response does not need.
   */
  limits(address: string): boolean {
    if (this.#client(address)) return true;
    this.counters.exempt++;
    return false;
  }

  /**
   * Counts one UDP response to `address` and says what to do with it.
   * `nameHash` identifies the name the response is counted by (see
   * RrlKind) and `typeWord` its class and type (0 where the kind ignores
   * them); `nowMs` is a monotonic clock in milliseconds.
   */
  check(address: string, kind: RrlKind, nameHash: number, typeWord: number, nowMs: number): RrlVerdict {
    const rate = this.#rates[kind]!;
    if (!this.#client(address)) {
      this.counters.exempt++;
      return RrlVerdict.SEND;
    }
    this.counters.checked++;
    if (rate <= 0) return RrlVerdict.SEND; // BIND: a rate of 0 does not limit that kind
    const key = this.#key;
    // BIND's key: the type only for answers, the name for all but errors.
    key[4] = kind === RrlKind.ERROR ? 0 : nameHash;
    key[5] = (this.#lastFamily === 6 ? V6_FLAG : 0) | ((kind + 1) << 24) | (kind === RrlKind.ANSWER ? typeWord & 0xffffff : 0);
    const e = this.#slot();
    // RFC-less, BIND's debit_rrl_entry: credit the time since the last response, capped at
    // `rate`; a bucket idle for longer than the window starts afresh.
    const age = nowMs - this.#stamp[e]!;
    let balance = this.#balance[e]!;
    if (age > this.#windowMs) {
      balance = rate;
      this.#slip[e] = 0;
    } else if (age > 0) {
      balance += (age * rate) / 1000;
      if (balance >= rate) {
        balance = rate;
        this.#slip[e] = 0;
      }
    }
    this.#stamp[e] = nowMs;
    balance -= 1;
    if (balance >= 0) {
      this.#balance[e] = balance;
      return RrlVerdict.SEND;
    }
    // The debt is bounded, so a client that stops is answered again within `window` seconds.
    const min = -this.#windowMs * rate / 1000;
    this.#balance[e] = balance < min ? min : balance;
    this.#noteLimited(e);
    // BIND: error responses are never slipped, only dropped; of the others, the first of
    // every `slip` responses dropped goes out truncated.
    const slip = this.settings.slip;
    if (slip !== 0 && kind !== RrlKind.ERROR) {
      const n = this.#slip[e]!;
      this.#slip[e] = n + 1 >= slip ? 0 : n + 1;
      if (n === 0) {
        this.counters.slipped[kind]!++;
        return RrlVerdict.SLIP;
      }
    }
    this.counters.dropped[kind]!++;
    return RrlVerdict.DROP;
  }

  /**
   * The bucket most limited since the last call, and starts a new interval
   * (null when nothing was limited).
   */
  takeTop(): RateLimitTop | null {
    const top = this.#top >= 0 ? this.#describe(this.#topKey, this.#topLimited) : null;
    this.#epoch++;
    this.#top = -1;
    this.#topLimited = 0;
    return top;
  }

  /** Parses `address` into the key's address words; false when it is exempt (or not an address). */
  #client(address: string): boolean {
    const key = this.#key;
    if (address !== this.#lastAddress) {
      this.#lastAddress = address;
      this.#lastFamily = this.#parse(address);
      this.#lastExempt = this.#lastFamily === 0 || this.#isExempt();
    }
    if (this.#lastExempt) return false;
    const w = this.#lastWords;
    if (this.#lastFamily === 4) {
      key[0] = w[0]! & this.#v4Mask;
      key[1] = 0;
      key[2] = 0;
      key[3] = 0;
    } else {
      const m = this.#v6Mask;
      key[0] = w[0]! & m[0]!;
      key[1] = w[1]! & m[1]!;
      key[2] = w[2]! & m[2]!;
      key[3] = w[3]! & m[3]!;
    }
    return true;
  }

  #parse(address: string): 0 | 4 | 6 {
    const o = this.#octets;
    const w = this.#lastWords;
    // Dual-stack sockets show IPv4 clients as ::ffff:a.b.c.d; they are IPv4 clients.
    const family = parsePeerAddress(address, o);
    if (family === 4) w[0] = readWord(o, 0);
    else if (family === 6) for (let i = 0; i < 4; i++) w[i] = readWord(o, 4 * i);
    return family;
  }

  #isExempt(): boolean {
    const w = this.#lastWords;
    for (const n of this.#exempt) {
      if (n.family !== this.#lastFamily) continue;
      const words = n.family === 4 ? 1 : 4;
      let match = true;
      for (let i = 0; i < words && match; i++) match = (w[i]! & n.masks[i]!) === (n.words[i]! & n.masks[i]!);
      if (match) return true;
    }
    return false;
  }

  /** The slot holding #key, or the one to reuse for it (empty, else the stalest probed). */
  #slot(): number {
    const key = this.#key;
    const keys = this.#keys;
    const mask = this.#mask;
    let h = this.#seed;
    for (let i = 0; i < KEY_WORDS; i++) h = Math.imul(h ^ key[i]!, 0x9e3779b1) ^ (h >>> 15);
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h ^= h >>> 13;
    let victim = -1;
    let oldest = Infinity;
    for (let p = 0; p < PROBES; p++) {
      const s = (h + p) & mask;
      const b = s * KEY_WORDS;
      if (
        keys[b] === key[0] && keys[b + 1] === key[1] && keys[b + 2] === key[2] &&
        keys[b + 3] === key[3] && keys[b + 4] === key[4] && keys[b + 5] === key[5]
      ) {
        return s;
      }
      const t = this.#stamp[s]!;
      if (t < oldest) {
        oldest = t;
        victim = s;
      }
    }
    // A new key: the stalest of the probed slots forgets what it counted.
    keys.set(key, victim * KEY_WORDS);
    this.#stamp[victim] = NEVER;
    this.#slip[victim] = 0;
    this.#epochOf[victim] = 0;
    return victim;
  }

  #noteLimited(e: number): void {
    if (this.#epochOf[e] !== this.#epoch) {
      this.#epochOf[e] = this.#epoch;
      this.#limited[e] = 0;
    }
    const n = ++this.#limited[e]!;
    if (n > this.#topLimited) {
      this.#topLimited = n;
      if (this.#top !== e) {
        this.#top = e;
        this.#topKey.set(this.#keys.subarray(e * KEY_WORDS, e * KEY_WORDS + KEY_WORDS));
      }
    }
  }

  #describe(key: Int32Array, limited: number): RateLimitTop {
    const kind = RRL_KIND_NAMES[((key[5]! >>> 24) & 0x7f) - 1] ?? 'answer';
    const o = new Uint8Array(16);
    let prefix: string;
    if ((key[5]! & V6_FLAG) === 0) {
      writeWord(o, 0, key[0]!);
      prefix = `${formatIPv4(o)}/${this.settings.ipv4PrefixLength}`;
    } else {
      for (let i = 0; i < 4; i++) writeWord(o, 4 * i, key[i]!);
      prefix = `${formatIPv6(o)}/${this.settings.ipv6PrefixLength}`;
    }
    return { prefix, kind, limited };
  }
}

/** The 32-bit mask of the first `bits` bits (any number: <= 0 gives 0, >= 32 all ones). */
function maskWord(bits: number): number {
  if (bits <= 0) return 0;
  if (bits >= 32) return -1;
  return (-1 << (32 - bits)) | 0;
}

function readWord(b: Uint8Array, at: number): number {
  return (b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!;
}

function writeWord(b: Uint8Array, at: number, w: number): void {
  b[at] = w >>> 24;
  b[at + 1] = w >>> 16;
  b[at + 2] = w >>> 8;
  b[at + 3] = w;
}
