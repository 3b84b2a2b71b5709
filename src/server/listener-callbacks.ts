/** What the UDP and TCP listeners report to the daemon: failures that must not stop serving, and each query with its response. */

/** Reports a failure that must not stop serving (one bad request, one failed send). */
export type ListenerErrorSink = (err: unknown, what: string) => void;

/** Sees every query and its response (null: dropped); set only when per-query logging is on. */
export type QueryObserver = (query: Uint8Array, response: Uint8Array | null, client: string, tcp: boolean) => void;
