/** The zone loader: a zone file (or zone text) parsed and built into a Zone, with every diagnostic of both steps. */
import { Name, type Diagnostic } from '../wire/index.js';
import { ZoneFileError, parseZoneFile, parseZoneText, type ZoneParseOptions } from '../zonefile/index.js';
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

type LoadOptions = Omit<ZoneParseOptions, 'origin'>;

function finish(builder: ZoneBuilder, parsed: { errors: Diagnostic[]; warnings: Diagnostic[]; files: string[] }): LoadResult {
  const built = builder.build();
  const errors = [...parsed.errors, ...built.errors];
  const warnings = [...parsed.warnings, ...built.warnings];
  // A bad edit never replaces a good zone: any error and there is no zone.
  return { zone: errors.length === 0 ? built.zone : null, errors, warnings, files: parsed.files };
}

/** Parses a master file and builds its zone, with every diagnostic from both steps. */
export function loadZoneFile(path: string, origin: Name, options: LoadOptions = {}): LoadResult {
  const builder = new ZoneBuilder(origin, options.zoneClass === undefined ? {} : { zoneClass: options.zoneClass });
  const parsed = parseZoneFile(path, { ...options, origin }, (rr, at) => builder.add(rr, at));
  return finish(builder, parsed);
}

/** The same for zone text in memory; throws ZoneFileError (with all diagnostics) when invalid. */
export function loadZoneText(text: string, origin: Name, options: LoadOptions = {}, file = '<text>'): Zone {
  const builder = new ZoneBuilder(origin, options.zoneClass === undefined ? {} : { zoneClass: options.zoneClass });
  const parsed = parseZoneText(text, { ...options, origin }, (rr, at) => builder.add(rr, at), file);
  const res = finish(builder, parsed);
  if (res.zone === null) throw new ZoneFileError('ZONE_INVALID', [...res.errors, ...res.warnings]);
  return res.zone;
}
