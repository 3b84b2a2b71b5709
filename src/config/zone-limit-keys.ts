/**
 * The keys of a zone's read limits and include-confine, the same in
 * `server:` (the default of every zone) and in a zone entry, and the
 * default of include-confine when neither sets it.
 */
import type { ZoneLimits } from '../zonefile/index.js';
import { field, type KeyTable } from './key-table.js';
import { boolean, byteSize, integer } from './scalar-readers.js';

/**
 * The read limits of a zone, as settings: the same keys in `server:` (the
 * default of every zone) and in a zone entry. Ranges: at least what a
 * minimal zone needs, at most what the process can hold.
 */
export function limitKeys<D>(get: (d: D) => Partial<ZoneLimits>, setConfine: (d: D, x: boolean) => void): KeyTable<D> {
  return {
    'max-include-reads': field(integer(0, 1_000_000), (d: D, x) => { get(d).maxIncludeReads = x; }),
    'max-records': field(integer(1, 100_000_000), (d: D, x) => { get(d).maxRecords = x; }),
    'max-zone-file-size': field(byteSize(1, 64 * 1024 ** 3), (d: D, x) => { get(d).maxFileBytes = x; }),
    'max-line-length': field(byteSize(1024, 1024 ** 3), (d: D, x) => { get(d).maxLineBytes = x; }),
    'include-confine': field(boolean, (d: D, x) => setConfine(d, x)),
  };
}

/**
 * Where a zone came from decides its `include-confine` when neither the
 * zone nor `server:` sets it: a zone listed in the configuration is
 * trusted as BIND trusts its zone files (false); a zone found in a zone
 * directory (issue 14), whose file a customer may have uploaded, is
 * confined (true).
 */
export function defaultIncludeConfine(source: 'listed' | 'zone-directory'): boolean {
  return source === 'zone-directory';
}
