/** A multi-message answer (AXFR, IXFR over TCP): each message, already signed when TSIG is in use. */
export type MessageStream = Iterator<Uint8Array, void, undefined>;
