/**
 * A secondary keeps answering while it takes in an IXFR of a large zone:
 * two real `tyne serve` processes on 127.0.0.1 (ns1, the primary that
 * watches a 200,005-record zone file and NOTIFYs ns2; ns2 its secondary),
 * real files in a temporary folder, real time. One record is changed in
 * ns1's file; ns2 fetches the change by IXFR, builds the new version of the
 * zone and saves its copy, while a UDP prober asks ns2 for a name every
 * millisecond. From the NOTIFY reaching ns2 until its copy is saved, no
 * two answers may be 50 ms or more apart and none may be lost (the whole
 * zone rebuilt in one go took about 300 ms with the loop blocked). On a
 * loaded machine an attempt can be spoiled by others: up to 3 attempts,
 * each printed with the same prober's figures without a transfer.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import { writeBenchZone } from '../bench/zone-generator.js';
import { digShort } from '../support/dig.js';
import { haveTool } from '../support/tools.js';
import { startTyne, type TyneProcess } from '../support/tyne-process.js';
import { TynePair } from '../support/tyne-pair.js';
import { UdpProber, probeText } from '../support/udp-prober.js';
import { sleep, until } from '../support/wait.js';

const ZONE = 'bench.example';
const HOSTS = 150_000;
const RECORDS = 200_005;
const LINE = '\nhost0 IN A 10.0.0.0\n';
const MAX_GAP_MS = 50;
const ATTEMPTS = 3;

type Log = Record<string, unknown>;

const transferIn = (l: Log): boolean => typeof l.msg === 'string' && l.msg.startsWith(`transfer of ${ZONE}. from `);

/** A log line's own time (pino's epoch ms) on this process's performance.now() clock. */
const loggedAt = (l: Log): number => Number(l.time) - performance.timeOrigin;

/** The serial in ns2's state file (written after its zone file), or null. */
function savedSerial(file: string): number | null {
  try {
    const s = (JSON.parse(readFileSync(`${file}.state.json`, 'utf8')) as { serial?: unknown }).serial;
    return typeof s === 'number' ? s : null;
  } catch {
    return null;
  }
}

