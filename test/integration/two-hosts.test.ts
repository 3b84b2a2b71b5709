/**
 * The real layout of issue 15 §4 on one machine: ns1 and ns2 each in a
 * network namespace of its own (test/support/netns.ts: one LAN, private
 * addresses 10.53.N.0/24 used only inside the test's namespaces), each on
 * port 53, each as user nobody with only CAP_NET_BIND_SERVICE (setpriv:
 * what the units' User=, AmbientCapabilities= and CapabilityBoundingSet=
 * give), each from the shipped zones/systemd/ns1.yaml and ns2.yaml
 * (test/support/systemd-examples.ts: paths, addresses and the key's
 * placeholder rewritten), so transfers are TSIG-signed and ns2 learns the
 * zones from ns1's catalog. Checks: dig from the host namespace into both;
 * the processes' users and capabilities; an edit on ns1 reaching ns2
 * (through `tyne reload`, the units' ExecReload=, as the daemon's user);
 * `tyne secondaries` on ns1 showing ns2 in sync; ns2 answering while ns1
 * is down. Needs root (ip netns), ip, setpriv and dig: skipped loudly
 * without them, a failure under CI.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { SecondariesReport } from '../../src/control/index.js';
import { digRaw, digShort, digStatus, type DigTarget } from '../support/dig.js';
import { NetLab } from '../support/netns.js';
import { inCI, repoRoot } from '../support/paths.js';
import { loudSkip } from '../support/skip.js';
import { installExamples, type ExampleLayout } from '../support/systemd-examples.js';
import { haveTool } from '../support/tools.js';
import { tyneCli, tyneJson } from '../support/tyne-cli.js';
import { startTyne, tyneLogTail, type TyneProcess } from '../support/tyne-process.js';
import { until } from '../support/wait.js';

const NOBODY = { uid: 65534, gid: 65534 };
const ZONE = 'hosting.example';
/** What the unit gives the daemon: its user, no other group, CAP_NET_BIND_SERVICE alone (also as the bounding set), NoNewPrivileges=. */
const AS_THE_UNIT = [
  'setpriv', `--reuid=${NOBODY.uid}`, `--regid=${NOBODY.gid}`, '--clear-groups',
  '--inh-caps=-all,+net_bind_service', '--ambient-caps=-all,+net_bind_service', '--bounding-set=-all,+net_bind_service', '--no-new-privs',
];
/** CAP_NET_BIND_SERVICE is capability 10. */
const NET_BIND_ONLY = (1n << 10n).toString(16).padStart(16, '0');

/** Why this cannot run here, or null. */
function unavailable(): string | null {
  for (const tool of ['ip', 'setpriv', 'dig']) if (!haveTool(tool)) return `${tool} is missing`;
  const lab = NetLab.unavailable();
  if (lab !== null) return lab;
  // The daemon runs as nobody from this checkout, with this node (as listen-errors' port 53 test).
  const probe = spawnSync(process.execPath, ['-e', `require('fs').accessSync(${JSON.stringify(resolve(repoRoot, 'dist', 'src', 'cli', 'main.js'))})`], { ...NOBODY, timeout: 10_000 });
  return probe.status === 0 ? null : `user ${NOBODY.uid} cannot run ${process.execPath} on the checkout at ${repoRoot}`;
}

/** dig's status and whether the answer is authoritative. */
async function digAa(t: DigTarget, name: string, type: string): Promise<{ status: string; aa: boolean; out: string }> {
  const r = await digRaw(t, ['+norec', '+time=2', '+tries=1', name, type], 8000);
  const status = /status: ([A-Z]+)/.exec(r.out)?.[1] ?? 'TIMEOUT';
  const flags = /;; flags: ([a-z ]+);/.exec(r.out)?.[1]?.split(' ') ?? [];
  return { status, aa: flags.includes('aa'), out: r.out };
}

/** Fields of /proc/PID/status. */
function procStatus(pid: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(`/proc/${pid}/status`, 'utf8').split('\n')) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1).trim();
  }
  return out;
}

