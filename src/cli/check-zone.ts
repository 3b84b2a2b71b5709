import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import {
  Name, TextFormatError, formatDiagnostic, classToText,
  type Diagnostic, type ResourceRecord, type SourcePosition,
} from '../wire/index.js';
import { dumpZone, zoneLimits, type DumpStyle } from '../zonefile/index.js';
import {
  ZoneCode, checkNames, hostOwnerOk, loadZoneFile, loadZoneFromText, nameForMessage, nsTargetAddress, wireNameForMessage,
  type LoadResult, type Zone,
} from '../zone/index.js';
import type { Peer } from '../xfr/peer.js';
import type { TsigKey } from '../tsig/index.js';
import { CHECK_ZONE_USAGE, parseCheckZoneArgs, type CheckMode, type CheckZoneOptions, type IntegrityMode } from './check-zone-options.js';
import { checkZonePaths, type PathResult } from './check-zone-paths.js';

type DiffModule = typeof import('./check-zone-diff.js');
type JournalModule = typeof import('./check-zone-journal.js');

export { CHECK_ZONE_USAGE };

/** Warnings of the integrity checks, by -i mode (BIND's check-integrity and check-sibling): none drops them all, *-sibling the sibling-glue ones. */
const INTEGRITY_WARNINGS = new Set<string>([
  ZoneCode.NS_NO_ADDRESS, ZoneCode.NS_IS_CNAME, ZoneCode.NS_BELOW_DNAME, ZoneCode.MISSING_GLUE, ZoneCode.MISSING_SIBLING_GLUE,
  ZoneCode.MX_NO_ADDRESS, ZoneCode.MX_IS_CNAME, ZoneCode.MX_BELOW_DNAME, ZoneCode.SRV_NO_ADDRESS, ZoneCode.SRV_IS_CNAME, ZoneCode.SRV_BELOW_DNAME,
]);

/**
 * Whether -i keeps a warning. The checks always run (the apex NS ones,
 * errors, fail a zone in every mode, as with named-checkzone -i none);
 * the mode only decides which of their warnings are said. Tyne never
 * looks names outside the zone up, so full is local, and full-sibling is
 * local-sibling.
 */
function integrityKeeps(mode: IntegrityMode, d: Diagnostic): boolean {
  if (d.severity === 'error' || !INTEGRITY_WARNINGS.has(d.code)) return true;
  if (mode === 'none') return false;
  return !(mode.endsWith('-sibling') && d.code === ZoneCode.MISSING_SIBLING_GLUE);
}

/** Reads all of standard input (a zone given as `-`), at most `max` octets; null when there is more. */
function readStdin(max: number): string | null {
  const chunks: Buffer[] = [];
  const buf = Buffer.allocUnsafe(1 << 20);
  let total = 0;
  for (;;) {
    let n: number;
    try {
      n = readSync(0, buf, 0, buf.length, null);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') continue;
      if ((e as NodeJS.ErrnoException).code === 'EOF') break;
      throw e;
    }
    if (n === 0) break;
    total += n;
    if (total > max) return null;
    chunks.push(Buffer.from(buf.subarray(0, n)));
  }
  return Buffer.concat(chunks).toString('latin1');
}

/**
 * `tyne check-zone ORIGIN FILE`, a drop-in for named-checkzone 9.18 (the
 * options in check-zone-options.ts): on success `zone ORIGIN/CLASS: loaded
 * serial N` and `OK`, exit 0; an invalid zone gives every error on stderr
 * as file:line:col: message and `zone ORIGIN/CLASS: not loaded due to
 * errors.`, exit 1; bad usage exits 2 (named-checkzone: 1).
 *
 * With `--diff ... --against HOST:PORT` the zone is also fetched by AXFR
 * from a server and the records the file would add and remove are listed,
 * with a word on its serial (see diffAgainst); that form returns a promise.
 */
export function checkZone(args: string[], out: (s: string) => void, err: (s: string) => void): number | Promise<number> {
  const o = parseCheckZoneArgs(args);
  if (typeof o === 'string') {
    err(`tyne check-zone: ${o}\n${CHECK_ZONE_USAGE}`);
    return 2;
  }
  if (o.help) {
    out(`${CHECK_ZONE_USAGE}\n`);
    return 0;
  }
  // --diff and -j/-J need the transfer and journal code: imported only then, so a plain check starts sooner.
  if (o.diff || o.journal !== false) {
    return Promise.all([o.diff ? import('./check-zone-diff.js') : undefined, o.journal !== false ? import('./check-zone-journal.js') : undefined])
      .then(([diff, journal]) => checkParsed(o, out, err, diff, journal));
  }
  return checkParsed(o, out, err, undefined, undefined);
}

