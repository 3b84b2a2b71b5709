/** Public surface of the wire layer. */
export * from './tyne-error.js';
export * from './wire-format-error.js';
export * from './text-format-error.js';
export * from './name.js';
export * from './reader.js';
export * from './writer.js';
export * from './rr-type.js';
export * from './text-token.js';
export * from './rdata.js';
export * from './message.js';
export * from './message-decoder.js';
export * from './message-encoder.js';
export { codecFor, knownTypes } from './rdata-codecs.js';
export * from './message-text.js';
export * from './diagnostic.js';
export * from './bytes-equal.js';
export * from './copy-bytes.js';
export * from './soa-rdata.js';
