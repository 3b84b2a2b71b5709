/**
 * Who may hold a TCP connection (RFC 7766 §6.2.2: a server may limit
 * connections, and close idle ones to make room). One quota per process,
 * shared by the TCP listeners of every `listen` address.
 *
 * - At most `maxPerClient` connections from one client address: one more
 *   is closed at once (reset), and the client's others are untouched.
 * - At most `maxConnections` in all. Past it, the connection idle longest
 *   makes room, but only if it is genuinely idle: no transfer being written,
 *   no answer waiting to be read, nothing received for IDLE_EVICT_MS.
 *   Otherwise the new connection is the one closed: an established client
 *   (a transfer, a client asking once a second) is never cut for a newcomer.
 */

/** A connection must have received nothing for this long before a newcomer may close it to make room (ms). */
export const IDLE_EVICT_MS = 2000;
/** Connections looked at, idle longest first, for one to close: busy ones are skipped, the search stays short. */
const EVICT_SCAN = 64;

export interface TcpQuotaLimits {
  /** RFC 7766 §6.2.3: close a connection idle this long (ms). */
  idleTimeoutMs: number;
  /** Connections held at once, over all listeners. */
  maxConnections: number;
  /** Connections held at once from one client address. */
  maxPerClient: number;
}

/** One connection as the quota sees it. */
export interface QuotaConnection {
  readonly address: string;
  /** Has work in hand: a transfer being written, answers the client has not taken yet. */
  busy(): boolean;
  /** Closes it to make room for a new one. */
  evict(): void;
}

/** Why a connection was not admitted, or why one was closed to admit another. */
export type QuotaEvent = 'per-client' | 'full' | 'evicted-idle';

/** Hears of every refused or evicted connection (the daemon counts and logs them, a line per interval). */
export type QuotaObserver = (event: QuotaEvent, address: string) => void;

export class TcpQuota {
  #limits: TcpQuotaLimits;
  /** Open connections, least recently active first (a Map keeps insertion order), with when they last received data. */
  readonly #conns = new Map<QuotaConnection, number>();
  readonly #perClient = new Map<string, number>();
  #observe: QuotaObserver | undefined;

  constructor(limits: TcpQuotaLimits, observe?: QuotaObserver) {
    this.#limits = { ...limits };
    this.#observe = observe;
  }

  get limits(): Readonly<TcpQuotaLimits> {
    return this.#limits;
  }

  /** New limits (a reload): connections already open stay, the limits apply to new ones. */
  configure(limits: TcpQuotaLimits): void {
    this.#limits = { ...limits };
  }

  get size(): number {
    return this.#conns.size;
  }

  /** Connections open from `address`. */
  from(address: string): number {
    return this.#perClient.get(address) ?? 0;
  }

  /**
   * Admits `conn` (true), closing a genuinely idle connection first when
   * the quota is full; false when it must be closed instead (the caller
   * closes it; nothing was counted).
   */
  admit(conn: QuotaConnection, now = Date.now()): boolean {
    const n = this.#perClient.get(conn.address) ?? 0;
    if (n >= this.#limits.maxPerClient) {
      this.#observe?.('per-client', conn.address);
      return false;
    }
    if (this.#conns.size >= this.#limits.maxConnections && !this.#evictIdle(now)) {
      this.#observe?.('full', conn.address);
      return false;
    }
    this.#conns.set(conn, now);
    this.#perClient.set(conn.address, n + 1);
    return true;
  }

  /** `conn` received data: it is the most recently active now. */
  touch(conn: QuotaConnection, now = Date.now()): void {
    if (!this.#conns.delete(conn)) return;
    this.#conns.set(conn, now);
  }

  /** `conn` closed (any reason); a second call does nothing. */
  release(conn: QuotaConnection): void {
    if (!this.#conns.delete(conn)) return;
    const n = (this.#perClient.get(conn.address) ?? 1) - 1;
    if (n <= 0) this.#perClient.delete(conn.address);
    else this.#perClient.set(conn.address, n);
  }

  /** Closes the connection idle longest if it is genuinely idle; true when one was closed. */
  #evictIdle(now: number): boolean {
    let looked = 0;
    for (const [c, last] of this.#conns) {
      // Ordered by last activity: once one is recent, all that follow are too.
      if (now - last < IDLE_EVICT_MS || looked++ >= EVICT_SCAN) return false;
      if (c.busy()) continue;
      this.release(c);
      c.evict();
      this.#observe?.('evicted-idle', c.address);
      return true;
    }
    return false;
  }
}
