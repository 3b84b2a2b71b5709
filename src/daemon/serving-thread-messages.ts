/**
 * What the main thread and its serving threads (issue 16 §3) say to each
 * other. Everything here is structured-clonable: numbers, strings, octets,
 * and the zone images' SharedArrayBuffers (shared, not copied).
 */
import type { Config } from '../config/index.js';
import type { RateLimitSettings } from '../server/rate-limit-settings.js';
import type { TsigFailure } from '../server/transfer-hooks.js';
import type { AclEntry } from '../xfr/acl.js';

/** The `server:` settings a serving thread answers by, and what its hooks need. */
export interface ThreadSettings {
  udpPayload: number;
  identity: string | null;
  version: string | null;
  /** This thread's share of answer-cache-size. */
  answerCacheSize: number;
  rateLimit: RateLimitSettings | null;
  answerCookie: boolean;
  cookieSecrets: Uint8Array[];
  keys: Config['keys'];
  /** allow-transfer of the zones answered only to whom it admits (catalog zones, RFC 9432 §7), by zone key. */
  restrictedAcls: [string, AclEntry[]][];
  logLevel: string;
  querySample: number;
}

/** An address a serving thread listens on (`listen`), by its key (`127.0.0.1:53`, `[::1]:53`). */
export interface ThreadAddress {
  key: string;
  host: string;
  port: number;
}

/** An address a serving thread could not bind: the system's error code and message. */
export interface ThreadListenFailure {
  key: string;
  port: number;
  errno: string | null;
  message: string;
}

/** Given to the thread at its start (workerData). */
export interface ThreadStart {
  /** Marks the worker as a serving thread (serving-thread.ts runs only then). */
  tyneServingThread: true;
  index: number;
  /** Addresses to bind at once (answered by a 'listened' of seq 0). */
  listen: ThreadAddress[];
  /** The settings until the first publish. */
  settings: ThreadSettings;
  /** 'batched': the native module at modulePath ('' = the built one); 'dgram': node:dgram with reusePort. */
  udpIo: 'batched' | 'dgram';
  modulePath: string;
  cookieSeed: string;
  /** Int32Array[1]: the generation being served, flipped by the main thread after it posted it. */
  generation: SharedArrayBuffer;
  /** QueryCounters.BYTES: this thread's counters (written here, read by the main thread for /metrics). */
  counters: SharedArrayBuffer;
  /** Float64Array[3]: the batched sockets' sendDropped, sendRetried, truncated. */
  udpStats: SharedArrayBuffer;
  metrics: boolean;
}

/** main → thread, on the thread's own port: a zone set to serve from generation `gen` on. */
export interface PublishMessage {
  t: 'publish';
  gen: number;
  /** Every zone served, in order, by id. */
  zones: Int32Array;
  /** The images of the zones this thread has not been sent yet: id, buffer id, ZoneImage.at, for each. */
  images: Int32Array;
  /** The buffers of those images this thread has not been sent yet, by buffer id (shared, not copied). */
  buffers: [number, SharedArrayBuffer][];
  /** Buffer ids no image served from now on is in (the thread lets their views go). */
  dropped: number[];
  /** Wire names of the zones answered SERVFAIL (loading, expired). */
  unavailable: Uint8Array[];
  /** Ids of the zones answered only to whom allow-transfer admits. */
  restricted: number[];
  /** New settings (null: as before). */
  settings: ThreadSettings | null;
}

/** main → thread, the answer to a relayed query (null: none to send). */
export interface ReplyMessage {
  t: 'reply';
  id: number;
  response: Uint8Array | null;
}

export type ToThread =
  | PublishMessage
  | ReplyMessage
  /** Listen on exactly these addresses (binding the new ones, closing the others); answered by 'listened' with the same seq. */
  | { t: 'listen'; seq: number; listen: ThreadAddress[] }
  | { t: 'metrics'; on: boolean }
  | { t: 'level'; level: string }
  /** Collect and compact this thread's heap: the main thread's own compaction after thousands of zones loaded (heap-compaction.ts). */
  | { t: 'compact' }
  | { t: 'stop' };

/** thread → main. */
export type FromThread =
  /** The addresses bound; `failed` empty when all were (those bound of a failed 'listen' are closed again). */
  | { t: 'listened'; seq: number; failed: ThreadListenFailure[] }
  | { t: 'relay'; id: number; query: Uint8Array; address: string }
  | { t: 'tsig-failed'; info: TsigFailure };
