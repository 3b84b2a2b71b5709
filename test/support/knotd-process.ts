/**
 * Runs Knot DNS 3.2's `knotd` in the foreground on 127.0.0.1 as a test
 * peer: a throw-away knot.conf in a temp folder (zone storage, journal,
 * timers, PID file and the control socket all in it), a fresh free port, primary
 * zones read from files, secondary zones from primaries, generated catalog
 * zones and catalog zones read from a producer (`catalog-role: interpret`,
 * with the members' `catalog-template`), TSIG keys. Start-up waits
 * (bounded) until every zone that has data of its own has loaded. `knotc` talks to it through the socket in the
 * temp folder (reloads, zone status, refresh). With `dir` the state lives
 * in the caller's folder and survives stop(), for a restart that finds it.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawnDaemon, type DaemonProcess } from './daemon-process.js';
import { digAxfr, digShort, type DigKey } from './dig.js';
import { freePort } from './ports.js';

/** A TSIG key (the shape dig.ts takes too). */
export type KnotKey = DigKey;

/** A server Knot talks to: a primary it transfers from, or a NOTIFY target. */
export interface KnotRemote {
  /** IPv4 or IPv6 literal (default 127.0.0.1). */
  host?: string;
  port: number;
  /** Name of a key from `keys` to sign with. */
  key?: string;
}

/** Who may do something (transfer the zone, send NOTIFY): an address, a key, or both. */
export interface KnotAclEntry {
  /** An address or a CIDR; none means any address. */
  address?: string;
  key?: string;
}

export interface KnotZone {
  name: string;
  /** A primary zone's file (made absolute). Knot only reads it (`zonefile-sync: -1`): the caller's file stays the caller's. */
  file?: string;
  /** A secondary zone: its primaries (Knot's `master:`). NOTIFY from them is allowed. Its copy lives in the temp folder. */
  primaries?: KnotRemote[];
  /** NOTIFY targets (Knot sends NOTIFY after a load or a change). */
  notify?: KnotRemote[];
  /** Who may transfer the zone (default: 127.0.0.1, no key). */
  allowTransfer?: KnotAclEntry[];
  /**
   * How a changed file is applied on reload. `difference-no-serial`: Knot
   * computes the difference itself (so it can serve it by IXFR) and raises
   * the serial, whatever the file says (the journal then keeps everything,
   * `journal-content: all`, as Knot requires).
   */
  zonefileLoad?: 'none' | 'difference' | 'difference-no-serial' | 'whole';
  /**
   * `generate`: a catalog zone Knot makes from its members; `member`: a
   * member of `catalogZone`; `interpret`: a catalog zone Knot reads (give
   * it `primaries`), serving each member it lists with `catalogTemplate`.
   */
  catalogRole?: 'generate' | 'member' | 'interpret';
  catalogZone?: string;
  /** For `interpret`: the id of a `catalogTemplates` entry, the settings of every member zone. */
  catalogTemplate?: string;
  /** Further `key: value` lines for this zone's section. */
  extra?: string[];
}

/** A `template:` entry for the members of an interpreted catalog (Knot's `catalog-template`). */
export interface KnotCatalogTemplate {
  id: string;
  /** The members' primaries (Knot's `master:`); NOTIFY from them is allowed. */
  primaries: KnotRemote[];
  /** The members' zone files (`file:`, `%s` is the zone name), relative to the storage (default `%s.zone`). */
  file?: string;
  /** Where the members' files go (default: the server's folder). */
  storage?: string;
  /** Who may transfer the members (default: 127.0.0.1, no key). */
  allowTransfer?: KnotAclEntry[];
  /** Further `key: value` lines for the template. */
  extra?: string[];
}

