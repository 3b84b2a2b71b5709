/**
 * Runs BIND's `named` in the foreground on 127.0.0.1 as an oracle for
 * differential tests: a throw-away named.conf in a temp folder, one primary
 * zone per entry, no recursion. Startup waits (bounded) until every zone
 * answers an SOA query. With `dir`, named keeps its state in the caller's
 * folder instead, so that it can be stopped and started again on the same
 * port with its copies (secondary zones, catalog zones and their members).
 * A primary zone may NOTIFY peers (`alsoNotify`); reload() is SIGHUP (named
 * re-reads its configuration and every zone file that changed), and
 * waitForLog waits (bounded) for a line of its log.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from './ports.js';
import { buildQuery, queryUdp } from './dns-client.js';
import { sleep } from './wait.js';
import { decodeMessage } from '../../src/wire/index.js';

export interface NamedZone {
  name: string;
  /** Zone file path (made absolute). */
  file: string;
  /**
   * NOTIFY targets: named notifies them (and only them: `notify explicit`,
   * `notify-delay 0`) after each load that changes the serial.
   */
  alsoNotify?: { host?: string; port: number }[];
}

export interface NamedOptions {
  /** How long to wait for every zone to answer SOA (default 15 s). */
  timeoutMs?: number;
  /** Extra statements placed inside `options { }`. */
  extraOptions?: string;
  /** Extra top-level statements (e.g. `key` blocks) appended at the end of named.conf. */
  extraConfig?: string;
  /**
   * Zone blocks written verbatim after the generated `type primary` ones
   * (e.g. `type secondary` zones, or primaries with their own `notify`
   * statements). They are not waited for; startup then also waits (bounded)
   * for named's `running` log line.
   */
  zoneStatements?: string;
  /** Listen on this port instead of a fresh one (to restart named where a peer expects it, or when the peer's config needs the port first). */
  port?: number;
  /**
   * named's folder (`directory`, named.conf, its copies), created if
   * missing, and left in place by stop(): start named again with the same
   * `dir` and `port` and it finds its copies (e.g. a catalog zone's
   * `zone-directory`, which the caller creates in it). Default: a fresh
   * temp folder, removed by stop().
   */
  dir?: string;
}

export interface NamedProcess {
  readonly port: number;
  /** named's folder (`directory` in named.conf). */
  readonly dir: string;
  readonly child: ChildProcess;
  /** named's stderr (its log, since it runs with -g) so far. */
  log(): string;
  /** A mark in the log (its length now), for waitForLog. */
  mark(): number;
  /**
   * Resolves with the first match of `re` in the log from `since` (default
   * 0) on; rejects after `timeoutMs` (default 10 s) or when named exits
   * first, with the log's tail.
   */
  waitForLog(re: RegExp, opts?: { since?: number; timeoutMs?: number }): Promise<RegExpExecArray>;
  /**
   * SIGHUP: named reloads its configuration and every zone file changed
   * since it was loaded; resolves once named says `reloading zones
   * succeeded` (each zone then logs `loaded serial N` a moment later).
   */
  reload(): Promise<void>;
  /** SIGTERM, then SIGKILL after 3 s; removes the temp folder (not a `dir` the caller gave). */
  stop(): Promise<void>;
}