/** checkZone once the arguments are read, with the modules --diff and -j/-J need when asked for. */
function checkParsed(
  o: CheckZoneOptions, out: (s: string) => void, err: (s: string) => void, diff: DiffModule | undefined, journal: JournalModule | undefined,
): number | Promise<number> {
  let peer: Peer | undefined;
  let key: TsigKey | null = null;
  if (diff !== undefined) {
    const p = diff.parseServer(o.against!);
    const k = o.keyText === undefined ? null : diff.parseKey(o.keyText);
    for (const problem of [p, k]) {
      if (typeof problem === 'string') {
        err(`tyne check-zone: ${problem}`);
        return 2;
      }
    }
    peer = p as Peer;
    key = k as TsigKey | null;
  }
  let origin: Name;
  try {
    origin = Name.fromText(o.origin.endsWith('.') ? o.origin : `${o.origin}.`);
  } catch (e) {
    if (!(e instanceof TextFormatError)) throw e;
    err(`tyne check-zone: ${e.message}`);
    return 2;
  }
  const label = `zone ${nameForMessage(origin)}/${classToText(o.zoneClass)}`;
  // named-checkzone says its verdict on stdout, or on stderr when the dump (or here the --diff listing) goes to stdout.
  const toStdout = o.diff || (o.dump && (o.output === null || o.output === '-'));
  const say = (line: string): void => {
    if (o.quiet) return;
    if (toStdout) err(line);
    else out(`${line}\n`);
  };
  const paths = checkZonePaths(o.chroot, o.workDir, o.includeFromCwd);
  if (typeof paths === 'string') {
    if (!o.quiet) err(`tyne check-zone: ${paths}`);
    return 1;
  }
  const own: Diagnostic[] = [];
  const report = (mode: CheckMode, code: string, message: string, at: SourcePosition): void => {
    own.push({ severity: mode === 'fail' ? 'error' : 'warning', code, message, at });
  };
  const onRecord = (rr: ResourceRecord, at: SourcePosition): void => {
    if (o.checkNames !== 'ignore') {
      for (const bad of checkNames(rr)) {
        const name = wireNameForMessage(bad.wire, bad.offset);
        report(o.checkNames, ZoneCode.BAD_NAME, `${name}: bad ${bad.where === 'owner' ? 'owner ' : ''}name (check-names)`, at);
      }
    }
    if (o.checkNs !== 'ignore') {
      const address = nsTargetAddress(rr, origin);
      if (address !== null) report(o.checkNs, ZoneCode.NS_IS_ADDRESS, `NS record '${address}' appears to be an address`, at);
    }
  };
  // An A or AAAA record gives onRecord something to do only when its owner is not a host name (nsTargetAddress looks at NS only).
  const quietAddress = (owner: Uint8Array): boolean => o.checkNames === 'ignore' || hostOwnerOk(owner);
  const options = {
    zoneClass: o.zoneClass, limits: o.limits, confineIncludes: o.confineIncludes, onRecord, quietAddress,
    ...(paths.include === undefined ? {} : { resolveInclude: paths.include }),
  };
  let res: LoadResult;
  let file = o.file;
  if (o.file === '-') {
    const text = readStdin(zoneLimits(o.limits).maxFileBytes);
    if (text === null) {
      if (!o.quiet) err(`<stdin>: zone not read: more than max-zone-file-size (${zoneLimits(o.limits).maxFileBytes}) octets`);
      say(`${label}: not loaded due to errors.`);
      return 1;
    }
    res = loadZoneFromText(text, origin, options, '<stdin>');
  } else {
    const mapped = paths.file(o.file);
    if (typeof mapped !== 'string') {
      if (!o.quiet) err(`tyne check-zone: ${mapped.refused}`);
      say(`${label}: not loaded due to errors.`);
      return 1;
    }
    file = mapped;
    res = loadZoneFile(o.chroot === null ? o.file : mapped, origin, options);
  }
  const errors = [...res.errors, ...own.filter((d) => d.severity === 'error')];
  const warnings = [...res.warnings, ...own.filter((d) => d.severity === 'warning')].filter((d) => integrityKeeps(o.integrity, d));
  if (!o.quiet) for (const d of [...errors, ...warnings]) err(formatDiagnostic(d));
  let zone = errors.length === 0 ? res.zone : null;
  if (zone !== null && journal !== undefined && o.journal !== false) {
    const j = typeof o.journal === 'string' ? paths.file(o.journal) : `${file}.jnl`;
    const applied = typeof j === 'string' ? journal.applyJournal(zone, j) : j.refused;
    if (typeof applied === 'string') {
      if (!o.quiet) err(applied);
      zone = null;
    } else zone = applied;
  }
  if (zone === null) {
    say(`${label}: not loaded due to errors.`);
    return 1;
  }
  if (peer !== undefined) return diff!.diffAgainst(zone, peer, key, zoneLimits(o.limits).maxRecords, out, err);
  if (o.dump) {
    const written = writeDump(zone, o.style, o.output === null || o.output === '-' ? null : paths.file(o.output), out);
    if (written !== null) {
      if (!o.quiet) err(`tyne check-zone: ${written}`);
      return 1;
    }
  }
  say(`${label}: loaded serial ${zone.serial}`);
  say('OK');
  return 0;
}

/** -D / -o: the dump, to stdout (`to` null) or to a file; a message when the file cannot be written. */
function writeDump(zone: Zone, style: DumpStyle, to: PathResult | null, out: (s: string) => void): string | null {
  if (to !== null && typeof to !== 'string') return to.refused;
  const lines: string[] = [];
  const flush = (write: (s: string) => void): void => {
    if (lines.length > 0) write(`${lines.join('\n')}\n`);
    lines.length = 0;
  };
  let fd: number | null = null;
  try {
    if (to !== null) fd = openSync(to, 'w');
    const write = fd === null ? out : (s: string): void => void writeSync(fd!, s, null, 'latin1');
    for (const line of dumpZone(zone.canonicalRecords(), style, zone.origin)) {
      lines.push(line);
      if (lines.length >= 4096) flush(write);
    }
    flush(write);
  } catch (e) {
    return `cannot write ${to}: ${(e as Error).message}`;
  } finally {
    if (fd !== null) closeSync(fd);
  }
  return null;
}
