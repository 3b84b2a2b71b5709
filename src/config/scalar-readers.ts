/**
 * Readers of scalar values: integers, strings, choices, booleans, folders,
 * durations (duration.ts) and sizes (byte-size.ts), each with its range.
 */
import { resolve } from 'node:path';
import { formatByteSize, parseByteSize } from './byte-size.js';
import { formatDuration, parseDuration } from './duration.js';
import type { Reader } from './key-table.js';
import { describe, problem, scalarOf } from './yaml-value.js';

export function integer(min: number, max: number): Reader<number> {
  return (ctx, v) => {
    const s = scalarOf(v);
    const x = s?.value;
    if (typeof x !== 'number' || !Number.isInteger(x)) return problem(ctx, v, `expected an integer from ${min} to ${max}, got ${describe(v)}`);
    if (x < min || x > max) return problem(ctx, v, `${x} is out of range (${min}..${max})`);
    return x;
  };
}

/** A string; `maxBytes` limits its UTF-8 length. */
export function text(maxBytes = Infinity): Reader<string> {
  return (ctx, v) => {
    const x = scalarOf(v)?.value;
    if (typeof x !== 'string') {
      const hint = typeof x === 'number' || typeof x === 'boolean' ? ' (quote it)' : '';
      return problem(ctx, v, `expected a string, got ${describe(v)}${hint}`);
    }
    if (x === '') return problem(ctx, v, 'empty string');
    if (Buffer.byteLength(x, 'utf8') > maxBytes) return problem(ctx, v, `longer than ${maxBytes} octets`);
    return x;
  };
}

/** A string, or null (written `null`, `~` or nothing). Returns `{ value }` so null is a good value. */
export function nullableText(maxBytes: number): Reader<{ value: string | null }> {
  const str = text(maxBytes);
  return (ctx, v) => {
    if (scalarOf(v)?.value === null) return { value: null };
    const s = str(ctx, v);
    return s === undefined ? undefined : { value: s };
  };
}

export function oneOf<T extends string>(choices: readonly T[]): Reader<T> {
  return (ctx, v) => {
    const x = scalarOf(v)?.value;
    if (typeof x === 'string' && (choices as readonly string[]).includes(x)) return x as T;
    return problem(ctx, v, `expected one of ${choices.join(', ')}, got ${describe(v)}`);
  };
}

/** `true` or `false` (YAML booleans; `yes`/`no` are strings in YAML 1.2 and are refused with a hint). */
export const boolean: Reader<boolean> = (ctx, v) => {
  const x = scalarOf(v)?.value;
  if (typeof x === 'boolean') return x;
  const hint = typeof x === 'string' && /^(yes|no|on|off)$/i.test(x) ? ` (write ${/^(yes|on)$/i.test(x) ? 'true' : 'false'})` : '';
  return problem(ctx, v, `expected true or false, got ${describe(v)}${hint}`);
};

/** A folder path, made absolute against the configuration's folder (created and checked by the daemon, not here). */
export const folder: Reader<string> = (ctx, v) => {
  const x = text()(ctx, v);
  return x === undefined ? undefined : resolve(ctx.dir, x);
};

/** A duration in milliseconds, more than `minExclusiveMs` and at most `maxMs`. */
export function duration(minExclusiveMs: number, maxMs: number): Reader<number> {
  return (ctx, v) => {
    const x = scalarOf(v)?.value;
    if (typeof x !== 'string' && typeof x !== 'number') return problem(ctx, v, `expected a duration such as 10s, got ${describe(v)}`);
    let ms: number;
    try {
      ms = parseDuration(x);
    } catch (err) {
      return problem(ctx, v, (err as Error).message);
    }
    if (ms <= minExclusiveMs) return problem(ctx, v, `must be more than ${formatDuration(minExclusiveMs)}`);
    if (ms > maxMs) return problem(ctx, v, `must be at most ${formatDuration(maxMs)}`);
    return ms;
  };
}

/** A size in octets, from `min` to `max` (a number of octets, or 512K, 256M, 1G). */
export function byteSize(min: number, max: number): Reader<number> {
  return (ctx, v) => {
    const x = scalarOf(v)?.value;
    if (typeof x !== 'string' && typeof x !== 'number') return problem(ctx, v, `expected a size such as 256M, got ${describe(v)}`);
    let bytes: number;
    try {
      bytes = parseByteSize(x);
    } catch (err) {
      return problem(ctx, v, (err as Error).message);
    }
    if (bytes < min || bytes > max) return problem(ctx, v, `must be from ${formatByteSize(min)} to ${formatByteSize(max)}${min === 0 ? ' (0 turns it off)' : ''}`);
    return bytes;
  };
}

/**
 * A size such as `512M` or `2G` (see byteSize), or `auto` / null to keep the
 * default (`{ value: null }`).
 */
export function sizeOrAuto(min: number, max: number): Reader<{ value: number | null }> {
  const read = byteSize(min, max);
  return (ctx, v) => {
    const x = scalarOf(v)?.value;
    if (x === null || x === 'auto') return { value: null };
    if (typeof x !== 'number' && (typeof x !== 'string' || !/^\d+\s*[kmg]?$/i.test(x.trim()))) {
      return problem(ctx, v, `expected a size such as 512M or 2G (or auto), got ${describe(v)}`);
    }
    const n = read(ctx, v);
    return typeof n === 'number' ? { value: n } : n;
  };
}
