/** Public surface of the configuration loader. */
export * from './config-types.js';
export * from './config-error.js';
export * from './duration.js';
export * from './load-config.js';