export interface KnotOptions {
  keys?: KnotKey[];
  /** Listen on this port instead of a fresh one. */
  port?: number;
  /** How long start-up may take (default 15 s). */
  timeoutMs?: number;
  /** Further `key: value` lines for the `server:` section. */
  extraServer?: string[];
  /** Further top-level sections, verbatim (not `template:`, which holds the zone storage; use a zone's `extra`). */
  extraConfig?: string;
  /** The log level (default info: Knot logs every transfer and NOTIFY at info). */
  logLevel?: 'debug' | 'info' | 'notice' | 'warning' | 'error';
  /** Templates for the members of interpreted catalogs (`catalogTemplate` of a zone names one). */
  catalogTemplates?: KnotCatalogTemplate[];
  /**
   * Knot's folder (knot.conf, socket, storage, databases), created if
   * missing and left in place by stop(): start Knot again with the same
   * `dir` and `port` and it finds its zones, journals, timers and catalog
   * database. Default: a fresh temp folder, removed by stop().
   */
  dir?: string;
}

/** One line of `knotc zone-status`. */
export interface KnotZoneStatus {
  role: string;
  /** null while Knot has no copy (`serial: none`). */
  serial: number | null;
  /** The rest of the line (`transaction`, `freeze`, `catalog`, ...). */
  line: string;
}

export interface KnotProcess extends DaemonProcess {
  readonly port: number;
  /** The control socket (`knotc -s`). */
  readonly socket: string;
  /** Its knot.conf (for `kcatalogprint -c`, say). */
  readonly conf: string;
  /** Runs `knotc -s <socket> ...args` (bounded); resolves with its stdout, rejects with its output on failure. */
  knotc(...args: string[]): Promise<string>;
  /** `knotc zone-reload` (and waits for it, `-b`): a primary re-reads its file. */
  reload(zone: string): Promise<void>;
  /** `knotc zone-refresh` (waits, `-b`): a secondary asks its primary for the serial now. */
  refresh(zone: string): Promise<void>;
  /** `knotc zone-status` of one zone. */
  zoneStatus(zone: string): Promise<KnotZoneStatus>;
  /** The serial Knot holds for the zone (from zone-status), or null. */
  serial(zone: string): Promise<number | null>;
  /** The serial Knot answers for the zone's SOA (over TCP, which Knot answers for generated catalogs too), or null. */
  servedSerial(zone: string, key?: KnotKey): Promise<number | null>;
  /** `dig AXFR` of the zone from Knot (see dig.ts digAxfr). */
  axfr(zone: string, key?: KnotKey): Promise<string[]>;
  /** Rewrites knot.conf with these zones (same keys and options) and has Knot reload it (`knotc reload`). */
  reconfigure(zones: readonly KnotZone[]): Promise<void>;
}

const fqdn = (name: string): string => (name.endsWith('.') ? name : `${name}.`);
const quote = (s: string): string => JSON.stringify(s);

