/**
 * Runs NSD 4.6 in the foreground (`nsd -d`) on 127.0.0.1 as a test peer: a
 * throw-away nsd.conf in a temp folder (PID file, xfrd state, zone list,
 * transfer folder, secondary copies and the control socket all in it, no
 * database, no user switch, no chroot), a fresh free port, primary zones
 * read from files (IXFR made from each reload's difference: `store-ixfr`,
 * `create-ixfr`), secondary zones from primaries, TSIG keys. Start-up waits
 * (bounded) for `nsd started` and until every primary zone answers SOA.
 * `nsd-control` talks to it through the socket in the temp folder.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawnDaemon, type DaemonProcess } from './daemon-process.js';
import { digAxfr, digSerial, type DigKey } from './dig.js';
import { freePort } from './ports.js';
import { until } from './wait.js';

/** A TSIG key (the shape dig.ts takes too). */
export type NsdKey = DigKey;

/** A server NSD talks to: a primary it transfers from, or a NOTIFY target. */
export interface NsdRemote {
  /** IPv4 or IPv6 literal (default 127.0.0.1). */
  host?: string;
  port: number;
  /** Name of a key from `keys` to sign with. */
  key?: string;
}

/** Who may transfer the zone: an address or range (default 127.0.0.1) and a key (default none). */
export interface NsdAclEntry {
  address?: string;
  key?: string;
}

export interface NsdZone {
  name: string;
  /** A primary zone's file (made absolute). With `ixfr` NSD writes `<file>.ixfr` beside it. */
  file?: string;
  /** A secondary zone: its primaries (`request-xfr`); NOTIFY from them is allowed. Its copy is kept in the temp folder. */
  primaries?: NsdRemote[];
  /** NOTIFY targets. */
  notify?: NsdRemote[];
  /** Who may transfer the zone (`provide-xfr`; default 127.0.0.1 without a key). */
  allowTransfer?: NsdAclEntry[];
  /** A primary keeps and serves IXFR made from the difference at each reload (default true). */
  ixfr?: boolean;
  /** Further `key: value` lines for this zone's section. */
  extra?: string[];
}

export interface NsdOptions {
  keys?: NsdKey[];
  /** Listen on this port instead of a fresh one. */
  port?: number;
  /** How long start-up may take (default 15 s). */
  timeoutMs?: number;
  /** NSD's verbosity (default 2: transfers and NOTIFYs are logged). */
  verbosity?: number;
  /** Further `key: value` lines for the `server:` section. */
  extraServer?: string[];
  /** Further clauses (`pattern:`, `key:`, ...), verbatim, at the end. */
  extraConfig?: string;
}

export interface NsdProcess extends DaemonProcess {
  readonly port: number;
  /** The control socket. */
  readonly socket: string;
  /** Runs `nsd-control -c <conf> ...args` (bounded); resolves with its stdout. */
  control(...args: string[]): Promise<string>;
  /** `nsd-control reload <zone>`: a primary re-reads its file (when changed). */
  reload(zone: string): Promise<void>;
  /** `nsd-control zonestatus <zone>`, as printed. */
  zoneStatus(zone: string): Promise<string>;
  /** The serial NSD serves for the zone (SOA over UDP), or null. */
  serial(zone: string): Promise<number | null>;
  /** `dig AXFR` of the zone from NSD (see dig.ts digAxfr). */
  axfr(zone: string, key?: NsdKey): Promise<string[]>;
}

const quote = (s: string): string => JSON.stringify(s);
const remoteText = (r: NsdRemote): string => `${r.host ?? '127.0.0.1'}@${r.port} ${r.key ?? 'NOKEY'}`;

