/**
 * The shipped units under a live systemd manager: zones/systemd/
 * tyne-ns1.service and tyne-ns2.service, unchanged, each started by a
 * systemd of its own (test/support/systemd-manager.ts: systemd as PID 1
 * of new namespaces, in the network namespace of its host of
 * test/support/netns.ts), as the install steps of zones/systemd/README.md
 * lay them out: Tyne as `npm install -g` puts it (this checkout bound at
 * /usr/local/lib/node_modules/tyne, /usr/local/bin/tyne a symlink to its
 * bin/tyne), the user from the shipped tyne.sysusers.conf by
 * systemd-sysusers, /etc/tyne/nsN.yaml as shipped with only the addresses
 * and the key's placeholder rewritten (root:tyne 0640), ns1's zone files
 * in /etc/tyne/zones. So Node runs under every sandboxing option of the
 * units (ProtectSystem=strict, ProtectProc=invisible, PrivateTmp,
 * SystemCallFilter=@system-service ~@privileged, RestrictAddressFamilies,
 * ...), as User=tyne with CAP_NET_BIND_SERVICE on port 53.
 * Checks: `systemctl start` returns with the unit active, Type=notify's
 * status text set and the zones answered at once (READY=1 after the
 * zones loaded); the main process's user, capabilities, seccomp filter
 * and read-only file system; ns2 learning the zones from ns1's catalog;
 * `systemctl reload` (ExecReload=, tyne reload) serving an edit, and
 * failing on a broken zone file while the old copy is served;
 * `systemctl stop` ending both cleanly (inactive, Result=success, the
 * runtime folder removed).
 * Needs root, systemd (the manager binary), util-linux, ip and dig:
 * skipped loudly without them, a failure under CI.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import { digRaw, digShort, type DigTarget } from '../support/dig.js';
import { NetLab } from '../support/netns.js';
import { inCI, repoRoot } from '../support/paths.js';
import { loudSkip } from '../support/skip.js';
import { EXAMPLES_DIR, installZones, shippedConfig } from '../support/systemd-examples.js';
import { SystemdManager } from '../support/systemd-manager.js';
import { haveTool } from '../support/tools.js';
import { until } from '../support/wait.js';

const ZONE = 'hosting.example';
const HOSTS = ['ns1', 'ns2'] as const;
type Host = (typeof HOSTS)[number];
/** CAP_NET_BIND_SERVICE is capability 10. */
const NET_BIND_ONLY = (1n << 10n).toString(16).padStart(16, '0');

function unavailable(): string | null {
  for (const tool of ['ip', 'dig']) if (!haveTool(tool)) return `${tool} is missing`;
  return SystemdManager.unavailable() ?? NetLab.unavailable();
}

/** dig's status and whether the answer is authoritative. */
async function digAa(t: DigTarget, name: string, type: string): Promise<{ status: string; aa: boolean; out: string }> {
  const r = await digRaw(t, ['+norec', '+time=2', '+tries=1', name, type], 8000);
  const status = /status: ([A-Z]+)/.exec(r.out)?.[1] ?? 'TIMEOUT';
  const flags = /;; flags: ([a-z ]+);/.exec(r.out)?.[1]?.split(' ') ?? [];
  return { status, aa: flags.includes('aa'), out: r.out };
}

const serialOf = async (t: DigTarget): Promise<number> => Number((await digShort(t, ZONE, 'SOA'))[0]?.split(/\s+/)[2]);