/** The knot.conf text (exported for tests of the harness itself). */
export function knotConf(dir: string, port: number, zones: readonly KnotZone[], opts: KnotOptions = {}): string {
  const lines: string[] = [
    'server:',
    `  rundir: ${quote(dir)}`,
    `  pidfile: ${quote(join(dir, 'knot.pid'))}`,
    `  listen: 127.0.0.1@${port}`,
    // Modest: tests run beside other work on two cores.
    '  udp-workers: 1',
    '  tcp-workers: 1',
    '  background-workers: 1',
  ];
  // As root Knot would run as root anyway (its default), but a packaged knot.conf switches to `knot`,
  // which cannot write the temp folder; say it here so nothing else decides.
  if (process.getuid?.() === 0) lines.push('  user: root:root');
  for (const l of opts.extraServer ?? []) lines.push(`  ${l}`);
  lines.push(
    'log:',
    '  - target: stderr',
    `    any: ${opts.logLevel ?? 'info'}`,
    'database:',
    `  storage: ${quote(dir)}`,
    'control:',
    `  listen: ${quote(join(dir, 'knot.sock'))}`,
  );
  if ((opts.keys ?? []).length > 0) {
    lines.push('key:');
    for (const k of opts.keys!) {
      lines.push(`  - id: ${fqdn(k.name)}`, `    algorithm: ${k.algorithm}`, `    secret: ${k.secret}`);
    }
  }
  // Remotes and ACLs get ids from their contents, so one used twice is written once.
  const remotes = new Map<string, string>();
  const remoteId = (r: KnotRemote): string => {
    const text = `${r.host ?? '127.0.0.1'}@${r.port}${r.key !== undefined ? ` ${r.key}` : ''}`;
    let id = remotes.get(text);
    if (id === undefined) {
      id = `remote${remotes.size}`;
      remotes.set(text, id);
    }
    return id;
  };
  const acls = new Map<string, { id: string; entry: KnotAclEntry; action: string }>();
  const aclId = (entry: KnotAclEntry, action: 'transfer' | 'notify'): string => {
    const text = `${action} ${entry.address ?? '*'} ${entry.key ?? '-'}`;
    let a = acls.get(text);
    if (a === undefined) {
      a = { id: `acl${acls.size}`, entry, action };
      acls.set(text, a);
    }
    return a.id;
  };
  const zoneLines: string[] = ['zone:'];
  for (const z of zones) {
    zoneLines.push(`  - domain: ${fqdn(z.name)}`);
    const acl: string[] = [];
    if (z.file !== undefined) {
      zoneLines.push(`    file: ${quote(resolve(z.file))}`, '    zonefile-sync: -1');
    }
    if (z.primaries !== undefined && z.primaries.length > 0) {
      zoneLines.push(`    master: [${z.primaries.map(remoteId).join(', ')}]`);
      for (const p of z.primaries) acl.push(aclId({ address: p.host ?? '127.0.0.1', ...(p.key !== undefined ? { key: p.key } : {}) }, 'notify'));
    }
    if (z.notify !== undefined && z.notify.length > 0) zoneLines.push(`    notify: [${z.notify.map(remoteId).join(', ')}]`);
    for (const e of z.allowTransfer ?? [{ address: '127.0.0.1' }]) acl.push(aclId(e, 'transfer'));
    if (acl.length > 0) zoneLines.push(`    acl: [${acl.join(', ')}]`);
    if (z.zonefileLoad !== undefined) {
      zoneLines.push(`    zonefile-load: ${z.zonefileLoad}`);
      if (z.zonefileLoad === 'difference-no-serial') zoneLines.push('    journal-content: all');
    }
    if (z.catalogRole !== undefined) zoneLines.push(`    catalog-role: ${z.catalogRole}`);
    if (z.catalogZone !== undefined) zoneLines.push(`    catalog-zone: ${fqdn(z.catalogZone)}`);
    if (z.catalogTemplate !== undefined) zoneLines.push(`    catalog-template: ${z.catalogTemplate}`);
    for (const l of z.extra ?? []) zoneLines.push(`    ${l}`);
  }
  // Zone files Knot writes (secondary copies, generated catalogs) go here too, not to /var/lib/knot.
  // Written after the zones' remotes and ACLs are known: a catalog template names them, and Knot wants them defined first.
  const templateLines: string[] = ['template:', '  - id: default', `    storage: ${quote(dir)}`];
  for (const t of opts.catalogTemplates ?? []) {
    templateLines.push(`  - id: ${t.id}`, `    storage: ${quote(t.storage ?? dir)}`);
    if (t.file !== undefined) templateLines.push(`    file: ${quote(t.file)}`);
    templateLines.push(`    master: [${t.primaries.map(remoteId).join(', ')}]`);
    const acl = t.primaries.map((p) => aclId({ address: p.host ?? '127.0.0.1', ...(p.key !== undefined ? { key: p.key } : {}) }, 'notify'));
    for (const e of t.allowTransfer ?? [{ address: '127.0.0.1' }]) acl.push(aclId(e, 'transfer'));
    templateLines.push(`    acl: [${acl.join(', ')}]`);
    for (const l of t.extra ?? []) templateLines.push(`    ${l}`);
  }
  if (remotes.size > 0) {
    lines.push('remote:');
    for (const [text, id] of remotes) {
      const [addr, key] = text.split(' ');
      lines.push(`  - id: ${id}`, `    address: ${addr}`);
      if (key !== undefined) lines.push(`    key: ${fqdn(key)}`);
    }
  }
  if (acls.size > 0) {
    lines.push('acl:');
    for (const { id, entry, action } of acls.values()) {
      lines.push(`  - id: ${id}`);
      if (entry.address !== undefined) lines.push(`    address: ${entry.address}`);
      if (entry.key !== undefined) lines.push(`    key: ${fqdn(entry.key)}`);
      lines.push(`    action: ${action}`);
    }
  }
  lines.push(...templateLines);
  if (zones.length > 0) lines.push(...zoneLines);
  if (opts.extraConfig !== undefined && opts.extraConfig !== '') lines.push(opts.extraConfig);
  return lines.join('\n') + '\n';
}

