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
