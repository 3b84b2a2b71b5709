/**
 * `tyne check-zone --diff ... --against HOST:PORT [--key ...]`: the zone
 * file compared with the zone a server serves, fetched by AXFR. Apart from
 * check-zone.ts, which imports it only for --diff, so a plain check does
 * not load the transfer and TSIG code (start-up, issue 16 §4).
 */
import { isIP } from 'node:net';
import { Name, RRType, canonicalRdata, soaSameButSerial, type ResourceRecord } from '../wire/index.js';
import { formatRecord } from '../zonefile/index.js';
import { compareOctets, type Zone } from '../zone/index.js';
import { diffZones } from '../xfr/compute-zone-diff.js';
import { peerText, type Peer } from '../xfr/peer.js';
import { addSerial, compareSerial } from '../xfr/serial.js';
import { transferZone } from '../xfr/transfer-client.js';
import { TSIG_ALGORITHMS, type TsigAlgorithm, type TsigKey } from '../tsig/index.js';

/** `a.b.c.d[:port]`, `[v6]:port`, `[v6]` or a bare IPv6 literal; port 53 when left out. */
export function parseServer(text: string): Peer | string {
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
export function parseKey(text: string): TsigKey | string {
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
export async function diffAgainst(
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
