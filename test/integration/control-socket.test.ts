/**
 * Issue 15 §1: the control socket and the `tyne` commands, against live
 * servers (ns1 a primary, ns2 its secondary; real sockets, real files,
 * the real `bin/tyne`): status, zonestatus, reload (errors with
 * file:line:col, exit 1), refresh, retransfer, notify, loglevel, stop,
 * release of a zone directory's and a consumed catalog's held removals,
 * check-config and --version; the socket's mode and group, curl
 * --unix-socket, exit codes 2 and 3, `control: false`, a stale socket
 * replaced at start and a live one refused.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { after, describe, it } from 'node:test';
import { run as runTool, digSerial, digStatus } from '../support/dig.js';
import { repoRoot } from '../support/paths.js';
import { haveTool } from '../support/tools.js';
import { tyneCli, tyneJson, type TyneRun } from '../support/tyne-cli.js';
import { tyneYaml, zoneText } from '../support/tyne-config.js';
import { TynePair } from '../support/tyne-pair.js';
import { runTyneToExit, startTyne, type TyneProcess } from '../support/tyne-process.js';
import { until } from '../support/wait.js';
import { closeZoneDirectoryRigs, QUICK_WATCH, startZoneDirectoryRig } from '../support/zone-directory-rig.js';

const haveDig = haveTool('dig');
const haveCurl = haveTool('curl');
const VERSION = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;

const rigs: { pair: TynePair; procs: () => (TyneProcess | null)[] }[] = [];
after(async () => {
  for (const r of rigs) await r.pair.close(...r.procs());
  await closeZoneDirectoryRigs();
});

/** An operator error: exactly one line on stderr, naming the command, no stack trace. */
function oneLine(r: TyneRun, cmd: string, message: RegExp): void {
  const lines = r.err.trimEnd().split('\n');
  assert.match(lines[0]!, new RegExp(`^tyne ${cmd}: `), r.err);
  assert.match(lines[0]!, message, r.err);
  assert.ok(!/\n\s+at \S+/.test(r.err), `no stack trace: ${r.err}`);
  // A usage problem adds the usage line; nothing else.
  assert.ok(lines.length === 1 || (lines.length === 2 && lines[1]!.startsWith('usage: ')), r.err);
}

/** A new pair: ns1 (example.com from a file, no NOTIFY, no watch) and ns2 (its secondary), both with the default control socket in data-dir. */
async function startPair(prefix: string): Promise<{ pair: TynePair; ns1: TyneProcess; ns2: TyneProcess; c1: string; c2: string; zoneFile: string }> {
  const pair = await TynePair.create(prefix, ['ns1', 'ns2']);
  const procs: (TyneProcess | null)[] = [null, null];
  rigs.push({ pair, procs: () => procs });
  pair.write('ns1/example.com.zone', zoneText('example.com', 1));
  pair.write(
    'ns1/tyne.yaml',
    tyneYaml({
      listen: [`127.0.0.1:${pair.p1}`],
      server: ['watch: false', 'data-dir: data'],
      primaries: [{ name: 'example.com', file: 'example.com.zone', allowTransfer: ['127.0.0.1/32'], extra: ['serial-policy: file'] }],
    }),
  );
  pair.write(
    'ns2/tyne.yaml',
    tyneYaml({ listen: [`127.0.0.1:${pair.p2}`], server: ['data-dir: data'], secondaries: [{ name: 'example.com', primaries: [`127.0.0.1:${pair.p1}`], file: 'example.com.zone' }] }),
  );
  const ns1 = (procs[0] = await startTyne(pair.path('ns1/tyne.yaml')));
  const ns2 = (procs[1] = await startTyne(pair.path('ns2/tyne.yaml')));
  await until('ns2 serves example.com', async () => (await digSerial({ port: pair.p2 }, 'example.com')) === 1, { timeoutMs: 10_000, everyMs: 20 });
  return { pair, ns1, ns2, c1: pair.path('ns1/tyne.yaml'), c2: pair.path('ns2/tyne.yaml'), zoneFile: pair.path('ns1/example.com.zone') };
}

