import { Name, TextFormatError, formatDiagnostic, parseClass, classToText, RRClass } from '../wire/index.js';
import { formatRecord } from '../zonefile/index.js';
import { loadZoneFile } from '../daemon/load-zone.js';

export const CHECK_ZONE_USAGE = 'usage: tyne check-zone [-q] [-c class] [--print] ORIGIN FILE';

/**
 * `tyne check-zone ORIGIN FILE`, with named-checkzone's arguments: exit 0
 * for a valid zone (one summary line), 1 for an invalid one (every error
 * on stderr as file:line:col: message), 2 for bad usage.
 */
export function checkZone(args: string[], out: (s: string) => void, err: (s: string) => void): number {
  let quiet = false;
  let print = false;
  let zoneClass: number = RRClass.IN;
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-q') quiet = true;
    else if (a === '--print') print = true;
    else if (a === '-c') {
      const c = args[++i];
      try {
        zoneClass = parseClass(c ?? '');
      } catch (e) {
        err(`tyne check-zone: ${(e as Error).message}`);
        return 2;
      }
    } else if (a.startsWith('-') && a !== '-') {
      err(`tyne check-zone: unsupported option '${a}'\n${CHECK_ZONE_USAGE}`);
      return 2;
    } else rest.push(a);
  }
  if (rest.length !== 2) {
    err(CHECK_ZONE_USAGE);
    return 2;
  }
  const [originText, file] = rest as [string, string];
  let origin: Name;
  try {
    origin = Name.fromText(originText.endsWith('.') ? originText : `${originText}.`);
  } catch (e) {
    if (!(e instanceof TextFormatError)) throw e;
    err(`tyne check-zone: ${e.message}`);
    return 2;
  }
  const res = loadZoneFile(file, origin, { zoneClass });
  if (!quiet) for (const d of [...res.errors, ...res.warnings]) err(formatDiagnostic(d));
  const label = `zone ${origin.toText() === '.' ? '.' : origin.toText().slice(0, -1)}/${classToText(zoneClass)}`;
  if (res.zone === null) {
    if (!quiet) err(`${label}: not loaded due to errors (${res.errors.length})`);
    return 1;
  }
  const summary = `${label}: loaded serial ${res.zone.serial}, ${res.zone.recordCount} records`;
  if (print) {
    const lines: string[] = [];
    for (const rr of res.zone.canonicalRecords()) lines.push(formatRecord(rr));
    out(lines.join('\n') + (lines.length > 0 ? '\n' : ''));
    if (!quiet) err(summary);
  } else if (!quiet) {
    out(summary + '\n');
  }
  return 0;
}