/** Zones whose data Knot has without a transfer: it logs `[zone.] loaded` for them at start-up. */
const hasOwnData = (z: KnotZone): boolean => z.file !== undefined || z.catalogRole === 'generate';

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export async function startKnot(zones: readonly KnotZone[], opts: KnotOptions = {}): Promise<KnotProcess> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'tyne-knot-'));
  if (opts.dir !== undefined) mkdirSync(dir, { recursive: true });
  const port = opts.port ?? (await freePort());
  const conf = join(dir, 'knot.conf');
  const socket = join(dir, 'knot.sock');
  writeFileSync(conf, knotConf(dir, port, zones, opts));
  const d = spawnDaemon('knotd', ['-c', conf], dir, { keepDir: opts.dir !== undefined });

  const knotc = (...args: string[]): Promise<string> =>
    new Promise((res, rej) => {
      execFile('knotc', ['-s', socket, '-t', '10', ...args], { timeout: 15_000 }, (err, stdout, stderr) => {
        if (err) rej(new Error(`knotc ${args.join(' ')}: ${err.message}\n${stdout}${stderr}`));
        else res(stdout);
      });
    });
  const zoneStatus = async (zone: string): Promise<KnotZoneStatus> => {
    const out = await knotc('zone-status', fqdn(zone));
    const line = out.split('\n').find((l) => l.startsWith(`[${fqdn(zone).toLowerCase()}]`)) ?? out.trim();
    const role = /role: (\w+)/.exec(line)?.[1] ?? '';
    const serial = /serial: (\d+)/.exec(line);
    return { role, serial: serial === null ? null : Number(serial[1]), line };
  };
  const proc: KnotProcess = {
    ...d,
    port,
    socket,
    conf,
    knotc,
    reload: async (zone) => void (await knotc('-b', 'zone-reload', fqdn(zone))),
    refresh: async (zone) => void (await knotc('-b', 'zone-refresh', fqdn(zone))),
    zoneStatus,
    serial: async (zone) => (await zoneStatus(zone)).serial,
    servedSerial: async (zone, key) => {
      const lines = await digShort({ port, ...(key !== undefined ? { key } : {}) }, zone, 'SOA', ['+tcp']).catch(() => []);
      const serial = lines.length === 1 ? lines[0]!.split(/\s+/)[2] : undefined;
      return serial !== undefined && /^\d+$/.test(serial) ? Number(serial) : null;
    },
    axfr: (zone, key) => digAxfr({ port, ...(key !== undefined ? { key } : {}) }, zone),
    async reconfigure(next) {
      const mark = d.mark();
      writeFileSync(conf, knotConf(dir, port, next, opts));
      await knotc('reload');
      await d.waitForLog(/configuration reloaded/, { since: mark, timeoutMs: 10_000 });
    },
  };

  const timeoutMs = opts.timeoutMs ?? 15_000;
  try {
    await d.waitForLog(/server started in the foreground/, { timeoutMs });
    await d.waitForLog(/control, binding to/, { timeoutMs });
    for (const z of zones.filter(hasOwnData)) {
      const name = escapeRe(fqdn(z.name).toLowerCase());
      const m = await d.waitForLog(new RegExp(`\\[${name}\\] (loaded, serial|failed to load.*|zone event 'load' failed.*)`, 'i'), { timeoutMs });
      if (!m[1]!.startsWith('loaded')) throw new Error(`knotd could not load ${z.name}: ${m[0]}; log:\n${d.log().slice(-4000)}`);
    }
  } catch (e) {
    await d.stop();
    throw e;
  }
  return proc;
}
