export * from './metrics-error.js';
export * from './metrics-server.js';
export * from './metrics-text.js';
export * from './process-metrics.js';
export * from './render-metrics.js';
export * from './transfer-counters.js';
