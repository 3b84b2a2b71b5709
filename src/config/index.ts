/** Public surface of the configuration loader. */
export * from './config-types.js';
export * from './config-error.js';
export * from './config-value-error.js';
export * from './duration.js';
export * from './load-config.js';
export { LOG_LEVELS } from './log-section.js';
export { SERVER_DEFAULTS } from './server-section.js';
export { defaultIncludeConfine } from './zone-limit-keys.js';
export { zoneNameKey } from './zones-section.js';
export { readConfigDocument } from './config-document.js';
export { DEFAULT_CONTROL_MODE, MAX_SOCKET_PATH, defaultSocketPath } from './control-section.js';
export { DEFAULT_METRICS_LISTEN } from './metrics-section.js';
