import { isIP } from 'node:net';
import {
  Name, RRType, TextFormatError, canonicalRdata, formatDiagnostic, parseClass, classToText, RRClass, soaSameButSerial, type ResourceRecord,
} from '../wire/index.js';
import { formatRecord, zoneLimits, type ZoneLimits } from '../zonefile/index.js';
import { compareOctets, loadZoneFile, type Zone } from '../zone/index.js';
import { diffZones } from '../xfr/compute-zone-diff.js';
import { peerText, type Peer } from '../xfr/peer.js';
import { addSerial, compareSerial } from '../xfr/serial.js';
import { transferZone } from '../xfr/transfer-client.js';
import { TSIG_ALGORITHMS, type TsigAlgorithm, type TsigKey } from '../tsig/index.js';

export const CHECK_ZONE_USAGE =
  'usage: tyne check-zone [-q] [-c class] [--print] [LIMITS] ORIGIN FILE\n' +
  '       tyne check-zone [-q] [LIMITS] --diff ORIGIN FILE --against HOST:PORT [--key NAME:ALG:SECRET]\n' +
  'LIMITS (the server\'s settings; defaults as there): --max-records N --max-include-reads N\n' +
  '       --max-zone-file-size SIZE --max-line-length SIZE (SIZE: octets, or with K, M, G) --include-confine';

/** The limit flags, by flag: the ZoneLimits field, and whether the value is a size (K, M, G). */
const LIMIT_FLAGS: Record<string, { key: keyof ZoneLimits; size: boolean; min: number }> = {
  '--max-records': { key: 'maxRecords', size: false, min: 1 },
  '--max-include-reads': { key: 'maxIncludeReads', size: false, min: 0 },
  '--max-zone-file-size': { key: 'maxFileBytes', size: true, min: 1 },
  '--max-line-length': { key: 'maxLineBytes', size: true, min: 1024 },
};

/** A limit flag's value: a whole number, or for a size one with K, M or G (1024-based). */
function limitValue(flag: string, text: string): number | string {
  const spec = LIMIT_FLAGS[flag]!;
  const m = (spec.size ? /^(\d+)([kmg]?)$/i : /^(\d+)()$/).exec(text);
  const n = m === null ? NaN : Number(m[1]) * 1024 ** ' kmg'.indexOf((m[2] || ' ').toLowerCase());
  if (!Number.isSafeInteger(n) || n < spec.min) {
    return `${flag}: expected ${spec.size ? 'a size such as 1048576 or 512M' : 'a whole number'} of at least ${spec.min}, got '${text}'`;
  }
  return n;
}

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

/**
 * `tyne check-zone ORIGIN FILE`, with named-checkzone's arguments: exit 0
 * for a valid zone (one summary line), 1 for an invalid one (every error
 * on stderr as file:line:col: message), 2 for bad usage.
 *
 * With `--diff ... --against HOST:PORT` the zone is also fetched by AXFR
 * from a server and the records the file would add and remove are listed,
 * with a word on its serial (see diffAgainst); that form returns a promise.
 */
export function checkZone(args: string[], out: (s: string) => void, err: (s: string) => void): number | Promise<number> {
  let quiet = false;
  let print = false;
  let diff = false;
  let against: string | undefined;
  let keyText: string | undefined;
  let zoneClass: number = RRClass.IN;
  const limits: Partial<ZoneLimits> = {};
  let confineIncludes = false;
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-q') quiet = true;
    else if (a === '--print') print = true;
    else if (a === '--diff') diff = true;
    else if (a === '--include-confine') confineIncludes = true;
    else if (Object.hasOwn(LIMIT_FLAGS, a)) {
      const v = args[++i];
      const n = v === undefined ? `${a} needs a value` : limitValue(a, v);
      if (typeof n === 'string') {
        err(`tyne check-zone: ${n}\n${CHECK_ZONE_USAGE}`);
        return 2;
      }
      limits[LIMIT_FLAGS[a]!.key] = n;
    }
    else if (a === '--against' || a === '--key') {
      const v = args[++i];
      if (v === undefined) {
        err(`tyne check-zone: ${a} needs a value\n${CHECK_ZONE_USAGE}`);
        return 2;
      }
      if (a === '--against') against = v;
      else keyText = v;
    } else if (a === '-c') {
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
  if (diff !== (against !== undefined) || (keyText !== undefined && !diff)) {
    err(`tyne check-zone: --diff and --against go together (--key only with them)\n${CHECK_ZONE_USAGE}`);
    return 2;
  }
  let peer: Peer | undefined;
  let key: TsigKey | null = null;
  if (diff) {
    if (print || zoneClass !== RRClass.IN) {
      err(`tyne check-zone: --diff works on class IN zones and does not --print\n${CHECK_ZONE_USAGE}`);
      return 2;
    }
    const p = parseServer(against!);
    const k = keyText === undefined ? null : parseKey(keyText);
    for (const problem of [p, k]) {
      if (typeof problem === 'string') {
        err(`tyne check-zone: ${problem}`);
        return 2;
      }
    }
    peer = p as Peer;
    key = k as TsigKey | null;
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
  const res = loadZoneFile(file, origin, { zoneClass, limits, confineIncludes });
  if (!quiet) for (const d of [...res.errors, ...res.warnings]) err(formatDiagnostic(d));
  const label = `zone ${origin.toText() === '.' ? '.' : origin.toText().slice(0, -1)}/${classToText(zoneClass)}`;
  if (res.zone === null) {
    if (!quiet) err(`${label}: not loaded due to errors (${res.errors.length})`);
    return 1;
  }
  if (peer !== undefined) return diffAgainst(res.zone, peer, key, zoneLimits(limits).maxRecords, out, err);
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
