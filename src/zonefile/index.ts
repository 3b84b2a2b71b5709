/** Public surface of the zone-file layer. */
export * from './zone-file-error.js';
export * from './zone-lexer.js';
export * from './zone-parser.js';
export * from './zone-printer.js';
export * from './generate-template.js';
export * from './zone-limits.js';
export * from './zone-dump.js';
