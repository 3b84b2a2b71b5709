/** Public surface of the catalog layer: RFC 9432 catalog zones, produced and read, without I/O. */
export * from './catalog-state-error.js';
export * from './member-id.js';
export * from './member-ids.js';
export * from './catalog-content.js';
export * from './read-catalog.js';
export * from './membership-changes.js';