/** The nsd.conf text (exported for tests of the harness itself). */
export function nsdConf(dir: string, port: number, zones: readonly NsdZone[], opts: NsdOptions = {}): string {
  const lines = [
    'server:',
    `  ip-address: 127.0.0.1@${port}`,
    '  server-count: 1',
    // As root NSD would switch to the `nsd` user, which cannot write the temp folder.
    '  username: ""',
    '  chroot: ""',
    `  zonesdir: ${quote(dir)}`,
    `  pidfile: ${quote(join(dir, 'nsd.pid'))}`,
    '  database: ""',
    `  zonelistfile: ${quote(join(dir, 'zone.list'))}`,
    `  xfrdfile: ${quote(join(dir, 'xfrd.state'))}`,
    `  xfrdir: ${quote(dir)}`,
    `  verbosity: ${opts.verbosity ?? 2}`,
    // Debian's build limits answers to 200 a second per source; every test query comes from 127.0.0.1.
    '  rrl-ratelimit: 0',
    '  rrl-whitelist-ratelimit: 0',
    ...(opts.extraServer ?? []).map((l) => `  ${l}`),
    'remote-control:',
    '  control-enable: yes',
    // A local socket needs no TLS keys.
    `  control-interface: ${quote(join(dir, 'nsd.sock'))}`,
  ];
  for (const k of opts.keys ?? []) {
    lines.push('key:', `  name: ${quote(k.name.replace(/\.$/, ''))}`, `  algorithm: ${k.algorithm}`, `  secret: ${quote(k.secret)}`);
  }
  zones.forEach((z, i) => {
    lines.push('zone:', `  name: ${quote(z.name.replace(/\.$/, ''))}`);
    if (z.file !== undefined) {
      lines.push(`  zonefile: ${quote(resolve(z.file))}`);
      if (z.ixfr ?? true) lines.push('  store-ixfr: yes', '  create-ixfr: yes');
    } else {
      lines.push(`  zonefile: ${quote(join(dir, `secondary-${i}.zone`))}`);
    }
    for (const p of z.primaries ?? []) {
      lines.push(`  request-xfr: ${remoteText(p)}`, `  allow-notify: ${p.host ?? '127.0.0.1'} ${p.key ?? 'NOKEY'}`);
    }
    for (const n of z.notify ?? []) lines.push(`  notify: ${remoteText(n)}`);
    for (const a of z.allowTransfer ?? [{}]) lines.push(`  provide-xfr: ${a.address ?? '127.0.0.1'} ${a.key ?? 'NOKEY'}`);
    for (const l of z.extra ?? []) lines.push(`  ${l}`);
  });
  if (opts.extraConfig !== undefined && opts.extraConfig !== '') lines.push(opts.extraConfig);
  return lines.join('\n') + '\n';
}

export async function startNsd(zones: readonly NsdZone[], opts: NsdOptions = {}): Promise<NsdProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'tyne-nsd-'));
  const port = opts.port ?? (await freePort());
  const conf = join(dir, 'nsd.conf');
  writeFileSync(conf, nsdConf(dir, port, zones, opts));
  // -d: foreground, logging to stderr.
  const d = spawnDaemon('nsd', ['-d', '-c', conf], dir);

  const control = (...args: string[]): Promise<string> =>
    new Promise((res, rej) => {
      execFile('nsd-control', ['-c', conf, ...args], { timeout: 10_000 }, (err, stdout, stderr) => {
        if (err) rej(new Error(`nsd-control ${args.join(' ')}: ${err.message}\n${stdout}${stderr}`));
        else res(stdout);
      });
    });
  const proc: NsdProcess = {
    ...d,
    port,
    socket: join(dir, 'nsd.sock'),
    control,
    reload: async (zone) => void (await control('reload', zone)),
    zoneStatus: (zone) => control('zonestatus', zone),
    serial: (zone) => digSerial({ port }, zone),
    axfr: (zone, key) => digAxfr({ port, ...(key !== undefined ? { key } : {}) }, zone),
  };

  const timeoutMs = opts.timeoutMs ?? 15_000;
  try {
    await d.waitForLog(/nsd started/, { timeoutMs });
    for (const z of zones.filter((x) => x.file !== undefined)) {
      await until(`nsd answers SOA for ${z.name}`, async () => (await digSerial({ port }, z.name)) !== null, {
        timeoutMs, everyMs: 50, detail: () => d.log().slice(-4000),
      });
    }
  } catch (e) {
    await d.stop();
    throw e;
  }
  return proc;
}
