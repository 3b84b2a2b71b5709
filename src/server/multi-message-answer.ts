/** A multi-message answer (AXFR, IXFR over TCP): each message, already signed when TSIG is in use. */
export type MultiMessageAnswer = Iterator<Uint8Array, void, undefined>;
