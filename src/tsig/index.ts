/** Public surface of TSIG (RFC 8945): keys, signing and verifying messages and message streams, and the transfer client's signer. */
export * from './tsig-key.js';
export * from './tsig.js';
export * from './xfr-signer.js';
export * from './transfer-tsig.js';
export * from './tsig-check-error.js';
