/** The zone loader: a zone file (or zone text) parsed and built into a Zone, with every diagnostic of both steps. */
import { Name, type Diagnostic, type ResourceRecord, type SourcePosition } from '../wire/index.js';
import { ZoneFileCode, ZoneFileError, parseZoneFile, parseZoneText, type AddressSink, type ZoneParseOptions } from '../zonefile/index.js';
import { ZoneBuilder } from './zone-builder.js';
import type { Zone } from './zone.js';

export interface LoadResult {
  /** The zone, or null when any error was found. */
  zone: Zone | null;
  errors: Diagnostic[];
  warnings: Diagnostic[];
  /** The zone file and the files it $INCLUDEs (absolute paths). */
  files: string[];
}

type LoadOptions = Omit<ZoneParseOptions, 'origin'> & {
  /** Sees each record as it is read, with where it came from, before the builder does (checks of `tyne check-zone`). */
  onRecord?: (rr: ResourceRecord, at: SourcePosition) => void;
  /**
   * With onRecord: true when onRecord would do nothing with an A or AAAA
   * record of the owner owner[0, ownerLength) (wire form). The records the
   * parser reads in wire form (see AddressSink) are then made into records
   * for onRecord only when this says false; without it, every record is.
   */
  quietAddress?: (owner: Uint8Array, ownerLength: number, type: number) => boolean;
};

/**
 * The zone file itself could not be read (missing, a folder, no permission): that is the one
 * thing to say, so the zone checks are not run (they would only add "no SOA" and "no NS").
 */
export function zoneFileUnreadable(errors: readonly Diagnostic[]): boolean {
  return errors.some((d) => d.code === ZoneFileCode.IO && d.at === undefined);
}

function finish(builder: ZoneBuilder, parsed: { errors: Diagnostic[]; warnings: Diagnostic[]; files: string[] }): LoadResult {
  if (zoneFileUnreadable(parsed.errors)) {
    return { zone: null, errors: parsed.errors, warnings: parsed.warnings, files: parsed.files };
  }
  const built = builder.build();
  const errors = [...parsed.errors, ...built.errors];
  const warnings = [...parsed.warnings, ...built.warnings];
  // A bad edit never replaces a good zone: any error and there is no zone.
  return { zone: errors.length === 0 ? built.zone : null, errors, warnings, files: parsed.files };
}

/** Parses a master file and builds its zone, with every diagnostic from both steps. */
export function loadZoneFile(path: string, origin: Name, options: LoadOptions = {}): LoadResult {
  const builder = new ZoneBuilder(origin, options.zoneClass === undefined ? {} : { zoneClass: options.zoneClass });
  const parsed = parseZoneFile(path, { ...options, origin }, sinkFor(builder, options.onRecord), addressSinkFor(builder, options));
  return finish(builder, parsed);
}

function sinkFor(builder: ZoneBuilder, onRecord: LoadOptions['onRecord']): (rr: ResourceRecord, at: SourcePosition) => void {
  if (onRecord === undefined) return (rr, at) => builder.add(rr, at);
  return (rr, at) => {
    onRecord(rr, at);
    builder.add(rr, at);
  };
}

/** The builder's wire-form entry for the parser's fast path, with onRecord seeing what it must. */
function addressSinkFor(builder: ZoneBuilder, options: LoadOptions): AddressSink | undefined {
  const { onRecord, quietAddress } = options;
  if (onRecord === undefined) {
    return { address: (owner, n, type, cls, ttl, rdata, file, line, col) => builder.addAddress(owner, n, type, cls, ttl, rdata, file, line, col) };
  }
  if (quietAddress === undefined) return undefined;
  return {
    address(owner, n, type, cls, ttl, rdata, file, line, col): void {
      if (quietAddress(owner, n, type)) {
        builder.addAddress(owner, n, type, cls, ttl, rdata, file, line, col);
        return;
      }
      const rr: ResourceRecord = { name: Name.trusted(owner.slice(0, n)), type, class: cls, ttl, rdata: rdata.slice() };
      const at: SourcePosition = { file, line, col };
      onRecord(rr, at);
      builder.add(rr, at);
    },
  };
}

/** loadZoneFile for zone text held in memory (standard input): the same result, `file` naming it in diagnostics. */
export function loadZoneFromText(text: string, origin: Name, options: LoadOptions = {}, file = '<text>'): LoadResult {
  const builder = new ZoneBuilder(origin, options.zoneClass === undefined ? {} : { zoneClass: options.zoneClass });
  const parsed = parseZoneText(text, { ...options, origin }, sinkFor(builder, options.onRecord), file, addressSinkFor(builder, options));
  return finish(builder, parsed);
}

/** The same for zone text in memory; throws ZoneFileError (with all diagnostics) when invalid. */
export function loadZoneText(text: string, origin: Name, options: LoadOptions = {}, file = '<text>'): Zone {
  const res = loadZoneFromText(text, origin, options, file);
  if (res.zone === null) throw new ZoneFileError('ZONE_INVALID', [...res.errors, ...res.warnings]);
  return res.zone;
}
