import { ConfigValueError } from './config-value-error.js';

const UNIT: Readonly<Record<string, number>> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

const FORMS = 'a number of octets, or a whole number with a unit: 512K, 256M, 1G';

/**
 * Parses a size from a configuration value, as BIND and Knot write them: a
 * whole number of octets, or digits and one unit `K`, `M` or `G` (powers of
 * 1024, either letter case). Returns octets. Throws a ConfigValueError with code
 * `SIZE_INVALID` for anything else, negative and fractional values included.
 */
export function parseByteSize(value: unknown): number {
  let bytes: number;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) throw bad(String(value));
    bytes = value;
  } else if (typeof value === 'string') {
    const m = /^(\d+)([kKmMgG]?)$/.exec(value);
    if (m === null) throw bad(`'${value}'`);
    bytes = Number(m[1]) * UNIT[m[2]!.toLowerCase()]!;
  } else {
    throw new ConfigValueError('SIZE_INVALID', `expected a size (${FORMS})`);
  }
  if (!Number.isSafeInteger(bytes)) throw bad(typeof value === 'string' ? `'${value}'` : String(value), 'too large');
  return bytes;
}

/** Formats octets the short way round (`256M`, `8K`, `1000`), for messages. */
export function formatByteSize(bytes: number): string {
  for (const unit of ['g', 'm', 'k'] as const) {
    const u = UNIT[unit]!;
    if (bytes !== 0 && bytes % u === 0) return `${bytes / u}${unit.toUpperCase()}`;
  }
  return String(bytes);
}

function bad(shown: string, why = `use ${FORMS}`): ConfigValueError {
  return new ConfigValueError('SIZE_INVALID', `bad size ${shown} (${why})`);
}
