/** Public surface of the query layer: pure answers from zones, no I/O. */
export * from './answer-types.js';
export * from './answer.js';
export * from './zone-set.js';
export { additionalTargetOffset } from './record-targets.js';
