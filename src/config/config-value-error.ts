/** ConfigValueError: a configuration value (a duration, a size) that its reader cannot parse, and its codes. */
import { TyneError } from '../wire/index.js';

/** Stable codes of ConfigValueError. */
export const ConfigValueErrorCode = {
  /** Not a duration: a number of seconds, or a whole number with a unit (500ms, 10s, 2m, 1h, 1d). */
  DURATION_INVALID: 'DURATION_INVALID',
  /** Not a size: a number of octets, or a whole number with a unit (512K, 256M, 1G). */
  SIZE_INVALID: 'SIZE_INVALID',
} as const;

export type ConfigValueErrorCode = (typeof ConfigValueErrorCode)[keyof typeof ConfigValueErrorCode];

/** A value a reader of src/config cannot parse; the schema turns it into one problem of a ConfigError. */
export class ConfigValueError extends TyneError<ConfigValueErrorCode> {}
