/**
 * Writes the benchmark zone: 1,000,000 A hosts, every third with an AAAA
 * as well (1,333,334 address records), plus SOA and NS, as a plain BIND
 * master file (with `wildcard`, also `*.wild`). Deterministic, so every tool reads the same octets.
 */
import { closeSync, openSync, writeSync } from 'node:fs';

export const BENCH_ORIGIN = 'bench.example.';
export const HOSTS = 1_000_000;
/** The wildcard `writeBenchZone(..., { wildcard: true })` adds: names below `wild.` get its A record (RFC 4592). */
export const WILDCARD_OWNER = '*.wild';

export function writeBenchZone(path: string, hosts = HOSTS, edit: { serial?: number; host0Address?: string; wildcard?: boolean } = {}): number {
  const fd = openSync(path, 'w');
  let records = 0;
  try {
    let chunk = `$ORIGIN ${BENCH_ORIGIN}\n$TTL 3600\n@ IN SOA ns1 hostmaster ${edit.serial ?? 2026112601} 3600 900 604800 300\n@ IN NS ns1\n@ IN NS ns2\nns1 IN A 192.0.2.1\nns2 IN A 192.0.2.2\n`;
    records += 5;
    if (edit.wildcard === true) {
      // The serving benchmark's 0x20 mix asks for names under it (issue 16 §1).
      chunk += `${WILDCARD_OWNER} IN A 192.0.2.53\n`;
      records++;
    }
    for (let i = 0; i < hosts; i++) {
      chunk += i === 0 && edit.host0Address !== undefined ? `host0 IN A ${edit.host0Address}\n` : `host${i} IN A 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}\n`;
      records++;
      if (i % 3 === 0) {
        chunk += `host${i} IN AAAA 2001:db8::${(i >>> 16).toString(16)}:${(i & 0xffff).toString(16)}\n`;
        records++;
      }
      if (chunk.length > 1 << 20) {
        writeSync(fd, chunk);
        chunk = '';
      }
    }
    writeSync(fd, chunk);
  } finally {
    closeSync(fd);
  }
  return records;
}