describe('the shipped units under a live systemd manager (one per host), port 53, as user tyne', { timeout: 60_000 }, () => {
  const why = unavailable();
  let lab: NetLab | null = null;
  let dir = '';
  const managers: Partial<Record<Host, SystemdManager>> = {};
  /** /etc/tyne of each host, as the test sees it (bound into the manager's view). */
  const etcTyne = (h: Host): string => join(dir, h, 'etc-tyne');
  const unit = (h: Host): string => `tyne-${h}.service`;
  const at = (h: Host): DigTarget => ({ host: lab!.host(h).address, port: 53 });
  const m = (h: Host): SystemdManager => managers[h]!;
  let serial = 0;

  before(async () => {
    if (why !== null) return;
    lab = NetLab.create([...HOSTS]);
    dir = mkdtempSync(join(tmpdir(), 'tyne-sdlive-'));
    chmodSync(dir, 0o755);
    const addresses = { ns1: lab.host('ns1').address, ns2: lab.host('ns2').address, secret: randomBytes(32).toString('base64') };
    await Promise.all(HOSTS.map(async (h) => {
      const etc = etcTyne(h);
      mkdirSync(etc, { recursive: true, mode: 0o755 });
      chmodSync(etc, 0o755);
      writeFileSync(join(etc, `${h}.yaml`), shippedConfig(h, addresses));
      if (h === 'ns1') installZones(join(etc, 'zones'));
      const mgr = await SystemdManager.boot({
        netns: lab!.host(h).ns,
        units: { [unit(h)]: readFileSync(join(EXAMPLES_DIR, unit(h)), 'utf8') },
        etc: { 'sysusers.d/tyne.conf': readFileSync(join(EXAMPLES_DIR, 'tyne.sysusers.conf'), 'utf8') },
        binds: [{ path: '/usr/local/lib/node_modules/tyne', from: repoRoot }, { path: '/etc/tyne', from: etc }],
        // As `npm install -g` links it; and this node first on the units' PATH.
        links: { 'bin/tyne': '../lib/node_modules/tyne/bin/tyne', 'bin/node': process.execPath },
      });
      managers[h] = mgr;
      const users = await mgr.run(['systemd-sysusers', '/etc/sysusers.d/tyne.conf']);
      assert.equal(users.code, 0, `systemd-sysusers: ${users.out}${users.err}`);
      const gid = Number((await mgr.run(['id', '-g', 'tyne'])).out);
      assert.ok(gid > 0, 'the group tyne made');
      // install -m 0640 -o root -g tyne (it holds the secret).
      chownSync(join(etc, `${h}.yaml`), 0, gid);
      chmodSync(join(etc, `${h}.yaml`), 0o640);
    }));
  });

  after(async () => {
    await Promise.allSettled(Object.values(managers).map((mgr) => mgr.close()));
    lab?.close();
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  const skipped = (t: { skip: (m: string) => void }): boolean => {
    if (why === null) return false;
    if (inCI) throw new Error(`the live systemd test cannot run in CI: ${why}`);
    loudSkip(`${why}; the units were not run under a live systemd manager`);
    t.skip(why);
    return true;
  };

  it('systemctl start tyne-ns1.service returns once READY=1 came (Type=notify): active, the status text set, the zones answered at once', async (t) => {
    if (skipped(t)) return;
    const t0 = performance.now();
    await m('ns1').systemctl('start', unit('ns1'));
    t.diagnostic(`systemctl start ${unit('ns1')}: ${(performance.now() - t0).toFixed(0)} ms`);
    // No wait: the start returned, so the zones are loaded.
    const a = await digAa(at('ns1'), ZONE, 'SOA');
    assert.equal(a.status, 'NOERROR', a.out);
    assert.ok(a.aa, a.out);
    const p = await m('ns1').show(unit('ns1'), 'ActiveState', 'SubState', 'Type', 'NotifyAccess', 'StatusText');
    assert.deepEqual({ ...p, StatusText: undefined }, { ActiveState: 'active', SubState: 'running', Type: 'notify', NotifyAccess: 'all', StatusText: undefined });
    assert.match(p.StatusText ?? '', /^serving \d+ zone\(s\) on /, 'STATUS= from Tyne\'s notification');
    assert.equal((await m('ns1').systemctl('is-active', unit('ns1'))).trim(), 'active');
    // The journal: Tyne's "serving" line (every zone loaded) before systemd's "Started".
    const log = await m('ns1').journal(unit('ns1'), 200);
    const serving = log.indexOf('"msg":"serving"');
    assert.ok(serving >= 0 && serving < log.indexOf('Started tyne-ns1.service'), log);
    serial = await serialOf(at('ns1'));
  });

  it('the main process: user tyne, CAP_NET_BIND_SERVICE alone, no new privileges, a seccomp filter, a read-only system and private /tmp and /proc', async (t) => {
    if (skipped(t)) return;
    const mgr = m('ns1');
    const pid = Number((await mgr.show(unit('ns1'), 'MainPID')).MainPID);
    assert.ok(pid > 1, `MainPID ${pid}`);
    const uid = (await mgr.run(['id', '-u', 'tyne'])).out.trim();
    const status = Object.fromEntries((await mgr.run(['cat', `/proc/${pid}/status`])).out.split('\n').map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]));
    assert.equal(status.Uid, `${uid}\t${uid}\t${uid}\t${uid}`);
    for (const k of ['CapEff', 'CapPrm', 'CapAmb', 'CapBnd']) assert.equal(status[k], NET_BIND_ONLY, k);
    assert.equal(status.NoNewPrivs, '1');
    assert.equal(status.Seccomp, '2', 'SystemCallFilter= in force');
    // The main PID is Tyne itself (Node 24 names its main thread MainThread, so read the command line, not Name).
    const cmdline = (await mgr.run(['cat', `/proc/${pid}/cmdline`])).out.split('\0');
    assert.ok(cmdline.includes('serve') && cmdline.some((a) => a.endsWith('/tyne')), cmdline.join(' '));
    // Its mounts, as it sees them: "id parent maj:min root mountpoint options ...".
    const mounts = new Map((await mgr.run(['cat', `/proc/${pid}/mountinfo`])).out.trim().split('\n').map((l) => {
      const f = l.split(' ');
      return [f[4]!, `${f[5]} ${l.split(' - ')[1]}`] as const;
    }));
    for (const p of ['/', '/etc', '/usr/local']) assert.match(mounts.get(p) ?? '', /^ro\b/, `${p} read-only (ProtectSystem=strict): ${mounts.get(p)}`);
    assert.match(mounts.get('/var/lib/tyne/ns1') ?? '', /^rw\b/, 'the data folder writable (ReadWritePaths=)');
    assert.match(mounts.get('/proc') ?? '', /hidepid=invisible/, 'ProtectProc=invisible');
    assert.ok(mounts.has('/tmp') && mounts.has('/var/tmp'), 'PrivateTmp= mounts');
  });

  it('tyne-ns2.service under the second host\'s manager: active, and it learns the zones from ns1\'s catalog (TSIG-signed transfers)', async (t) => {
    if (skipped(t)) return;
    const t0 = performance.now();
    await m('ns2').systemctl('start', unit('ns2'));
    t.diagnostic(`systemctl start ${unit('ns2')}: ${(performance.now() - t0).toFixed(0)} ms`);
    assert.equal((await m('ns2').show(unit('ns2'), 'ActiveState')).ActiveState, 'active');
    await until('ns2 serves hosting.example', async () => (await digAa(at('ns2'), ZONE, 'SOA')).aa, { timeoutMs: 20_000, everyMs: 200, detail: () => '' });
    await until('ns2 serves ns1\'s serial', async () => (await serialOf(at('ns2'))) === serial, { timeoutMs: 10_000, everyMs: 200 });
    await until('ns2 serves shop.example', async () => (await digAa(at('ns2'), 'shop.example', 'MX')).aa, { timeoutMs: 10_000, everyMs: 200 });
    // The shipped configurations' metrics endpoint, on each host's loopback: ready, and ns1 sees ns2 in sync.
    for (const h of ['ns1', 'ns2'] as const) {
      const ready = await m(h).run(['curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', 'http://127.0.0.1:9153/ready'], 5000);
      assert.equal(ready.out.trim(), '200', `${h} /ready: ${ready.out}`);
    }
    await until('ns1\'s /metrics: ns2 in sync with hosting.example', async () => {
      const r = await m('ns1').run(['curl', '-s', 'http://127.0.0.1:9153/metrics'], 5000);
      return /^tyne_secondary_in_sync\{zone="hosting\.example\.",secondary="[^"]+"\} 1$/m.test(r.out);
    }, { timeoutMs: 15_000, everyMs: 250 });
  });

  it('systemctl reload tyne-ns1 after an edit: ns1 serves the new serial when it returns, ns2 within 5 s', async (t) => {
    if (skipped(t)) return;
    const file = join(etcTyne('ns1'), 'zones', `${ZONE}.zone`);
    const text = readFileSync(file, 'utf8');
    assert.ok(text.includes(String(serial)), `the zone file holds ${serial}`);
    writeFileSync(file, `${text.replace(String(serial), String(serial + 1))}\nsdlive IN TXT "reloaded by systemctl"\n`);
    const t0 = performance.now();
    await m('ns1').systemctl('reload', unit('ns1'));
    t.diagnostic(`systemctl reload: ${(performance.now() - t0).toFixed(0)} ms`);
    serial += 1;
    assert.equal(await serialOf(at('ns1')), serial);
    assert.deepEqual(await digShort(at('ns1'), `sdlive.${ZONE}`, 'TXT'), ['"reloaded by systemctl"']);
    await until('ns2 serves the edit', async () => (await serialOf(at('ns2'))) === serial, { timeoutMs: 5000, everyMs: 50, t0 });
  });

  it('systemctl reload with a broken zone file fails (ExecReload= exits 1); the unit stays active, the last good copy served', async (t) => {
    if (skipped(t)) return;
    const file = join(etcTyne('ns1'), 'zones', `${ZONE}.zone`);
    const good = readFileSync(file, 'utf8');
    writeFileSync(file, `${good.replace(String(serial), String(serial + 1))}\nbroken IN A 192.0.2.999\n`);
    try {
      const r = await m('ns1').run(['systemctl', 'reload', unit('ns1')]);
      assert.notEqual(r.code, 0, `systemctl reload should fail: ${r.out}${r.err}`);
      assert.equal((await m('ns1').show(unit('ns1'), 'ActiveState')).ActiveState, 'active');
      assert.equal(await serialOf(at('ns1')), serial);
    } finally {
      writeFileSync(file, good);
    }
  });

  it('systemctl stop: both inactive with Result=success, exit status 0, the runtime folder removed, port 53 closed', async (t) => {
    if (skipped(t)) return;
    for (const h of ['ns2', 'ns1'] as const) {
      const t0 = performance.now();
      await m(h).systemctl('stop', unit(h));
      t.diagnostic(`systemctl stop ${unit(h)}: ${(performance.now() - t0).toFixed(0)} ms`);
      const p = await m(h).show(unit(h), 'ActiveState', 'Result', 'ExecMainStatus');
      assert.deepEqual(p, { ActiveState: 'inactive', Result: 'success', ExecMainStatus: '0' }, await m(h).journal(unit(h)));
      assert.equal((await m(h).run(['test', '-e', `/run/tyne/${h}`])).code, 1, `/run/tyne/${h} removed (RuntimeDirectory=)`);
      assert.match(await m(h).journal(unit(h)), /Deactivated successfully/);
      assert.equal((await digAa(at(h), ZONE, 'SOA')).status, 'TIMEOUT', `${h} no longer answers`);
    }
  });
});
