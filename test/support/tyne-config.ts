/**
 * Configuration files for `tyne serve` in tests, written as YAML text so
 * that what a test runs is what an operator would write.
 */
import { writeFileSync } from 'node:fs';

export interface PrimaryZone {
  name: string;
  /** Relative to the configuration file's folder, or absolute. */
  file: string;
  /** NOTIFY targets, `host:port`. */
  notify?: string[];
  /** allow-transfer entries (default: 127.0.0.1/32 when notify is given, else none). */
  allowTransfer?: string[];
  /** Extra YAML lines under the zone entry, indented by the caller's four spaces (e.g. `serial-policy: file`). */
  extra?: string[];
}

export interface SecondaryZone {
  name: string;
  primaries: string[];
  file: string;
  allowTransfer?: string[];
  extra?: string[];
}

export interface TyneYaml {
  listen: string[];
  /** `server:` settings as YAML lines (`watch-hold: 1s`). */
  server?: string[];
  keys?: { name: string; algorithm: string; secret: string }[];
  primaries?: PrimaryZone[];
  secondaries?: SecondaryZone[];
  logLevel?: string;
}

const list = (xs: readonly string[]): string => `[${xs.map((x) => JSON.stringify(x)).join(', ')}]`;

/** The YAML text of a configuration. */
export function tyneYaml(c: TyneYaml): string {
  const out = [`listen: ${list(c.listen)}`, 'log:', `  level: ${c.logLevel ?? 'info'}`];
  if (c.server !== undefined && c.server.length > 0) out.push('server:', ...c.server.map((l) => `  ${l}`));
  if (c.keys !== undefined && c.keys.length > 0) {
    out.push('keys:');
    for (const k of c.keys) out.push(`  - { name: ${k.name}, algorithm: ${k.algorithm}, secret: "${k.secret}" }`);
  }
  const zones: string[] = [];
  for (const z of c.primaries ?? []) {
    zones.push(`  - name: ${z.name}`, `    file: ${JSON.stringify(z.file)}`);
    if (z.notify !== undefined) zones.push(`    notify: ${list(z.notify)}`);
    const acl = z.allowTransfer ?? (z.notify !== undefined ? ['127.0.0.1/32'] : []);
    if (acl.length > 0) zones.push(`    allow-transfer: ${list(acl)}`);
    for (const l of z.extra ?? []) zones.push(`    ${l}`);
  }
  for (const z of c.secondaries ?? []) {
    zones.push(`  - name: ${z.name}`, '    type: secondary', `    primaries: ${list(z.primaries)}`, `    file: ${JSON.stringify(z.file)}`);
    if (z.allowTransfer !== undefined) zones.push(`    allow-transfer: ${list(z.allowTransfer)}`);
    for (const l of z.extra ?? []) zones.push(`    ${l}`);
  }
  out.push(zones.length === 0 ? 'zones: []' : 'zones:', ...zones);
  return out.join('\n') + '\n';
}

/**
 * A small zone's text: SOA (serial as given), NS, the name server's
 * address, and `hosts` A records `h0`..`h<n-1>` (in 198.51.100.0/24 and
 * up), then `extra` lines. The filler keeps a one-record change smaller
 * than the zone, so IXFR is answered with a difference (RFC 1995 §2).
 */
export function zoneText(origin: string, serial: number, opts: { hosts?: number; extra?: string[]; soa?: string } = {}): string {
  const lines = [`$ORIGIN ${origin.endsWith('.') ? origin : `${origin}.`}`, '$TTL 300', `@ SOA ns1 hostmaster ${serial} ${opts.soa ?? '3600 900 604800 300'}`, '@ NS ns1', 'ns1 A 192.0.2.53'];
  const n = opts.hosts ?? 20;
  for (let i = 0; i < n; i++) lines.push(`h${i} A 198.51.${100 + Math.floor(i / 256)}.${i % 256}`);
  lines.push(...(opts.extra ?? []));
  return lines.join('\n') + '\n';
}

/**
 * Zone text whose reading never ends in practice, with no cycle: the top
 * file (SOA, NS, then `fanout` $INCLUDEs of `<name>-1.inc`) and `levels`
 * included files, each including the next `fanout` times, the last one a
 * comment: fanout^levels reads (10^8 by default), as in issue 12 item 2.
 * `padTo` pads the top file with comment lines up to that many octets.
 * Writes the included files into `dir`; returns the top file's text.
 */
export function includeFanoutZone(dir: string, origin: string, serial: number, opts: { levels?: number; fanout?: number; padTo?: number } = {}): string {
  const levels = opts.levels ?? 8;
  const fanout = opts.fanout ?? 10;
  const base = origin.replace(/\.$/, '');
  const inc = (i: number): string => `${dir}/${base}-${i}.inc`;
  for (let i = 1; i <= levels; i++) {
    const body = i === levels ? '; the last level: nothing but this comment\n' : Array.from({ length: fanout }, () => `$INCLUDE ${JSON.stringify(inc(i + 1))}\n`).join('');
    writeFileSync(inc(i), body);
  }
  let top = zoneText(origin, serial, { hosts: 2, extra: Array.from({ length: fanout }, () => `$INCLUDE ${JSON.stringify(inc(1))}`) });
  const pad = `; ${'padding '.repeat(12)}\n`;
  if (opts.padTo !== undefined) top += pad.repeat(Math.max(0, Math.ceil((opts.padTo - top.length) / pad.length)));
  return top;
}
