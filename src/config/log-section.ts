/** The `log:` section: the level and the sampling of query lines. */
import type { Config } from './config-types.js';
import { field, type KeyTable } from './key-table.js';
import { integer, oneOf } from './scalar-readers.js';

/** The values of `log.level` (pino's levels, and `silent`). */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Keys of the `log:` section. */
export const LOG_KEYS: KeyTable<Config['log']> = {
  level: field(oneOf(LOG_LEVELS), (l, x) => { l.level = x; }),
  'query-sample': field(integer(1, 1_000_000), (l, x) => { l.querySample = x; }),
};
