/**
 * `max-removals`, of a zone directory and of a catalog's members: how
 * many zones one change may remove at once before the removals are held
 * (until SIGHUP). A share of the zones before the change with a floor, or
 * a count.
 */
import type { MaxRemovals } from './config-types.js';
import type { Reader } from './key-table.js';
import { describe, problem, scalarOf } from './yaml-value.js';

/** The default `max-removals`: 10 % of the zones, and at least 5. */
export const DEFAULT_MAX_REMOVALS: MaxRemovals = { share: 0.1, atLeast: 5 };

/** `max-removals`: `10%` (a share of the zones found before), or a count; the larger of it and 5 when a share. */
export const maxRemovalsReader: Reader<MaxRemovals> = (ctx, v) => {
  const x = scalarOf(v)?.value;
  if (typeof x === 'number' && Number.isInteger(x) && x >= 0) return { share: 0, atLeast: x };
  const m = typeof x === 'string' ? /^(\d+(?:\.\d+)?)\s*%$/.exec(x.trim()) : null;
  if (m !== null && Number(m[1]) <= 100) return { share: Number(m[1]) / 100, atLeast: DEFAULT_MAX_REMOVALS.atLeast };
  return problem(ctx, v, `expected a share such as 10% or a number of zones, got ${describe(v)}`);
};

