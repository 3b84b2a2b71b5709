/**
 * A secondary with a large saved copy (issue 12 item 7, "Temp files" and
 * "No answers while the copy loads"): real `tyne serve` processes on
 * 127.0.0.1, real files, real time. ns1 serves a 300,005-record zone; ns2
 * is its secondary and the primary of a small zone.
 *  1. ns2 is killed (SIGKILL) while it writes its copy: the temporary file
 *     stays behind; at the next start it is removed (and logged), other
 *     files that merely look alike are left alone, and the copy is saved.
 *  2. ns2 restarts with ns1 down: the small zone answers at once (p99
 *     under 200 ms, 500 ms on a machine whose cores are all busy) while the big copy is still loading, and the big copy
 *     is served once loaded. (It used to bind its sockets only after the
 *     copy was parsed on the main thread: nothing answered meanwhile.)
 */
import assert from 'node:assert/strict';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import { writeBenchZone } from '../bench/zone-generator.js';
import { digSerial, digShort } from '../support/dig.js';
import { atomicTempFiles, copySerial, stateSerial } from '../support/saved-copy.js';
import { haveTool } from '../support/tools.js';
import { zoneText } from '../support/tyne-config.js';
import { startTyne, tyneLogTail, type TyneProcess } from '../support/tyne-process.js';
import { TynePair } from '../support/tyne-pair.js';
import { UdpProber, probeText } from '../support/udp-prober.js';
import { sleep, until } from '../support/wait.js';

const BIG = 'bench.example';
const SMALL = 'small.example';
const HOSTS = 225_000;
const RECORDS = 300_005;

type Log = Record<string, unknown>;

/** A log line's own time (pino's epoch ms) on this process's performance.now() clock. */
const loggedAt = (l: Log): number => Number(l.time) - performance.timeOrigin;