function quote(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** Writes the named.conf text for `zones` (exported for tests of the harness itself). */
export function namedConf(dir: string, port: number, zones: readonly NamedZone[], extraOptions = '', extraConfig = '', zoneStatements = ''): string {
  const lines = [
    'options {',
    `  directory ${quote(dir)};`,
    `  listen-on port ${port} { 127.0.0.1; };`,
    '  listen-on-v6 { none; };',
    '  recursion no;',
    `  pid-file ${quote(join(dir, 'named.pid'))};`,
    `  session-keyfile ${quote(join(dir, 'session.key'))};`,
    `  managed-keys-directory ${quote(dir)};`,
    '  dnssec-validation no;',
    '  notify no;',
    extraOptions,
    '};',
    // No rndc control channel: nothing else listens.
    'controls { };',
  ];
  for (const z of zones) {
    const notify = z.alsoNotify === undefined || z.alsoNotify.length === 0
      ? ''
      : ` notify explicit; notify-delay 0; also-notify { ${z.alsoNotify.map((t) => `${t.host ?? '127.0.0.1'} port ${t.port};`).join(' ')} };`;
    lines.push(`zone ${quote(z.name)} { type primary; file ${quote(resolve(z.file))};${notify} };`);
  }
  if (zoneStatements !== '') lines.push(zoneStatements);
  if (extraConfig !== '') lines.push(extraConfig);
  return lines.join('\n') + '\n';
}

export async function startNamed(zones: readonly NamedZone[], opts: NamedOptions = {}): Promise<NamedProcess> {
  const own = opts.dir === undefined;
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'tyne-named-'));
  if (!own) mkdirSync(dir, { recursive: true });
  const port = opts.port ?? (await freePort());
  const conf = join(dir, 'named.conf');
  writeFileSync(conf, namedConf(dir, port, zones, opts.extraOptions, opts.extraConfig, opts.zoneStatements));
  // -g: foreground, log to stderr. -n 1: one worker thread is plenty.
  // As root named would switch to the "bind" user only with -u; without it, it stays root.
  const child = spawn('named', ['-g', '-n', '1', '-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (c: string) => {
    if (err.length < 1_000_000) err += c;
  });
  let exited = false;
  let spawnError: Error | null = null;
  const exitPromise = new Promise<void>((res) => {
    child.once('exit', () => { exited = true; res(); });
    child.once('error', (e) => { spawnError = e; exited = true; res(); });
  });

  const stop = async (): Promise<void> => {
    if (!exited) {
      child.kill('SIGTERM');
      const t = setTimeout(() => { if (!exited) child.kill('SIGKILL'); }, 3000);
      await exitPromise;
      clearTimeout(t);
    }
    if (own) rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + (opts.timeoutMs ?? 15_000);
  const pending = new Set(zones.map((z) => z.name));
  // With verbatim zone blocks, named's own word that it finished starting counts too.
  let waitRunning = opts.zoneStatements !== undefined && opts.zoneStatements !== '';
  let id = 1;
  while (pending.size > 0 || waitRunning) {
    if (exited) {
      await stop();
      throw new Error(`named exited before serving${spawnError ? ` (${String(spawnError)})` : ''}; log:\n${err}`);
    }
    if (Date.now() > deadline) {
      await stop();
      const what = pending.size > 0 ? `answer SOA for ${[...pending].join(', ')}` : 'log `running`';
      throw new Error(`named did not ${what} in time; log:\n${err}`);
    }
    if (waitRunning && /^\S+ \S+ running$/m.test(err)) waitRunning = false;
    for (const zone of [...pending]) {
      try {
        const reply = decodeMessage(await queryUdp(port, buildQuery({ id: id++ & 0xffff, name: zone, type: 6 }), 300));
        if (reply.rcode === 0 && reply.aa && reply.answers.length === 1) pending.delete(zone);
      } catch {
        // not up yet
      }
    }
    if (pending.size > 0 || waitRunning) await sleep(50);
  }
  const waitForLog = async (re: RegExp, o: { since?: number; timeoutMs?: number } = {}): Promise<RegExpExecArray> => {
    const end = Date.now() + (o.timeoutMs ?? 10_000);
    const flags = re.flags.replace('g', '');
    for (;;) {
      const m = new RegExp(re.source, flags).exec(err.slice(o.since ?? 0));
      if (m !== null) return m;
      if (exited || Date.now() > end) throw new Error(`named: ${re} not logged${exited ? ' (it exited)' : ` within ${o.timeoutMs ?? 10_000} ms`}; log tail:\n${err.slice(-3000)}`);
      await sleep(20);
    }
  };
  const reload = async (): Promise<void> => {
    const since = err.length;
    child.kill('SIGHUP');
    const m = await waitForLog(/reloading zones (succeeded|failed.*)/, { since });
    if (m[1] !== 'succeeded') throw new Error(`named: reloading zones ${m[1]}; log tail:\n${err.slice(-3000)}`);
  };
  return { port, dir, child, log: () => err, mark: () => err.length, waitForLog, reload, stop };
}
