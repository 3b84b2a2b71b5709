/** What the UDP and TCP listeners report to the daemon: failures that must not stop serving, and each query with its response. */
import type { QueryCounters } from './query-counters.js';

/** Reports a failure that must not stop serving (one bad request, one failed send). */
export type ListenerErrorSink = (err: unknown, what: string) => void;

/** Sees every query and its response (null: dropped); set only while per-query logging is on. */
export type QueryObserver = (query: Uint8Array, response: Uint8Array | null, client: string, tcp: boolean) => void;

/**
 * What the listeners do with each query beyond answering it, read per query
 * (one object shared by every listener of the process, changed in place by
 * the daemon): count it (metrics on) and show it to the per-query log (log
 * level debug, following `tyne loglevel`). Null: not done, at the cost of
 * one null check.
 */
export interface QueryHooks {
  counters: QueryCounters | null;
  observe: QueryObserver | null;
}

/** Hooks that do nothing (tests, and a daemon with metrics off at level info). */
export function noQueryHooks(): QueryHooks {
  return { counters: null, observe: null };
}