describe('a secondary with a 300k-record saved copy', { skip: !haveTool('dig'), timeout: 120_000 }, () => {
  let rig: TynePair;
  let ns1: TyneProcess | null = null;
  let ns2: TyneProcess | null = null;
  const copy = (): string => rig.path(`ns2/${BIG}.zone`);

  before(async () => {
    rig = await TynePair.create('tyne-big-copy-', ['ns2']);
    assert.equal(writeBenchZone(rig.path(`${BIG}.zone`), HOSTS), RECORDS);
    rig.write(`${SMALL}.zone`, zoneText(SMALL, 7));
    rig.write(
      'ns1.yaml',
      `listen: ["127.0.0.1:${rig.p1}"]\nlog: { level: info }\nzones:\n  - name: ${BIG}\n    file: ${BIG}.zone\n    notify: ["127.0.0.1:${rig.p2}"]\n    allow-transfer: ["127.0.0.1/32"]\n`,
    );
    rig.write(
      'ns2.yaml',
      `listen: ["127.0.0.1:${rig.p2}"]\nlog: { level: info }\nzones:\n  - name: ${SMALL}\n    file: ${SMALL}.zone\n` +
        `  - name: ${BIG}\n    type: secondary\n    primaries: ["127.0.0.1:${rig.p1}"]\n    file: ns2/${BIG}.zone\n`,
    );
    ns1 = await startTyne(rig.path('ns1.yaml'), { timeoutMs: 60_000 });
  });

  after(() => rig?.close(ns1, ns2));

  it('a kill -9 mid-save leaves a temporary file, removed (and logged) at the next start; look-alikes stay', async () => {
    ns2 = await startTyne(rig.path('ns2.yaml'));
    // Watch the folder from the transfer on: kill the moment the copy's temporary file appears.
    await ns2.waitForLog((l: Log) => typeof l.msg === 'string' && l.msg.startsWith(`transfer of ${BIG}. from `), 30_000);
    let temps: string[] = [];
    const bigTemp = (): boolean => {
      temps = atomicTempFiles(rig.path('ns2'));
      return temps.some((n) => {
        try {
          return statSync(rig.path(`ns2/${n}`)).size > 1024 * 1024;
        } catch {
          return false;
        }
      });
    };
    await until('the copy is being written (a temporary file over 1 MiB)', bigTemp, { timeoutMs: 20_000, everyMs: 1 });
    ns2.child.kill('SIGKILL');
    await ns2.stop();
    ns2 = null;
    assert.equal(temps.length, 1);
    const left = rig.path(`ns2/${temps[0]!}`);
    assert.ok(existsSync(left), 'kill -9 leaves the temporary file behind');
    assert.ok(statSync(left).size > 1024 * 1024);
    // Look-alikes that are not writeFileAtomic's: kept.
    const keep = [`.${BIG}.zone.tmp-notapid-00000000`, `${BIG}.zone.tmp`, `.${BIG}.zone.tmp-1-zzzzzzzz`].map((n) => rig.path(`ns2/${n}`));
    for (const k of keep) writeFileSync(k, 'not ours\n');

    ns2 = await startTyne(rig.path('ns2.yaml'));
    const removed = await ns2.waitForLog((l: Log) => l.msg === 'stale temporary file removed (left by a process stopped while it saved)' && l.file === left, 5000);
    assert.ok(Number(removed.bytes) > 0);
    assert.ok(!existsSync(left), 'removed');
    for (const k of keep) assert.ok(existsSync(k), `${k} is left alone`);
    await until('ns2 saved its copy', () => copySerial(copy()) !== null && stateSerial(copy()) === copySerial(copy()), { timeoutMs: 40_000, everyMs: 50, detail: () => tyneLogTail(ns2) });
    assert.deepEqual(atomicTempFiles(rig.path('ns2')), [], 'no temporary file is left once saved');
  });

  it('restarted with the primary down, answers the small zone at once while the big copy loads', async (t) => {
    // (Independent of the test before: a saved copy to start from.)
    ns2 ??= await startTyne(rig.path('ns2.yaml'));
    await until('ns2 saved its copy', () => copySerial(copy()) !== null && stateSerial(copy()) === copySerial(copy()), { timeoutMs: 40_000, everyMs: 50, detail: () => tyneLogTail(ns2) });
    assert.equal(await ns1!.stop(), 0);
    ns1 = null;
    assert.equal(await ns2!.stop(), 0);
    ns2 = null;
    const prober = await UdpProber.open({ port: rig.p2, name: `h1.${SMALL}`, everyMs: 2 });
    let loaded: Log;
    try {
      prober.start();
      const spawned = performance.now();
      ns2 = await startTyne(rig.path('ns2.yaml'), { timeoutMs: 60_000 });
      loaded = await ns2.waitForLog((l: Log) => l.msg === 'serving saved copy' && l.zone === `${BIG}.`, 60_000);
      await sleep(100);
      await prober.stop();
      // The same prober once loaded: tells a busy machine from a blocked server.
      const samples = [...prober.samples];
      prober.reset();
      prober.start();
      await sleep(1500);
      await prober.stop();
      const baseline = prober.stats();
      prober.reset();
      const firstAnswered = samples.find((s) => s.latencyMs !== null);
      assert.ok(firstAnswered !== undefined, 'the small zone is answered');
      const doneAt = loggedAt(loaded);
      const inWindow = samples.filter((s) => s.sentAt >= firstAnswered.sentAt && s.sentAt < doneAt);
      const lat = inWindow.filter((s) => s.latencyMs !== null).map((s) => s.latencyMs!).sort((a, b) => a - b);
      const during = { sent: inWindow.length, answered: lat.length, p99: lat[Math.max(0, Math.ceil(lat.length * 0.99) - 1)] ?? 0, max: lat[lat.length - 1] ?? 0 };
      const line =
        `first answer ${(firstAnswered.sentAt - spawned).toFixed(0)} ms after spawn, big copy loaded ${(doneAt - spawned).toFixed(0)} ms after spawn; ` +
        `small zone while it loaded: ${during.sent} queries, ${during.sent - during.answered} lost, p99 ${during.p99.toFixed(1)} ms, max ${during.max.toFixed(1)} ms; ` +
        `once loaded (control, same prober): ${probeText(baseline)}`;
      t.diagnostic(line);
      assert.ok(firstAnswered.sentAt < doneAt - 200, `the small zone answers while the big copy loads: ${line}`);
      // 200 ms on a machine with a core to spare; 500 ms when other work keeps every core busy
      // (measured at load average 16-18 on 2 cores: p99 225-240 ms, spread over the whole load, no single stall).
      const busy = loadavg()[0]! > cpus().length;
      const limit = busy ? 500 : 200;
      assert.ok(during.p99 < limit, `p99 under ${limit} ms while the copy loads (load average ${loadavg()[0]!.toFixed(1)}): ${line}`);
      assert.ok(during.answered >= 0.95 * during.sent, `at most 5 % lost: ${line}`);
    } finally {
      prober.close();
    }
    assert.equal(await digSerial({ port: rig.p2 }, BIG), 2026112601);
    assert.deepEqual(await digShort({ port: rig.p2 }, `host${HOSTS - 1}.${BIG}`, 'A'), ['10.3.110.231'], 'the big copy is served once loaded');
  });
});
