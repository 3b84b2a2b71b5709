/**
 * Limits on what one zone may cost to read, each failing that zone alone
 * with a clear error (as BIND's max-records and Knot's zone-max-size).
 * Filled from the `server:` / per-zone settings by the configuration; the
 * parser, the loaders and the transfer client read them from here.
 */
export interface ZoneLimits {
  /** Most `$INCLUDE` reads in one zone, counting every read of every file (not only the nesting depth). */
  maxIncludeReads: number;
  /** Most records in one zone (file or transfer). */
  maxRecords: number;
  /** Largest zone file, in octets (each file read, $INCLUDEs added up). */
  maxFileBytes: number;
  /** Longest logical line or token, in octets. */
  maxLineBytes: number;
}

/**
 * The defaults (`server.max-include-reads`, `max-records`,
 * `max-zone-file-size`, `max-line-length`); the README says why each.
 *  - 1,000 $INCLUDE reads: real zones include a few files (keys, a host
 *    list per customer); eight 1 KiB files each including the next ten
 *    times would be 10^8 reads.
 *  - 4,000,000 records: three times the largest zone the benchmarks load
 *    (1.33M records); a $GENERATE of 10,000,000 records took 5 GB of RSS
 *    and crashed the process.
 *  - 1 GiB of zone text (a 4M-record file is about 200 MB).
 *  - 1 MiB per line: a record's rdata is at most 65,535 octets, which
 *    is at most about 262,000 characters in presentation form (`\DDD`).
 */
export const DEFAULT_ZONE_LIMITS: Readonly<ZoneLimits> = Object.freeze({
  maxIncludeReads: 1000,
  maxRecords: 4_000_000,
  maxFileBytes: 1024 * 1024 * 1024,
  maxLineBytes: 1024 * 1024,
});

/** `limits` over the defaults. */
export function zoneLimits(limits: Partial<ZoneLimits> | undefined): ZoneLimits {
  const out: ZoneLimits = { ...DEFAULT_ZONE_LIMITS };
  for (const k of Object.keys(out) as (keyof ZoneLimits)[]) {
    const v = limits?.[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}