describe('a secondary applying an IXFR of a 200k-record zone', { skip: !haveTool('dig'), timeout: 60_000 }, () => {
  let rig: TynePair;
  let ns1: TyneProcess | undefined;
  let ns2: TyneProcess | undefined;
  const saved = (): string => rig.path('ns2/bench.example.zone');

  before(async () => {
    rig = await TynePair.create('tyne-ixfr-answering-', ['ns2']);
    assert.equal(writeBenchZone(rig.path('bench.example.zone'), HOSTS), RECORDS);
    rig.write(
      'ns1.yaml',
      `listen: ["127.0.0.1:${rig.p1}"]\nlog: { level: info }\nzones:\n  - name: ${ZONE}\n    file: bench.example.zone\n` +
        `    notify: ["127.0.0.1:${rig.p2}"]\n    allow-transfer: ["127.0.0.1/32"]\n`,
    );
    rig.write(
      'ns2.yaml',
      `listen: ["127.0.0.1:${rig.p2}"]\nlog: { level: info }\nzones:\n  - name: ${ZONE}\n    type: secondary\n` +
        `    primaries: ["127.0.0.1:${rig.p1}"]\n    file: ns2/bench.example.zone\n`,
    );
    ns1 = await startTyne(rig.path('ns1.yaml'), { timeoutMs: 30_000 });
    ns2 = await startTyne(rig.path('ns2.yaml'));
    // ns1 NOTIFYs at startup: ns2 takes the zone by AXFR and saves it before anything is measured.
    const axfr = await ns2.waitAfter(0, transferIn, 20_000);
    assert.equal(axfr.kind, 'AXFR');
    await until('ns2 saved its first copy', () => savedSerial(saved()) === axfr.to, { timeoutMs: 20_000, everyMs: 20 });
    // The watch on ns1's file is armed right after `serving` (its arming, and the check of files changed before it, take a moment).
    await sleep(300);
  });

  after(() => rig?.close(ns2, ns1));

  it('answers without a gap of 50 ms from the NOTIFY until its copy is saved, and serves the change', async (t) => {
    const original = readFileSync(rig.path('bench.example.zone'), 'utf8');
    assert.ok(original.includes(LINE));
    const prober = await UdpProber.open({ port: rig.p2, name: `host1.${ZONE}` });
    const results: string[] = [];
    let passed = false;
    let addr = '';
    try {
      for (let attempt = 1; attempt <= ATTEMPTS && !passed; attempt++) {
        // The same prober without a transfer: tells machine noise from a blocked server.
        prober.reset();
        prober.start();
        await sleep(500);
        await prober.stop();
        const baseline = prober.stats();

        addr = `10.200.0.${attempt}`;
        const m1 = ns1!.mark();
        const m2 = ns2!.mark();
        prober.reset();
        prober.start();
        rig.write('bench.example.zone', original.replace(LINE, `\nhost0 IN A ${addr}\n`));
        const reloaded = await ns1!.waitAfter(m1, (l) => l.msg === 'zone reloaded', 20_000);
        const serial = (reloaded.serial as { to: number }).to;
        const notified = await ns2!.waitAfter(m2, (l) => l.msg === 'notify received', 10_000);
        const xfr = await ns2!.waitAfter(m2, (l) => transferIn(l) && l.to === serial, 10_000);
        await until(`ns2 saved serial ${serial}`, () => savedSerial(saved()) === serial, { timeoutMs: 10_000, everyMs: 5 });
        const savedAt = performance.now();
        await sleep(50);
        await prober.stop();
        const during = prober.stats(loggedAt(notified), savedAt);
        const line =
          `attempt ${attempt}: ${String(xfr.kind)} ${String(xfr.from)} -> ${String(xfr.to)} (${String(xfr.ms)} ms at ns2), ` +
          `NOTIFY to saved copy: ${probeText(during)}; baseline without a transfer: ${probeText(baseline)}`;
        results.push(line);
        t.diagnostic(line);
        assert.equal(xfr.kind, 'IXFR', `ns2 should fetch a one-record change by IXFR: ${JSON.stringify(xfr)}`);
        passed = during.lost === 0 && during.longestGapMs < MAX_GAP_MS && during.sent > 0;
      }
    } finally {
      prober.close();
    }
    assert.deepEqual(await digShort({ port: rig.p2 }, `host0.${ZONE}`, 'A'), [addr], 'ns2 serves the changed record');
    assert.deepEqual(await digShort({ port: rig.p2 }, `host${HOSTS - 1}.${ZONE}`, 'A'), ['10.2.73.239'], 'and the rest of the zone');
    assert.ok(passed, `every attempt saw a gap of ${MAX_GAP_MS} ms or more between answers at ns2 (or lost queries):\n${results.join('\n')}`);
  });

  it('journals the IXFR instead of rewriting the copy, and a restart before the rewrite serves the change', async () => {
    const addr = (await digShort({ port: rig.p2 }, `host0.${ZONE}`, 'A'))[0]!;
    const serial = savedSerial(saved())!;
    // The copy file still holds the first version (zonefile-sync: 60 s by default); the journal beside it the changes.
    assert.notEqual(Number(/serial (\d+)\n/.exec(readFileSync(saved(), 'utf8').slice(0, 200))![1]), serial);
    assert.ok(existsSync(`${saved()}.jnl`));
    assert.equal(await ns1!.stop(), 0);
    assert.equal(await ns2!.stop(), 0);
    ns2 = await startTyne(rig.path('ns2.yaml'), { timeoutMs: 30_000 });
    assert.equal((await ns2.waitForLog((l) => l.msg === 'serving saved copy')).serial, serial);
    assert.deepEqual(await digShort({ port: rig.p2 }, `host0.${ZONE}`, 'A'), [addr], 'the journaled change is served with the primary down');
  });
});
