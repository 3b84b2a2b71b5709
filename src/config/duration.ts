import { ConfigValueError } from './config-value-error.js';

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

const FORMS = 'a number of seconds, or a whole number with a unit: 500ms, 10s, 2m, 1h, 1d';

/**
 * Parses a duration from a configuration value: a number of seconds
 * (fractions allowed, rounded to the millisecond) or a string of digits and
 * one unit (`ms`, `s`, `m`, `h`, `d`). Returns milliseconds. Throws a
 * ConfigValueError with code `DURATION_INVALID` for anything else, negative values
 * included.
 */
export function parseDuration(value: unknown): number {
  let ms: number;
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) throw bad(String(value));
    ms = Math.round(value * 1000);
  } else if (typeof value === 'string') {
    const m = /^(\d+)(ms|s|m|h|d)$/.exec(value);
    if (m === null) throw bad(`'${value}'`);
    ms = Number(m[1]) * UNIT_MS[m[2]!]!;
  } else {
    throw new ConfigValueError('DURATION_INVALID', `expected a duration (${FORMS})`);
  }
  if (!Number.isSafeInteger(ms)) throw bad(typeof value === 'string' ? `'${value}'` : String(value), 'too large');
  return ms;
}

/** Formats milliseconds the short way round (`10s`, `1h`, `1500ms`), for messages. */
export function formatDuration(ms: number): string {
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    const u = UNIT_MS[unit]!;
    if (ms !== 0 && ms % u === 0) return `${ms / u}${unit}`;
  }
  return `${ms}ms`;
}

function bad(shown: string, why = `use ${FORMS}`): ConfigValueError {
  return new ConfigValueError('DURATION_INVALID', `bad duration ${shown} (${why})`);
}
