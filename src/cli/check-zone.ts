import { closeSync, existsSync, openSync, readSync, writeSync } from 'node:fs';
import { isIP } from 'node:net';
import {
  Name, RRType, TextFormatError, canonicalRdata, formatDiagnostic, classToText, soaSameButSerial,
  type Diagnostic, type ResourceRecord, type SourcePosition,
} from '../wire/index.js';
import { dumpZone, formatRecord, zoneLimits, type DumpStyle } from '../zonefile/index.js';
import {
  ZoneCode, checkNames, compareOctets, hostOwnerOk, loadZoneFile, loadZoneFromText, nameForMessage, nsTargetAddress, wireNameForMessage,
  type LoadResult, type Zone,
} from '../zone/index.js';
import { applyDiffs } from '../xfr/apply-diff.js';
import { Journal } from '../xfr/journal.js';
import { CHECK_ZONE_USAGE, parseCheckZoneArgs, type CheckMode, type IntegrityMode } from './check-zone-options.js';
import { checkZonePaths, type PathResult } from './check-zone-paths.js';
import { diffZones } from '../xfr/compute-zone-diff.js';
import { peerText, type Peer } from '../xfr/peer.js';
import { addSerial, compareSerial } from '../xfr/serial.js';
import { transferZone } from '../xfr/transfer-client.js';
import { TSIG_ALGORITHMS, type TsigAlgorithm, type TsigKey } from '../tsig/index.js';

export { CHECK_ZONE_USAGE };