describe('tyne commands over the control socket, ns1 → ns2', { timeout: 180_000 }, () => {
  it('status, zonestatus, reload (with file:line:col), refresh, retransfer, notify, loglevel and stop', { skip: !haveDig }, async () => {
    const { pair, ns1, ns2, c1, c2, zoneFile } = await startPair('tyne-control-');
    const sock1 = pair.path('ns1/data/tyne.sock');
    assert.ok(statSync(sock1).isSocket(), 'the default socket sits in data-dir');

    // status: a table, and JSON.
    const st = await tyneCli(['status', '-c', c1]);
    assert.equal(st.code, 0, st.err);
    assert.match(st.out, new RegExp(`^version\\s+${VERSION.replaceAll('.', '\\.')}$`, 'm'));
    assert.match(st.out, new RegExp(`^pid\\s+${ns1.child.pid}$`, 'm'));
    assert.match(st.out, /^zones\s+1 served, 0 failed, 0 loading, 0 expired, 0 waiting for a first transfer \(1 primary, 0 secondary, 0 catalog\)$/m);
    assert.match(st.out, new RegExp(`^listen\\s+127\\.0\\.0\\.1:${pair.p1}$`, 'm'));
    const sj = await tyneJson<{ version: string; ready: boolean; control: string; listen: string[]; zones: Record<string, number>; uptimeSec: number }>(['status', '-s', sock1]);
    assert.equal(sj.version, VERSION);
    assert.equal(sj.ready, true);
    assert.equal(sj.control, sock1);
    assert.deepEqual(sj.listen, [`127.0.0.1:${pair.p1}`]);
    assert.equal(sj.zones.served, 1);
    const s2 = await tyneJson<{ zones: Record<string, number> }>(['status', '-c', c2]);
    assert.equal(s2.zones.secondary, 1);
    assert.equal(s2.zones.served, 1);

    // zonestatus of a primary and of a secondary.
    const z1 = await tyneJson<{ type: string; serial: number; records: number; file: string; lastLoad: { ok: boolean; result: string } }>(['zonestatus', 'example.com', '-c', c1]);
    assert.deepEqual([z1.type, z1.serial, z1.records, z1.file, z1.lastLoad.ok, z1.lastLoad.result], ['primary', 1, 23, zoneFile, true, 'loaded']);
    const z2t = await tyneCli(['zonestatus', 'example.com.', '-c', c2]);
    assert.equal(z2t.code, 0, z2t.err);
    assert.match(z2t.out, /^type\s+secondary$/m);
    assert.match(z2t.out, new RegExp(`^primaries\\s+127\\.0\\.0\\.1:${pair.p1}$`, 'm'));
    assert.match(z2t.out, /^last result\s+transferred at \S+: AXFR from 127\.0\.0\.1:\d+, serial 1$/m);
    const z2 = await tyneJson<{ serial: number; secondary: { lastRefresh: string; nextRefresh: string; expiresAt: string; expired: boolean } }>(['zonestatus', 'example.com', '-c', c2]);
    assert.equal(z2.serial, 1);
    const now = Date.now();
    assert.ok(Date.parse(z2.secondary.lastRefresh) <= now && Date.parse(z2.secondary.lastRefresh) > now - 60_000, z2.secondary.lastRefresh);
    // SOA refresh 3600 (jittered into [0.75, 1] of it, as BIND) and expire 604800 (zoneText), from the last refresh.
    const untilNext = Date.parse(z2.secondary.nextRefresh) - Date.parse(z2.secondary.lastRefresh);
    assert.ok(untilNext >= 2700_000 - 5000 && untilNext <= 3600_000 + 5000, z2.secondary.nextRefresh);
    assert.ok(Math.abs(Date.parse(z2.secondary.expiresAt) - Date.parse(z2.secondary.lastRefresh) - 604_800_000) < 5000, z2.secondary.expiresAt);
    assert.equal(z2.secondary.expired, false);

    // reload ZONE: a good edit, then a bad one (its error with file:line:col, exit 1; the old version is kept).
    writeFileSync(zoneFile, zoneText('example.com', 2));
    const r1 = await tyneCli(['reload', 'example.com', '-c', c1]);
    assert.equal(r1.code, 0, r1.err);
    assert.match(r1.out, /^example\.com\.\s+reloaded\s+2$/m);
    assert.equal(await digSerial({ port: pair.p1 }, 'example.com'), 2);
    // Line 26: after $ORIGIN, $TTL, SOA, NS, ns1 and the 20 hosts.
    writeFileSync(zoneFile, zoneText('example.com', 3, { extra: ['bad A 192.0.2.999'] }));
    const r2 = await tyneCli(['reload', 'example.com', '-c', c1]);
    assert.equal(r2.code, 1, r2.out + r2.err);
    assert.match(r2.out, /^example\.com\.\s+FAILED: not reloaded; still serving the previous version\s+2$/m);
    assert.match(r2.out, new RegExp(`^  ${zoneFile.replaceAll('.', '\\.')}:26:\\d+: .*192\\.0\\.2\\.999`, 'm'));
    const r2j = await tyneJson<{ ok: boolean; zones: { zone: string; ok: boolean; errors: string[] }[] }>(['reload', '-c', c1], 1);
    assert.equal(r2j.ok, false);
    assert.deepEqual(r2j.zones.map((z) => [z.zone, z.ok]), [['example.com.', false]], 'a whole reload lists the zone whose file is still broken');
    assert.match(r2j.zones[0]!.errors[0]!, /:26:\d+: /);
    assert.equal(await digSerial({ port: pair.p1 }, 'example.com'), 2, 'still serving the previous version');
    // Fixed: the whole reload reads it.
    writeFileSync(zoneFile, zoneText('example.com', 3));
    const r3 = await tyneJson<{ ok: boolean; zones: { zone: string; ok: boolean; serial: number }[] }>(['reload', '-c', c1]);
    assert.deepEqual(r3.zones.map((z) => [z.zone, z.ok, z.serial]), [['example.com.', true, 3]]);
    // A broken configuration is not reloaded: its problems are the answer (the running one is kept).
    const good = readFileSync(c1, 'utf8');
    writeFileSync(c1, good.replace('watch: false', 'watch: sometimes'));
    const r4 = await tyneCli(['reload', '-c', c1]);
    assert.equal(r4.code, 1, r4.err);
    assert.match(r4.out, /^configuration not reloaded \(the running one is kept\):\n {2}\S+tyne\.yaml:\d+:\d+: server\.watch: /m);
    writeFileSync(c1, good);

    // refresh: ns2 has serial 1 (ns1 sends no NOTIFY); refresh transfers 3, then finds it up to date.
    assert.equal(await digSerial({ port: pair.p2 }, 'example.com'), 1);
    const f1 = await tyneJson<{ ok: boolean; last: { result: string; kind: string; serial: number; peer: string } }>(['refresh', 'example.com', '-c', c2]);
    assert.deepEqual([f1.ok, f1.last.result, f1.last.serial, f1.last.peer], [true, 'transferred', 3, `127.0.0.1:${pair.p1}`]);
    assert.equal(await digSerial({ port: pair.p2 }, 'example.com'), 3, 'served once the command returns');
    const f2 = await tyneCli(['refresh', 'example.com', '-c', c2]);
    assert.equal(f2.code, 0, f2.err);
    assert.match(f2.out, new RegExp(`^example\\.com\\. up to date at \\S+, serial 3 \\(127\\.0\\.0\\.1:${pair.p1}\\)$`, 'm'));
    // retransfer: an AXFR whatever the serial.
    const mark1 = ns1.mark();
    const x = await tyneJson<{ ok: boolean; last: { result: string; kind: string; serial: number } }>(['retransfer', 'example.com', '-c', c2]);
    assert.deepEqual([x.ok, x.last.result, x.last.kind, x.last.serial], [true, 'transferred', 'AXFR', 3]);
    const out = await ns1.waitAfter(mark1, (l) => l.msg === 'transfer out', 5000);
    assert.equal(out.kind, 'AXFR', JSON.stringify(out));
    assert.ok(ns2.logs.some((l) => l.msg === 'retransfer asked for: AXFR whatever the serial'));

    // notify: to an address (ns1's zone has no notify targets of its own).
    const mark2 = ns2.mark();
    const n1 = await tyneCli(['notify', 'example.com', '-c', c1, '--to', `127.0.0.1:${pair.p2}`]);
    assert.equal(n1.code, 0, n1.err);
    assert.match(n1.out, /^NOTIFY of example\.com\. serial 3$/m);
    assert.match(n1.out, new RegExp(`^127\\.0\\.0\\.1:${pair.p2}\\s+yes\\s+1\\s+NOERROR$`, 'm'));
    await ns2.waitAfter(mark2, (l) => typeof l.msg === 'string' && l.msg.startsWith('notify received'), 5000);
    const n2 = await tyneCli(['notify', 'example.com', '-c', c1]);
    assert.equal(n2.code, 2, 'no targets and no --to: bad usage');
    oneLine(n2, 'notify', /has no notify targets; list them in its notify:, or give one with --to/);
    // A target that refuses it (ns1 itself: it is the zone's primary): not acknowledged, exit 1.
    const n3 = await tyneJson<{ ok: boolean; targets: { acked: boolean; rcode: string | null }[] }>(['notify', 'example.com', '-c', c1, '--to', `127.0.0.1:${pair.p1}`], 1);
    assert.equal(n3.ok, false);
    assert.equal(n3.targets[0]!.acked, false);
    assert.ok(n3.targets[0]!.rcode !== null && n3.targets[0]!.rcode !== 'NOERROR', JSON.stringify(n3));

    // What a command cannot do to a zone: one line, exit 1 (or 2 for a request the server cannot read).
    const refusals: [string[], number, string, RegExp][] = [
      [['refresh', 'example.com', '-c', c1], 1, 'refresh', /example\.com\. is a primary zone, not a secondary; use tyne reload example\.com\./],
      [['notify', 'example.com', '-c', c2], 1, 'notify', /is a secondary zone: NOTIFY is sent by its primary/],
      [['reload', 'example.com', '-c', c2], 1, 'reload', /is a secondary zone, not read from a file; use tyne refresh example\.com\./],
      [['zonestatus', 'no.example', '-c', c1], 1, 'zonestatus', /no zone no\.example\. in this server's configuration/],
      [['notify', 'example.com', '-c', c1, '--to', 'not-an-address'], 2, 'notify', /'not-an-address' is not an address such as 192\.0\.2\.2/],
      [['release', '/nowhere', '-c', c1], 1, 'release', /\/nowhere is neither a zone directory .* nor a catalog this server consumes/],
    ];
    for (const [args, code, cmd, message] of refusals) {
      const r = await tyneCli(args);
      assert.equal(r.code, code, `${args.join(' ')}: ${r.err}`);
      oneLine(r, cmd, message);
      const j = await tyneJson<{ error: { code: string } }>(args, code);
      assert.match(j.error.code, /^CONTROL_/);
    }

    // loglevel: at warn, a reload's info lines are not logged; back at info, they are.
    const l1 = await tyneCli(['loglevel', 'warn', '-c', c1]);
    assert.equal(l1.code, 0, l1.err);
    assert.equal(l1.out, 'log level info -> warn\n');
    const mark3 = ns1.mark();
    assert.equal((await tyneCli(['reload', 'example.com', '-c', c1])).code, 0);
    assert.deepEqual(await tyneJson(['loglevel', 'info', '-c', c1]), { from: 'warn', to: 'info' });
    const back = await ns1.waitAfter(mark3, (l) => l.msg === 'log level changed (tyne loglevel)' && l.to === 'info', 5000);
    const between = ns1.logs.slice(mark3, ns1.logs.indexOf(back));
    assert.deepEqual(between.filter((l) => Number(l.level) < 40), [], 'no info line while at warn');
    const mark4 = ns1.mark();
    assert.equal((await tyneCli(['reload', 'example.com', '-c', c1])).code, 0);
    await ns1.waitAfter(mark4, (l) => l.msg === 'zone file read again: no change' && l.level === 30, 5000);

    // The per-query lines follow the live level: none at info, one per query after `tyne loglevel debug`, none again at info.
    const queryLines = (mark: number): Record<string, unknown>[] => ns1.since(mark, (l) => l.msg === 'query' && l.qname === 'example.com.');
    const mark5 = ns1.mark();
    assert.notEqual(await digSerial({ port: pair.p1 }, 'example.com'), null);
    assert.equal((await tyneCli(['loglevel', 'debug', '-c', c1])).code, 0);
    await ns1.waitAfter(mark5, (l) => l.msg === 'log level changed (tyne loglevel)' && l.to === 'debug', 5000);
    assert.deepEqual(queryLines(mark5), [], 'no query line at info');
    const mark6 = ns1.mark();
    assert.notEqual(await digSerial({ port: pair.p1 }, 'example.com'), null);
    const q = await ns1.waitAfter(mark6, (l) => l.msg === 'query' && l.qname === 'example.com.', 5000);
    assert.equal(q.qtype, 'SOA');
    assert.equal(q.rcode, 'NOERROR');
    assert.equal((await tyneCli(['loglevel', 'info', '-c', c1])).code, 0);
    const mark7 = ns1.mark();
    assert.notEqual(await digSerial({ port: pair.p1 }, 'example.com'), null);
    // A line logged after the query: its query line would have come before it.
    assert.equal((await tyneCli(['reload', 'example.com', '-c', c1])).code, 0);
    await ns1.waitAfter(mark7, (l) => l.msg === 'zone file read again: no change', 5000);
    assert.deepEqual(queryLines(mark7), [], 'no query line back at info');

    // stop: waits until the process has exited; then the socket is gone, and a command exits 3.
    const s = await tyneCli(['stop', '-c', c2]);
    assert.equal(s.code, 0, s.err);
    assert.equal(s.out, `stopped (pid ${ns2.child.pid})\n`);
    assert.ok(ns2.child.pid !== undefined);
    assert.throws(() => process.kill(ns2.child.pid!, 0), /ESRCH/, 'the process has exited when tyne stop returns');
    assert.equal(await ns2.stop(), 0, 'exit code 0');
    assert.ok(!existsSync(pair.path('ns2/data/tyne.sock')), 'the socket file is removed');
    const gone = await tyneCli(['status', '-c', c2]);
    assert.equal(gone.code, 3);
    oneLine(gone, 'status', /no control socket at \S+tyne\.sock: the server is not running/);
  });
});

describe('tyne secondaries (the replication view), ns1 notifying ns2', { timeout: 120_000 }, () => {
  it('shows ns2 in sync; after an edit, in sync at the new serial within 2 s; behind and unreachable once ns2 is stopped; zonestatus lists it', { skip: !haveDig }, async () => {
    const pair = await TynePair.create('tyne-control-secondaries-', ['ns1', 'ns2']);
    const procs: (TyneProcess | null)[] = [null, null];
    rigs.push({ pair, procs: () => procs });
    const ns2Id = `127.0.0.1:${pair.p2}`;
    pair.write('ns1/example.com.zone', zoneText('example.com', 1));
    pair.write('ns1/tyne.yaml', tyneYaml({
      listen: [`127.0.0.1:${pair.p1}`], server: ['watch: false', 'data-dir: data', 'secondary-probe-interval: 1s'],
      primaries: [{ name: 'example.com', file: 'example.com.zone', notify: [ns2Id], allowTransfer: ['127.0.0.1/32'], extra: ['serial-policy: file'] }],
    }));
    pair.write('ns2/tyne.yaml', tyneYaml({ listen: [ns2Id], server: ['data-dir: data'], secondaries: [{ name: 'example.com', primaries: [`127.0.0.1:${pair.p1}`], file: 'example.com.zone' }] }));
    const ns1 = (procs[0] = await startTyne(pair.path('ns1/tyne.yaml')));
    const ns2 = (procs[1] = await startTyne(pair.path('ns2/tyne.yaml')));
    const c1 = pair.path('ns1/tyne.yaml');
    type Row = { zone: string; secondary: string; notifyTarget: boolean; state: string; serial: number | null; servedSerial: number | null; source: string | null; behindVersions: number | null; lagSeconds: number | null; problem: string | null };
    const rowOf = async (): Promise<Row | undefined> => (await tyneJson<{ zone: string | null; secondaries: Row[] }>(['secondaries', '-c', c1])).secondaries.find((r) => r.secondary === ns2Id);
    const inSync = (serial: number) => async (): Promise<boolean> => {
      const r = await rowOf();
      return r?.state === 'in-sync' && r.serial === serial;
    };
    await until('tyne secondaries: ns2 in sync at 1', inSync(1), { timeoutMs: 10_000, everyMs: 100 });

    // The Done-when check: after an edit, ns2 shows in sync within 2 s.
    pair.write('ns1/example.com.zone', zoneText('example.com', 2, { extra: ['v2 TXT "two"'] }));
    ns1.child.kill('SIGHUP');
    const t0 = performance.now();
    await until('ns1 serves 2', async () => (await digSerial({ port: pair.p1 }, 'example.com')) === 2, { timeoutMs: 5000, everyMs: 10 });
    await until('tyne secondaries: ns2 in sync at 2 within 2 s of the edit', inSync(2), { timeoutMs: 2000, everyMs: 50, t0 });
    assert.equal(await digSerial({ port: pair.p2 }, 'example.com'), 2, 'ns2 serves what the view says it holds');
    const row = (await rowOf())!;
    assert.deepEqual([row.zone, row.notifyTarget, row.servedSerial, row.behindVersions, row.lagSeconds], ['example.com.', true, 2, 0, 0]);

    // The table, and one zone's rows; zonestatus lists its secondaries too.
    const table = await tyneCli(['secondaries', '-c', c1]);
    assert.equal(table.code, 0, table.err);
    assert.match(table.out, /^ZONE\s+SECONDARY\s+STATE\s+SERIAL\s+SERVED\s+LEARNT FROM\s+LAG\s+LAST SEEN\s+NOTIFY$/m);
    assert.match(table.out, new RegExp(`^example\\.com\\.\\s+127\\.0\\.0\\.1:${pair.p2}\\s+in sync\\s+2\\s+2\\s`, 'm'));
    const one = await tyneJson<{ zone: string; secondaries: Row[] }>(['secondaries', 'example.com', '-c', c1]);
    assert.equal(one.zone, 'example.com.');
    assert.ok(one.secondaries.length >= 1 && one.secondaries.every((r) => r.zone === 'example.com.'));
    const zs = await tyneCli(['zonestatus', 'example.com', '-c', c1]);
    assert.match(zs.out, new RegExp(`^secondaries:\\n  SECONDARY .*\\n  127\\.0\\.0\\.1:${pair.p2}\\s+in sync`, 'm'));
    // A secondary zone keeps no view: asking ns2 is an operator error (exit 1, one line).
    const wrong = await tyneCli(['secondaries', 'example.com', '-c', pair.path('ns2/tyne.yaml')]);
    assert.equal(wrong.code, 1, wrong.out);
    assert.match(wrong.err, /is a secondary zone here: the replication view is kept by the primary/);

    // ns2 stopped, an edit: ns2 is behind by one version and unreachable, with the reason.
    await ns2.stop();
    procs[1] = null;
    pair.write('ns1/example.com.zone', zoneText('example.com', 3, { extra: ['v3 TXT "three"'] }));
    ns1.child.kill('SIGHUP');
    await until('tyne secondaries: ns2 unreachable, behind 1', async () => {
      const r = await rowOf();
      return r?.state === 'unreachable' && r.serial === 2 && r.servedSerial === 3 && r.behindVersions === 1 && typeof r.problem === 'string';
    }, { timeoutMs: 15_000, everyMs: 200 });
    const down = await tyneCli(['secondaries', '-c', c1]);
    assert.match(down.out, new RegExp(`^example\\.com\\. 127\\.0\\.0\\.1:${pair.p2}: `, 'm'), 'the reason is printed under the table');
  });
});

describe('the control socket itself', { timeout: 120_000 }, () => {
  it('has its mode and group; curl --unix-socket works', { skip: !haveDig || !haveCurl }, async () => {
    const pair = await TynePair.create('tyne-control-perm-', ['ns1']);
    let ns1: TyneProcess | null = null;
    rigs.push({ pair, procs: () => [ns1] });
    // As root, another group (daemon's, looked up by name); otherwise this process's own.
    const root = process.getuid?.() === 0;
    const getent = spawnSync('getent', ['group', 'daemon'], { encoding: 'utf8' });
    const group = root && getent.status === 0 ? 'daemon' : String(process.getgid?.() ?? 0);
    const gid = group === 'daemon' ? Number(getent.stdout.split(':')[2]) : Number(group);
    const sock = pair.path('ctl/ns1.sock');
    pair.write('ns1/example.com.zone', zoneText('example.com', 7));
    pair.write('ns1/tyne.yaml', tyneYaml({
      listen: [`127.0.0.1:${pair.p1}`], primaries: [{ name: 'example.com', file: 'example.com.zone' }],
      control: [`socket: ${JSON.stringify(sock)}`, 'mode: "0640"', `group: ${group}`],
    }));
    ns1 = await startTyne(pair.path('ns1/tyne.yaml'));
    const st = statSync(sock);
    assert.ok(st.isSocket());
    assert.equal((st.mode & 0o7777).toString(8), '640');
    assert.equal(st.gid, gid, `group ${group}`);

    const status = JSON.parse(await runTool('curl', ['-sS', '--unix-socket', sock, 'http://tyne/status'])) as { version: string; zones: { served: number } };
    assert.equal(status.version, VERSION);
    assert.equal(status.zones.served, 1);
    const zone = JSON.parse(await runTool('curl', ['-sS', '--unix-socket', sock, 'http://tyne/zones/example.com'])) as { serial: number };
    assert.equal(zone.serial, 7);
    const level = JSON.parse(await runTool('curl', ['-sS', '--unix-socket', sock, '-X', 'POST', '-H', 'content-type: application/json', '-d', '{"level":"warn"}', 'http://tyne/loglevel'])) as unknown;
    assert.deepEqual(level, { from: 'info', to: 'warn' });
    const unknown = await runTool('curl', ['-sS', '--unix-socket', sock, '-w', '\n%{http_code}', 'http://tyne/nothing']);
    const [body, code] = [unknown.slice(0, unknown.lastIndexOf('\n')), unknown.slice(unknown.lastIndexOf('\n') + 1)];
    assert.equal(code, '404');
    assert.equal((JSON.parse(body) as { error: { code: string } }).error.code, 'CONTROL_BAD_REQUEST');
  });

  it('a stale socket file is replaced at start; one a live server answers on stops a second server', { skip: !haveDig }, async () => {
    const pair = await TynePair.create('tyne-control-stale-', ['a', 'b'], 1);
    let first: TyneProcess | null = null;
    rigs.push({ pair, procs: () => [first] });
    const sock = pair.path('shared.sock');
    // A socket file left by a process that died: a listener killed with SIGKILL (it cannot remove it).
    const holder = spawn(process.execPath, ['-e', 'require("net").createServer().listen(process.argv[1], () => console.log("up"))', sock], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((res) => holder.stdout.once('data', () => res()));
    holder.kill('SIGKILL');
    await new Promise((res) => holder.once('exit', res));
    assert.ok(statSync(sock).isSocket(), 'the stale socket file is there');
    const stale = await tyneCli(['status', '-s', sock]);
    assert.equal(stale.code, 3);
    oneLine(stale, 'status', /nothing answers on \S+shared\.sock: the server is not running/);

    for (const d of ['a', 'b']) {
      pair.write(`${d}/z.zone`, zoneText('example.com', 1));
      pair.write(`${d}/tyne.yaml`, tyneYaml({
        listen: [`127.0.0.1:${d === 'a' ? pair.p1 : pair.p2}`], primaries: [{ name: 'example.com', file: 'z.zone' }], control: [`socket: ${JSON.stringify(sock)}`],
      }));
    }
    first = await startTyne(pair.path('a/tyne.yaml'));
    const st = await tyneJson<{ pid: number }>(['status', '-s', sock]);
    assert.equal(st.pid, first.child.pid, 'the new server answers on the path');
    const second = await runTyneToExit(pair.path('b/tyne.yaml'));
    assert.equal(second.code, 1, second.stderr);
    assert.match(second.stderr, /control socket \S+shared\.sock is in use by a running server; stop that one \(tyne stop -s \S+\), or give this one another control\.socket/);
    assert.equal((await tyneJson<{ pid: number }>(['status', '-s', sock])).pid, first.child.pid, 'the first server keeps its socket');
  });

  it('control: false makes no socket; a command says so (exit 3); with no server, exit 3', { skip: !haveDig }, async () => {
    const pair = await TynePair.create('tyne-control-off-', ['ns1']);
    let ns1: TyneProcess | null = null;
    rigs.push({ pair, procs: () => [ns1] });
    pair.write('ns1/z.zone', zoneText('example.com', 1));
    pair.write('ns1/tyne.yaml', tyneYaml({ listen: [`127.0.0.1:${pair.p1}`], primaries: [{ name: 'example.com', file: 'z.zone' }], control: false }));
    ns1 = await startTyne(pair.path('ns1/tyne.yaml'));
    assert.ok(!existsSync(pair.path('ns1/tyne.sock')), 'no socket at the default path');
    assert.ok(!ns1.logs.some((l) => l.msg === 'control socket ready'));
    const r = await tyneCli(['status', '-c', pair.path('ns1/tyne.yaml')]);
    assert.equal(r.code, 3);
    oneLine(r, 'status', /turns the control socket off \(control: false/);
    await ns1.stop();
    ns1 = null;
    const none = await tyneCli(['reload', '-s', pair.path('nothing.sock')]);
    assert.equal(none.code, 3);
    oneLine(none, 'reload', /no control socket at \S+nothing\.sock: the server is not running/);
    const j = await tyneJson<{ error: { code: string } }>(['status', '-s', pair.path('nothing.sock')], 3);
    assert.equal(j.error.code, 'CONTROL_UNREACHABLE');
  });

  const badUsage: [string[], string, RegExp][] = [
    [['status'], 'status', /give the server's configuration with -c CONFIG, or its control socket with -s SOCKET/],
    [['zonestatus', '-s', '/tmp/x.sock'], 'zonestatus', /missing ZONE/],
    [['status', '--bogus', '-s', '/tmp/x.sock'], 'status', /unknown option '--bogus'/],
    [['loglevel', 'loud', '-s', '/tmp/x.sock'], 'loglevel', /unknown log level 'loud' \(one of fatal, error, warn, info, debug, trace, silent\)/],
    [['status', '-c', 'a.yaml', '-s', '/tmp/x.sock'], 'status', /give -c CONFIG or -s SOCKET, not both/],
    [['reload', 'a.example', 'b.example', '-s', '/tmp/x.sock'], 'reload', /unexpected argument 'b\.example'/],
    [['status', '-c', '/nonexistent/tyne.yaml'], 'status', /cannot read \/nonexistent\/tyne\.yaml \(no such file\)/],
    [['check-config'], 'check-config', /missing FILE/],
  ];
  for (const [args, cmd, message] of badUsage) {
    it(`bad usage, exit 2: tyne ${args.join(' ')}`, async () => {
      const r = await tyneCli(args);
      assert.equal(r.code, 2, r.out + r.err);
      oneLine(r, cmd, message);
      assert.match(r.err, new RegExp(`^usage: tyne ${cmd}`, 'm'));
    });
  }

  it('--help of a command and tyne help list the commands (exit 0)', async () => {
    const h = await tyneCli(['notify', '--help']);
    assert.equal(h.code, 0, h.err);
    assert.match(h.out, /^usage: tyne notify ZONE \[--to ADDRESS\[:PORT\]\] \(-c CONFIG \| -s SOCKET\) \[--json\]$/m);
    const all = await tyneCli(['help']);
    assert.equal(all.code, 0);
    for (const c of ['status', 'zonestatus ZONE', 'secondaries [ZONE]', 'reload [ZONE]', 'refresh ZONE', 'retransfer ZONE', 'notify ZONE', 'loglevel LEVEL', 'stop', 'release ZONE-DIR|CATALOG', 'check-config']) {
      assert.ok(all.out.includes(`  ${c}`), `tyne help lists ${c}`);
    }
  });

  it('tyne --version', async () => {
    const r = await tyneCli(['--version']);
    assert.equal(r.code, 0);
    assert.equal(r.out, `tyne ${VERSION}\n`);
  });
});

describe('tyne release', { timeout: 120_000 }, () => {
  it('applies a zone directory\'s held removals (shown by tyne status)', { skip: !haveDig }, async () => {
    const names = Array.from({ length: 20 }, (_, i) => `c${i}.example`);
    const r = await startZoneDirectoryRig({ prefix: 'tyne-control-release-', zones: names.map((n) => [n, zoneText(n, 1)] as const), directory: { extra: ['serial-policy: file'] }, yaml: () => ({ server: [...QUICK_WATCH] }) });
    // 10 of 20 at once: more than max-removals (10 %, at least 5), held.
    const mark = r.tyne.mark();
    for (const n of names.slice(0, 10)) unlinkSync(join(r.folder, `${n}.zone`));
    await r.tyne.waitAfter(mark, (l) => (l.err as { code?: string } | undefined)?.code === 'ZONE_DIRECTORY_REMOVALS_HELD', 5000);
    const st = await tyneCli(['status', '-c', r.config]);
    assert.equal(st.code, 0, st.err);
    assert.match(st.out, /^holds\s+1$/m);
    assert.match(st.out, new RegExp(`^  zone-directory\\s+${r.folder.replaceAll('.', '\\.')}\\s+10\\s+more removals at once than max-removals$`, 'm'));
    assert.equal(await digSerial({ port: r.port }, 'c0.example'), 1, 'held: still served');
    const rel = await tyneCli(['release', r.folder, '-c', r.config]);
    assert.equal(rel.code, 0, rel.err);
    assert.equal(rel.out, `released the held removals of zone-directory ${r.folder}: 10 zone(s) removed\n`);
    assert.equal(await digStatus({ port: r.port }, 'c0.example', 'SOA'), 'REFUSED', 'removed once the command returns');
    assert.equal(await digSerial({ port: r.port }, 'c10.example'), 1);
    assert.deepEqual((await tyneJson<{ holds: unknown[] }>(['status', '-c', r.config])).holds, []);
  });

  it('applies a consumed catalog\'s held removals', { skip: !haveDig }, async () => {
    const CAT = 'catalog.hosting.example';
    const pair = await TynePair.create('tyne-control-catz-', ['ns1/customers', 'ns2']);
    let ns1: TyneProcess | null = null;
    let ns2: TyneProcess | null = null;
    rigs.push({ pair, procs: () => [ns1, ns2] });
    const names = Array.from({ length: 7 }, (_, i) => `m${i}.example`);
    for (const n of names) pair.write(`ns1/customers/${n}.zone`, zoneText(n, 5));
    pair.write('ns1/tyne.yaml', tyneYaml({
      listen: [`127.0.0.1:${pair.p1}`], server: [...QUICK_WATCH, 'data-dir: data'],
      catalogs: [{ name: CAT, notify: [`127.0.0.1:${pair.p2}`] }],
      // ns1's own guard lets the removals through: ns2's catalog guard is the one under test.
      zoneDirectories: [{ path: 'customers', notify: [`127.0.0.1:${pair.p2}`], extra: [`catalog: ${CAT}`, 'serial-policy: file', 'max-removals: 100'] }],
    }));
    pair.write('ns2/tyne.yaml', tyneYaml({
      listen: [`127.0.0.1:${pair.p2}`], server: ['data-dir: data'],
      secondaries: [{ name: CAT, primaries: [`127.0.0.1:${pair.p1}`], file: `${CAT}.zone`, extra: ['members:', '  file: members/%s.zone'] }],
    }));
    ns1 = await startTyne(pair.path('ns1/tyne.yaml'));
    ns2 = await startTyne(pair.path('ns2/tyne.yaml'));
    for (const n of names) await until(`ns2 serves ${n}`, async () => (await digSerial({ port: pair.p2 }, n)) === 5, { timeoutMs: 10_000, everyMs: 20 });
    // 6 of 7 removed on ns1: more than ns2's max-removals (10 %, at least 5): held on ns2.
    const mark = ns2.mark();
    for (const n of names.slice(1)) unlinkSync(pair.path(`ns1/customers/${n}.zone`));
    await ns2.waitAfter(mark, (l) => typeof l.msg === 'string' && l.msg.startsWith(`catalog ${CAT}. would remove 6 of 7 members at once`), 10_000);
    const st = await tyneJson<{ holds: { kind: string; target: string; zones: number }[] }>(['status', '-c', pair.path('ns2/tyne.yaml')]);
    assert.deepEqual(st.holds.map((h) => [h.kind, h.target, h.zones]), [['catalog', `${CAT}.`, 6]]);
    assert.equal(await digSerial({ port: pair.p2 }, 'm1.example'), 5, 'held: still served');
    const rel = await tyneJson<{ kind: string; target: string; removed: number }>(['release', CAT, '-c', pair.path('ns2/tyne.yaml')]);
    assert.deepEqual(rel, { kind: 'catalog', target: `${CAT}.`, removed: 6 });
    await until('ns2 no longer serves m1.example', async () => (await digStatus({ port: pair.p2 }, 'm1.example', 'SOA')) === 'REFUSED', { timeoutMs: 3000, everyMs: 20 });
    assert.equal(await digSerial({ port: pair.p2 }, 'm0.example'), 5);
  });
});

describe('tyne check-config', () => {
  const pairDir = async (): Promise<TynePair> => {
    const p = await TynePair.create('tyne-check-config-');
    rigs.push({ pair: p, procs: () => [] });
    return p;
  };

  it('OK for a usable file (exit 0); every problem with file:line:col (exit 1); an unreadable file (exit 1)', async () => {
    const p = await pairDir();
    p.write('z.zone', zoneText('example.com', 1));
    p.write('good.yaml', tyneYaml({ listen: ['127.0.0.1:5300'], primaries: [{ name: 'example.com', file: 'z.zone' }] }));
    const ok = await tyneCli(['check-config', p.path('good.yaml')]);
    assert.equal(ok.code, 0, ok.err);
    assert.equal(ok.out, `${p.path('good.yaml')}: OK (1 zone(s), 0 zone directories, control socket ${p.path('good.sock')})\n`);
    assert.equal((await tyneCli(['check-config', '-q', p.path('good.yaml')])).out, '');

    p.write('bad.yaml', 'listen: ["127.0.0.1:99999"]\nserver:\n  udp-payload: lots\nlog:\n  level: loud\nzones: []\n');
    const bad = await tyneCli(['check-config', p.path('bad.yaml')]);
    assert.equal(bad.code, 1);
    const lines = bad.out.trimEnd().split('\n');
    assert.equal(lines.length, 3, bad.out);
    const f = p.path('bad.yaml').replaceAll('.', '\\.');
    assert.match(lines[0]!, new RegExp(`^${f}:1:\\d+: listen\\[0\\]: `));
    assert.match(lines[1]!, new RegExp(`^${f}:3:16: server\\.udp-payload: `));
    assert.match(lines[2]!, new RegExp(`^${f}:5:10: log\\.level: `));
    assert.equal(bad.err, `${p.path('bad.yaml')}: 3 problem(s); not usable\n`);
    const j = await tyneJson<{ ok: boolean; problems: string[] }>(['check-config', p.path('bad.yaml')], 1);
    assert.deepEqual([j.ok, j.problems], [false, lines]);

    // What serve refuses beyond the schema: transfers with several workers.
    p.write('workers.yaml', tyneYaml({ listen: ['127.0.0.1:5300'], server: ['workers: 2'], primaries: [{ name: 'example.com', file: 'z.zone', notify: ['127.0.0.1:5301'] }] }));
    const w = await tyneCli(['check-config', p.path('workers.yaml')]);
    assert.equal(w.code, 1);
    assert.match(w.out, /zone example\.com \(line \d+\) uses transfers or NOTIFY, which need server\.workers: 1/);

    const missing = await tyneCli(['check-config', p.path('none.yaml')]);
    assert.equal(missing.code, 1);
    assert.equal(missing.out, `${p.path('none.yaml')}: cannot read configuration (no such file)\n`);
  });
});
