/**
 * The six-record customer zones of the small-zones and provisioning
 * benchmarks (issue 14 §5): `<prefix><i>.example.`, one file each, named
 * `<origin>zone` as a zone directory reads them.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The serial every zone starts with. */
export const SMALL_ZONE_SERIAL = 2026112601;

/** The zone names `<prefix>0.example.` .. `<prefix><n-1>.example.` (prefix `c` by default). */
export function zoneNames(n: number, prefix = 'c'): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}${i}.example.`);
}

/** Six records: SOA, NS, the name server's A, and an AAAA, an MX and a TXT, the addresses differing per zone. */
export function smallZoneText(i: number, opts: { prefix?: string; serial?: number } = {}): string {
  const origin = `${opts.prefix ?? 'c'}${i}.example.`;
  const a = `192.0.${2 + ((i >> 8) & 1)}.${i & 255}`;
  return [
    `$ORIGIN ${origin}`,
    '$TTL 3600',
    `@ SOA ns1.${origin} hostmaster.${origin} ${opts.serial ?? SMALL_ZONE_SERIAL} 3600 900 604800 300`,
    `@ NS ns1.${origin}`,
    `ns1 A ${a}`,
    `www AAAA 2001:db8:${(i >> 16).toString(16)}:${(i & 0xffff).toString(16)}::1`,
    `@ MX 10 ns1.${origin}`,
    `@ TXT "customer ${i}"`,
    '',
  ].join('\n');
}

/** A zone of a list: its origin and its file. */
export interface SmallZoneFile {
  name: string;
  file: string;
}

/** The file of zone `<prefix><i>.example.` in `folder`. */
export function smallZoneFile(folder: string, i: number, prefix = 'c'): string {
  return join(folder, `${prefix}${i}.example.zone`);
}

/** Writes `n` zone files, `<folder>/<prefix><i>.example.zone`, each written in place (as `cp` does). */
export function writeZones(folder: string, n: number, prefix = 'c'): SmallZoneFile[] {
  mkdirSync(folder, { recursive: true });
  return zoneNames(n, prefix).map((name, i) => {
    const file = smallZoneFile(folder, i, prefix);
    writeFileSync(file, smallZoneText(i, { prefix }));
    return { name, file };
  });
}

/**
 * Rewrites zone `<prefix><i>.example.` whole with `serial`, as an editor
 * saving it does: into a dotfile beside it (a zone directory ignores
 * dotfiles), then renamed over it.
 */
export function rewriteZone(folder: string, i: number, serial: number, prefix = 'c'): void {
  const file = smallZoneFile(folder, i, prefix);
  const tmp = join(folder, `.${prefix}${i}.example.zone.tmp`);
  writeFileSync(tmp, smallZoneText(i, { prefix, serial }));
  renameSync(tmp, file);
}