/** `a.b.c.d[:port]`, `[v6]:port`, `[v6]` or a bare IPv6 literal; port 53 when left out. */
function parseServer(text: string): Peer | string {
  let host = text;
  let portText: string | undefined;
  const bracketed = /^\[([^\]]*)\](?::(.*))?$/.exec(text);
  if (bracketed !== null) {
    host = bracketed[1]!;
    portText = bracketed[2];
  } else if (isIP(text) !== 6) {
    const colon = text.lastIndexOf(':');
    if (colon >= 0) {
      host = text.slice(0, colon);
      portText = text.slice(colon + 1);
    }
  }
  const family = isIP(host);
  if (family === 0 || (family === 6 && bracketed === null && portText !== undefined)) {
    return `--against: '${text}' is not HOST:PORT (an IP address; IPv6 in brackets, as [::1]:53)`;
  }
  if (portText !== undefined && (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535)) {
    return `--against: bad port '${portText}' (1..65535)`;
  }
  return { host, port: portText === undefined ? 53 : Number(portText), family: family as 4 | 6, key: null };
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** `NAME:ALG:SECRET` (secret in base64). */
function parseKey(text: string): TsigKey | string {
  const first = text.indexOf(':');
  const second = first < 0 ? -1 : text.indexOf(':', first + 1);
  if (second < 0) return '--key: expected NAME:ALGORITHM:SECRET';
  const nameText = text.slice(0, first);
  const alg = text.slice(first + 1, second).toLowerCase();
  const secretText = text.slice(second + 1);
  let name: Name;
  try {
    name = Name.fromText(nameText.endsWith('.') ? nameText : `${nameText}.`);
  } catch (e) {
    return `--key: bad key name '${nameText}' (${(e as Error).message})`;
  }
  if (nameText === '' || !(TSIG_ALGORITHMS as readonly string[]).includes(alg)) {
    return nameText === '' ? '--key: empty key name' : `--key: algorithm must be one of ${TSIG_ALGORITHMS.join(', ')}`;
  }
  const secret = BASE64.test(secretText) ? Buffer.from(secretText, 'base64') : undefined;
  if (secret === undefined || secret.length === 0 || secret.toString('base64') !== secretText) return '--key: the secret is not valid base64';
  return { name, algorithm: alg as TsigAlgorithm, secret: new Uint8Array(secret) };
}

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
  let peer: Peer | undefined;
  let key: TsigKey | null = null;
  if (o.diff) {
    const p = parseServer(o.against!);
    const k = o.keyText === undefined ? null : parseKey(o.keyText);
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
  if (zone !== null && o.journal !== false) {
    const j = typeof o.journal === 'string' ? paths.file(o.journal) : `${file}.jnl`;
    const applied = typeof j === 'string' ? applyJournal(zone, j) : j.refused;
    if (typeof applied === 'string') {
      if (!o.quiet) err(applied);
      zone = null;
    } else zone = applied;
  }
  if (zone === null) {
    say(`${label}: not loaded due to errors.`);
    return 1;
  }
  if (peer !== undefined) return diffAgainst(zone, peer, key, zoneLimits(o.limits).maxRecords, out, err);
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

/**
 * `-j`/`-J`: the changes in Tyne's journal (src/xfr/journal.ts, written
 * beside a secondary's saved copy as FILE.jnl) applied to the zone, as
 * named loads a zone and its journal. No journal file: the zone as read.
 * A message (one line) when the journal cannot be used: damaged, BIND's own
 * format, or not leading on from the file's serial.
 */
function applyJournal(zone: Zone, path: string): Zone | string {
  if (!existsSync(path)) return zone;
  let journal: Journal;
  try {
    journal = Journal.open(path);
  } catch (e) {
    const bind = /bad magic/.test((e as Error).message) ? ' (a journal named writes is not read: Tyne reads its own format)' : '';
    return `${path}: ${(e as Error).message}${bind}`;
  }
  const last = journal.lastSerial;
  if (last === null || last === zone.serial) return zone;
  const chain = journal.since(zone.serial, last);
  if (chain === null) return `${path}: journal out of sync with zone (it does not lead from the file's serial ${zone.serial} to ${last})`;
  try {
    return applyDiffs(zone, chain, path);
  } catch (e) {
    return `${path}: its changes do not apply to the zone (${(e as Error).message})`;
  }
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

/** RFC 4034 §6 order: owner (§6.1), type, canonical rdata (§6.2, §6.3); then TTL. */
function canonicalOrder(a: ResourceRecord, b: ResourceRecord): number {
  return (
    a.name.compare(b.name) ||
    a.type - b.type ||
    compareOctets(canonicalRdata(a.type, a.rdata), canonicalRdata(b.type, b.rdata)) ||
    a.ttl - b.ttl
  );
}

/**
 * `--diff`: fetches the served zone by AXFR and prints what loading
 * `fromFile` would change: `- record` for each removed, `+ record` for each
 * added (SOA apart), in canonical order, then a summary and whether the
 * file's serial is above the served one. 0 when it could compare, 1 when
 * the transfer failed.
 */
async function diffAgainst(
  fromFile: Zone, peer: Peer, key: TsigKey | null, maxRecords: number, out: (s: string) => void, err: (s: string) => void,
): Promise<number> {
  const at = peerText(peer);
  let served: Zone;
  try {
    served = (await transferZone({ origin: fromFile.origin, peer, key, current: null, maxRecords })).zone;
  } catch (e) {
    err(`tyne check-zone: cannot get ${fromFile.origin.toText()} by AXFR: ${(e as Error).message}`);
    return 1;
  }
  const d = diffZones(served, fromFile);
  const removed = d.removed.filter((rr) => rr.type !== RRType.SOA).sort(canonicalOrder);
  const added = d.added.filter((rr) => rr.type !== RRType.SOA).sort(canonicalOrder);
  const s = served.serial;
  const f = fromFile.serial;
  const lines = [`; ${fromFile.origin.toText()} served serial ${s} at ${at}, file serial ${f}`];
  for (const rr of removed) lines.push(`- ${formatRecord(rr)}`);
  for (const rr of added) lines.push(`+ ${formatRecord(rr)}`);
  const oldSoa = served.soa;
  const newSoa = fromFile.soa;
  const soaChanged = oldSoa.ttl !== newSoa.ttl || !soaSameButSerial(oldSoa.rdatas[0]!, newSoa.rdatas[0]!);
  if (soaChanged) {
    const soaRecord = (z: Zone): ResourceRecord => ({ name: z.origin, type: RRType.SOA, class: z.soa.class, ttl: z.soa.ttl, rdata: z.soa.rdatas[0]! });
    lines.push(`; SOA served:  ${formatRecord(soaRecord(served))}`);
    lines.push(`; SOA in file: ${formatRecord(soaRecord(fromFile))}`);
  }
  lines.push(`; ${added.length} added, ${removed.length} removed`);
  if (added.length === 0 && removed.length === 0 && !soaChanged) {
    lines.push('; no change');
  } else if (compareSerial(f, s) > 0) {
    lines.push(`; serial: file ${f} is above served ${s}: OK`);
  } else {
    lines.push(
      `; serial: file ${f} is not above served ${s}: with serial-policy increment the server will serve ${addSerial(s, 1)}; ` +
        'with file, secondaries will not see the change',
    );
  }
  out(lines.join('\n') + '\n');
  return 0;
}
