/** Public surface of TSIG (RFC 8945): keys, signing and verifying messages and message streams, the transfer client's signer and the NOTIFY signer. */
export * from './tsig-key.js';
export * from './tsig.js';
export * from './xfr-signer.js';
export * from './transfer-tsig.js';
export * from './tsig-check-error.js';
export * from './notify-signer.js';