describe('ns1 and ns2 on two hosts (network namespaces), port 53, as nobody with CAP_NET_BIND_SERVICE only', { timeout: 90_000 }, () => {
  const why = unavailable();
  let lab: NetLab | null = null;
  let dir = '';
  let layout: ExampleLayout;
  let ns1: TyneProcess | null = null;
  let ns2: TyneProcess | null = null;
  let serial = 0;

  before(async () => {
    if (why !== null) return;
    lab = NetLab.create(['ns1', 'ns2']);
    dir = mkdtempSync(join(tmpdir(), 'tyne-2hosts-'));
    chmodSync(dir, 0o755);
    layout = installExamples(dir, { ns1: lab.host('ns1').address, ns2: lab.host('ns2').address, secret: randomBytes(32).toString('base64'), owner: NOBODY });
    ns1 = await startTyne(layout.ns1.config, { wrap: [...lab.exec('ns1'), ...AS_THE_UNIT], timeoutMs: 30_000 });
    ns2 = await startTyne(layout.ns2.config, { wrap: [...lab.exec('ns2'), ...AS_THE_UNIT], timeoutMs: 30_000 });
  });

  after(async () => {
    await Promise.allSettled([ns1?.stop(), ns2?.stop()]);
    lab?.close();
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  const at = (name: 'ns1' | 'ns2'): DigTarget => ({ host: lab!.host(name).address, port: 53 });
  const skipped = (t: { skip: (m: string) => void }): boolean => {
    if (why === null) return false;
    if (inCI) throw new Error(`the two-host test cannot run in CI: ${why}`);
    loudSkip(`${why}; the two-host test (network namespaces) did not run`);
    t.skip(why);
    return true;
  };

  it('each runs as nobody (65534) with CAP_NET_BIND_SERVICE alone, in its own network namespace', (t) => {
    if (skipped(t)) return;
    for (const p of [ns1!, ns2!]) {
      const s = procStatus(p.child.pid!);
      assert.equal(s.Uid, '65534\t65534\t65534\t65534');
      assert.equal(s.Gid, '65534\t65534\t65534\t65534');
      assert.equal(s.Groups, '');
      for (const k of ['CapEff', 'CapPrm', 'CapAmb', 'CapBnd']) assert.equal(s[k], NET_BIND_ONLY, `${k} of pid ${p.child.pid}`);
      assert.equal(s.NoNewPrivs, '1');
    }
    const netns = (pid: number): string => readFileSync(`/proc/${pid}/net/dev`, 'utf8');
    assert.notEqual(netns(ns1!.child.pid!), netns(process.pid), 'ns1 is not in the test\'s network namespace');
    assert.match(netns(ns1!.child.pid!), /lan0:/);
  });

  it('dig from the host namespace: both answer the zone on port 53 with AA (ns2 from its copy, learnt from the catalog)', async (t) => {
    if (skipped(t)) return;
    const a1 = await digAa(at('ns1'), ZONE, 'SOA');
    assert.equal(a1.status, 'NOERROR', a1.out);
    assert.ok(a1.aa, a1.out);
    // ns2 knows the zone only from ns1's catalog; its copy comes by TSIG-signed transfer.
    await until('ns2 serves hosting.example', async () => (await digAa(at('ns2'), ZONE, 'SOA')).aa, { timeoutMs: 20_000, everyMs: 200, detail: () => tyneLogTail(ns2) });
    const [soa1] = await digShort(at('ns1'), ZONE, 'SOA');
    serial = Number(soa1!.split(/\s+/)[2]);
    await until('ns2 serves ns1\'s serial', async () => (await digShort(at('ns2'), ZONE, 'SOA'))[0] === soa1, { timeoutMs: 10_000, everyMs: 200 });
    // A customer zone (from the customers/ zone directory) too.
    await until('ns2 serves shop.example', async () => (await digAa(at('ns2'), 'shop.example', 'MX')).aa, { timeoutMs: 10_000, everyMs: 200, detail: () => tyneLogTail(ns2) });
    const signed = ns1!.logs.find((l) => l.msg === 'transfer out' && l.zone === `${ZONE}.`);
    assert.equal(signed?.key, 'transfer', `the transfer out was signed with the key: ${JSON.stringify(signed)}`);
  });

  it('an edit on ns1 (tyne reload as the daemon\'s user, the units\' ExecReload=) reaches ns2 within 5 s', async (t) => {
    if (skipped(t)) return;
    const file = join(layout.ns1.zones, `${ZONE}.zone`);
    const text = readFileSync(file, 'utf8');
    const next = serial + 1;
    assert.ok(text.includes(String(serial)), `the zone file holds ${serial}`);
    writeFileSync(file, `${text.replace(String(serial), String(next))}\ntwohosts IN TXT "edited on ns1"\n`);
    const r = await tyneCli(['reload', '--config', layout.ns1.config], NOBODY);
    assert.equal(r.code, 0, `tyne reload: ${r.out}${r.err}`);
    const t0 = performance.now();
    await until('ns1 serves the edit', async () => (await digShort(at('ns1'), `twohosts.${ZONE}`, 'TXT'))[0] === '"edited on ns1"', { timeoutMs: 5000, everyMs: 50 });
    const ms = await until('ns2 serves the edit', async () => (await digShort(at('ns2'), `twohosts.${ZONE}`, 'TXT'))[0] === '"edited on ns1"', {
      timeoutMs: 5000, everyMs: 50, t0, detail: () => tyneLogTail(ns2),
    });
    t.diagnostic(`edit served by ns2 ${ms.toFixed(0)} ms after ns1's reload`);
    serial = next;
  });

  it('tyne secondaries on ns1: ns2 in sync at the new serial', async (t) => {
    if (skipped(t)) return;
    const ns2Addr = lab!.host('ns2').address;
    let last: SecondariesReport | null = null;
    await until('ns1 sees ns2 in sync', async () => {
      last = await tyneJson<SecondariesReport>(['secondaries', ZONE, '-s', layout.ns1.socket]);
      const row = last.secondaries.find((s) => s.secondary.startsWith(`${ns2Addr}:`) || s.secondary === ns2Addr);
      return row?.state === 'in-sync' && row.serial === serial;
    }, { timeoutMs: 10_000, everyMs: 250, detail: () => JSON.stringify(last) });
    const text = await tyneCli(['secondaries', ZONE, '-c', layout.ns1.config], NOBODY);
    assert.equal(text.code, 0, text.err);
    assert.match(text.out, new RegExp(`${ns2Addr.replace(/\./g, '\\.')}\\S*\\s+in sync\\s+${serial}`));
  });

  it('ns1 down (its namespace off the LAN): ns1 does not answer, ns2 still does, with the edit', async (t) => {
    if (skipped(t)) return;
    lab!.down('ns1');
    assert.equal(await digStatus(at('ns1'), ZONE, 'SOA'), 'TIMEOUT');
    const a2 = await digAa(at('ns2'), ZONE, 'SOA');
    assert.equal(a2.status, 'NOERROR', a2.out);
    assert.ok(a2.aa, a2.out);
    assert.deepEqual(await digShort(at('ns2'), `twohosts.${ZONE}`, 'TXT'), ['"edited on ns1"']);
    assert.equal(Number((await digShort(at('ns2'), ZONE, 'SOA'))[0]!.split(/\s+/)[2]), serial);
  });
});
