/** `server.rate-limit`: response rate limiting (BIND's RRL settings), off, the defaults, or a mapping. */
import { isMap, isSeq } from 'yaml';
import { RATE_LIMIT_DEFAULTS, type RateLimitSettings } from '../server/rate-limit-settings.js';
import { network, type Network } from './acl-readers.js';
import { field, readMap, type KeyTable, type Reader } from './key-table.js';
import { boolean, integer } from './scalar-readers.js';
import { describe, problem, scalarOf, valueOf } from './yaml-value.js';

/** A `rate-limit` mapping as written: the per-kind rates default to `responses-per-second`, as BIND's do. */
interface RateLimitDraft {
  set: Partial<RateLimitSettings>;
}

/** Per-second rates: 0 means no limit for that kind (as BIND). */
const rate = (set: (d: RateLimitDraft, x: number) => void) => field(integer(0, 1_000_000), set);

const RATE_LIMIT_KEYS: KeyTable<RateLimitDraft> = {
  'responses-per-second': rate((d, x) => { d.set.responsesPerSecond = x; }),
  'referrals-per-second': rate((d, x) => { d.set.referralsPerSecond = x; }),
  'nodata-per-second': rate((d, x) => { d.set.nodataPerSecond = x; }),
  'nxdomains-per-second': rate((d, x) => { d.set.nxdomainsPerSecond = x; }),
  'errors-per-second': rate((d, x) => { d.set.errorsPerSecond = x; }),
  // BIND's ranges for window and slip.
  window: field(integer(1, 3600), (d, x) => { d.set.window = x; }),
  slip: field(integer(0, 10), (d, x) => { d.set.slip = x; }),
  'ipv4-prefix-length': field(integer(0, 32), (d, x) => { d.set.ipv4PrefixLength = x; }),
  'ipv6-prefix-length': field(integer(0, 128), (d, x) => { d.set.ipv6PrefixLength = x; }),
  exempt: {
    read: (ctx, v, d) => {
      if (v.node === null || !isSeq(v.node)) {
        problem(ctx, v, `expected a list of networks such as ["127.0.0.0/8", "::1"] (write [] to exempt nobody), got ${describe(v)}`);
        return;
      }
      const out: Network[] = [];
      v.node.items.forEach((n, i) => {
        const x = network(ctx, valueOf(ctx, n, `${v.path}[${i}]`, v.offset));
        if (x !== undefined) out.push(x);
      });
      d.set.exempt = out;
    },
  },
  'max-table-size': field(integer(16, 4_194_304), (d, x) => { d.set.maxTableSize = x; }),
  'log-only': field(boolean, (d, x) => { d.set.logOnly = x; }),
};

/**
 * `rate-limit`: `false` (off), `true` (the defaults) or a mapping of BIND's
 * settings, each left out taking its default; an explicit `exempt`
 * replaces the default loopback list.
 */
export const rateLimit: Reader<{ value: RateLimitSettings | null }> = (ctx, v) => {
  const x = scalarOf(v)?.value;
  if (x === false) return { value: null };
  if (x === true) return { value: { ...RATE_LIMIT_DEFAULTS, exempt: [...RATE_LIMIT_DEFAULTS.exempt] } };
  if (v.node === null || !isMap(v.node)) return problem(ctx, v, `expected false, true or a mapping such as { responses-per-second: 20, window: 15, slip: 2 }, got ${describe(v)}`);
  const d: RateLimitDraft = { set: {} };
  readMap(ctx, v, RATE_LIMIT_KEYS, d);
  const rps = d.set.responsesPerSecond ?? RATE_LIMIT_DEFAULTS.responsesPerSecond;
  return {
    value: {
      ...RATE_LIMIT_DEFAULTS,
      exempt: [...RATE_LIMIT_DEFAULTS.exempt],
      referralsPerSecond: rps,
      nodataPerSecond: rps,
      nxdomainsPerSecond: rps,
      errorsPerSecond: rps,
      ...d.set,
    },
  };
};
