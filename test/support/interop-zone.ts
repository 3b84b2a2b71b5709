/**
 * A zone for interoperability tests with other servers (Knot, NSD), in
 * versions that differ by edits of every kind, and the same zone as the
 * sorted lines dig.ts `digAxfr` gives, to compare a server's AXFR with
 * the file. Unlike test/zones/serve/example.com.zone (which holds corner
 * cases for answer tests, such as data below a DNAME) every server loads it.
 */
import { utimesSync, writeFileSync } from 'node:fs';
import { loadZoneFile } from '../../src/zone/load-zone.js';
import { Name } from '../../src/wire/index.js';
import { formatRecord } from '../../src/zonefile/index.js';

/** The serial of version `v` (1, 2, 3). */
export const interopSerial = (v: number): number => 2024060100 + v;

/**
 * Version `v` of the zone `origin` (cumulative edits): 2 removes a record,
 * changes a TTL and an address, changes an apex record and adds two; 3
 * removes a whole RRset, changes another and adds an AAAA. Filler records
 * keep each difference much smaller than the zone, so a server answers
 * IXFR with differences, not with the whole zone (RFC 1995 §2). `serial`
 * defaults to interopSerial(v).
 */
export function interopZone(origin: string, v: 1 | 2 | 3, serial = interopSerial(v)): string {
  const lines = [
    `$ORIGIN ${origin.replace(/\.$/, '')}.`,
    '$TTL 3600',
    `@ 3600 IN SOA ns1 hostmaster ${serial} 7200 3600 1209600 300`,
    '@ NS ns1',
    '@ NS ns2',
    '@ A 192.0.2.1',
    '@ AAAA 2001:db8::1',
    '@ MX 10 mail',
    v >= 2 ? '@ TXT "v=spf1 mx -all"' : '@ TXT "v=spf1 -all"',
    '@ CAA 0 issue "ca.example.net"',
    'ns1 A 192.0.2.53',
    'ns2 A 192.0.2.54',
    'mail A 192.0.2.25',
    v >= 2 ? 'mail2 600 A 192.0.2.27' : 'mail2 300 A 192.0.2.26',
    v >= 3 ? 'www A 192.0.2.180' : 'www A 192.0.2.80',
    'www AAAA 2001:db8::80',
    'ftp CNAME www',
    ...(v >= 2 ? [] : ['host HINFO "PC" "Linux"']),
    '_sip._tcp SRV 10 60 5060 sip',
    'sip A 192.0.2.60',
    ...(v >= 3 ? [] : ['big TXT "one"', 'big TXT "two"', 'big TXT "three"']),
    ...(v >= 2 ? ['added A 192.0.2.77', 'added TXT "new in version 2"'] : []),
    ...(v >= 3 ? ['fallback AAAA 2001:db8::99'] : []),
    ...Array.from({ length: 40 }, (_, i) => `filler${i} A 198.51.100.${i + 1}`),
    '',
  ];
  return lines.join('\n');
}

/** Writes a zone file with an mtime `bumpSeconds` from now, so that servers that look at the mtime surely see a change. */
export function writeZoneFile(path: string, text: string, bumpSeconds = 0): void {
  writeFileSync(path, text);
  const t = new Date(Date.now() + bumpSeconds * 1000);
  utimesSync(path, t, t);
}

/** The zone file's records as sorted `owner ttl class type rdata` lines, as digAxfr gives them. */
export function zoneFileLines(path: string, origin: string): string[] {
  const r = loadZoneFile(path, Name.fromText(origin.endsWith('.') ? origin : `${origin}.`));
  if (r.zone === null || r.errors.length > 0) throw new Error(`${path} does not load: ${JSON.stringify(r.errors)}`);
  return r.zone.canonicalRecords().map((rr) => {
    const f = formatRecord(rr).trim().split(/\s+/);
    f[0] = f[0]!.toLowerCase();
    return f.join(' ');
  }).sort();
}

/** The SOA serial in AXFR lines (digAxfr's form), or null. */
export function axfrSerial(lines: readonly string[]): number | null {
  const soa = lines.find((l) => l.split(' ')[3] === 'SOA');
  const serial = soa?.split(' ')[6];
  return serial !== undefined && /^\d+$/.test(serial) ? Number(serial) : null;
}
