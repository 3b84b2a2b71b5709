/**
 * When files are read (issue: "files are read while still being written",
 * "zones that go unseen"): real `tyne serve` processes, real files written
 * the way slow uploads write them, real time.
 *
 *  1. A writer writes the first half of a zone file, pauses 1 s, then
 *     writes the rest: neither ns1 nor its secondaries (a Tyne ns2 and a
 *     Knot) ever serve a version missing records (the half file is held,
 *     the whole one applied at once).
 *  2. An edit that really removes many records is held for `watch-hold`
 *     (a warning with the counts), then applied (another warning).
 *  3. The configuration file written the same slow way: no zone ever
 *     answers REFUSED.
 *  4. `watch: false`: edits are not picked up until SIGHUP.
 *  5. A zone whose file does not exist yet fails alone, and is served as
 *     soon as the file appears.
 *  6. With many zones, files edited after they were read but before the
 *     watch was armed are still picked up.
 */
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import { RRType, Rcode, decodeMessage } from '../../src/wire/index.js';
import { digAxfr, digSerial, digShort } from '../support/dig.js';
import { buildQuery, queryUdp } from '../support/dns-client.js';
import { startKnot, type KnotProcess } from '../support/knotd-process.js';
import { freePort } from '../support/ports.js';
import { haveTool } from '../support/tools.js';
import { tyneYaml, zoneText, type PrimaryZone } from '../support/tyne-config.js';
import { startTyne, type TyneProcess } from '../support/tyne-process.js';
import { TynePair } from '../support/tyne-pair.js';
import { sleep, until } from '../support/wait.js';

type Log = Record<string, unknown>;

const W = 'w.example';
const HOSTS = 60;
const SMALL = ['c1.example', 'c2.example', 'c3.example', 'c4.example', 'c5.example'];
const HOLD_MS = 2000;

let nextId = 1;
const qid = (): number => (nextId = (nextId % 0xfffe) + 1);

/** One UDP question; the rcode and the A addresses answered. */
async function ask(port: number, name: string, type: number = RRType.A): Promise<{ rcode: number; addrs: string[] }> {
  const m = decodeMessage(await queryUdp(port, buildQuery({ id: qid(), name, type }), 1000));
  return { rcode: m.rcode, addrs: m.answers.filter((r) => r.type === RRType.A).map((r) => [...r.rdata].join('.')) };
}

/**
 * Runs `probe` every few ms until `stop()` holds (bounded by `maxMs`);
 * returns every failure seen (a lost datagram is retried once, not counted).
 */
async function probeWhile(probe: () => Promise<string | null>, stop: () => boolean, maxMs: number): Promise<{ failures: string[]; probes: number }> {
  const failures: string[] = [];
  let probes = 0;
  const end = performance.now() + maxMs;
  while (!stop() && performance.now() < end) {
    let r: string | null;
    try {
      r = await probe();
    } catch {
      try {
        r = await probe();
      } catch (e) {
        r = `no answer: ${(e as Error).message}`;
      }
    }
    probes++;
    if (r !== null) failures.push(r);
    await sleep(5);
  }
  return { failures, probes };
}

const isMsg = (prefix: string, zone?: string) => (l: Log): boolean =>
  typeof l.msg === 'string' && l.msg.startsWith(prefix) && (zone === undefined || l.zone === `${zone}.`);

describe('reading files only when whole: settle, hold, watch off, late files', { skip: !(haveTool('dig') && haveTool('knotd')), timeout: 120_000 }, () => {
  let rig: TynePair;
  let pk = 0;
  let ns1: TyneProcess | undefined;
  let ns2: TyneProcess | undefined;
  let knot: KnotProcess | undefined;
  const server = (watch: boolean): string[] => [`watch: ${watch}`, `watch-hold: ${HOLD_MS}ms`];
  const zones = (names: readonly string[]): PrimaryZone[] =>
    names.map((name) => ({ name, file: `${name}.zone`, notify: name === W ? [`127.0.0.1:${rig.p2}`, `127.0.0.1:${pk}`] : [`127.0.0.1:${rig.p2}`] }));
  const ns1Yaml = (names: readonly string[], watch = true): string => tyneYaml({ listen: [`127.0.0.1:${rig.p1}`], server: server(watch), primaries: zones(names) });

  before(async () => {
    rig = await TynePair.create('tyne-watch-hold-', ['data'], 1);
    [pk] = rig.more as [number];
    rig.write(`${W}.zone`, zoneText(W, 1, { hosts: HOSTS }));
    for (const z of SMALL) rig.write(`${z}.zone`, zoneText(z, 1, { hosts: 3 }));
    // late.example is configured, but its file comes later (test 5).
    rig.write('ns1.yaml', ns1Yaml([W, ...SMALL, 'late.example']));
    rig.write(
      'ns2.yaml',
      tyneYaml({
        listen: [`127.0.0.1:${rig.p2}`],
        secondaries: [W, ...SMALL].map((name) => ({ name, primaries: [`127.0.0.1:${rig.p1}`], file: `data/${name}.zone`, allowTransfer: ['127.0.0.1/32'] })),
      }),
    );
    ns1 = await startTyne(rig.path('ns1.yaml'));
    ns2 = await startTyne(rig.path('ns2.yaml'));
    knot = await startKnot([{ name: W, primaries: [{ port: rig.p1 }] }], { port: pk });
    for (const z of [W, ...SMALL]) await until(`ns2 copies ${z}`, async () => (await digSerial({ port: rig.p2 }, z)) === 1, { timeoutMs: 10_000, everyMs: 50 });
    await until(`knot copies ${W}`, async () => (await digSerial({ port: pk }, W)) === 1, { timeoutMs: 10_000, everyMs: 50 });
  });

  after(async () => {
    await knot?.stop();
    await rig?.close(ns1, ns2);
  });

  it('1. a zone file written in two halves 1 s apart: no version missing records is ever served, by ns1, ns2 or Knot', async () => {
    const m1 = ns1!.mark();
    const full = zoneText(W, 2, { hosts: HOSTS, extra: ['top A 192.0.2.1'] });
    const lines = full.split('\n');
    const half = lines.slice(0, Math.floor(lines.length / 2)).join('\n') + '\n';
    const rest = full.slice(half.length);
    const last = `h${HOSTS - 1}.${W}`;
    let done = false;
    const probing = probeWhile(
      async () => {
        for (const [who, port] of [['ns1', rig.p1], ['ns2', rig.p2], ['knot', pk]] as const) {
          const r = await ask(port, last);
          if (r.rcode !== Rcode.NOERROR || r.addrs.length !== 1) return `${who}: ${last} answered rcode ${r.rcode} ${JSON.stringify(r.addrs)}`;
        }
        return null;
      },
      () => done,
      15_000,
    );
    rig.write(`${W}.zone`, half);
    await sleep(1000);
    appendFileSync(rig.path(`${W}.zone`), rest);
    await until('ns2 serves the whole new version', async () => (await digSerial({ port: rig.p2 }, W)) === 2, { timeoutMs: 5000, everyMs: 20 });
    await until('knot serves the whole new version', async () => (await digSerial({ port: pk }, W)) === 2, { timeoutMs: 5000, everyMs: 20 });
    await sleep(300);
    done = true;
    const { failures, probes } = await probing;
    assert.ok(probes > 50, `probed ${probes} times`);
    assert.deepEqual(failures.slice(0, 5), [], `${failures.length} of ${probes} probes saw a version missing records`);
    const held = ns1!.since(m1, isMsg('zone edit held', W));
    assert.ok(held.length >= 1, 'the half file was held');
    assert.equal(held[0]!.level, 40);
    assert.equal(held[0]!.records, HOSTS + 3);
    assert.ok(Number(held[0]!.removed) > HOSTS / 3, JSON.stringify(held[0]));
    assert.deepEqual(ns1!.since(m1, isMsg('held zone edit applied', W)), [], 'the half file was never applied');
    assert.deepEqual(await digShort({ port: rig.p2 }, `top.${W}`, 'A'), ['192.0.2.1']);
    assert.deepEqual(await knot!.axfr(W), await digAxfr({ port: rig.p1 }, W), "Knot's copy equals ns1's");
    assert.deepEqual(await digAxfr({ port: rig.p2 }, W), await digAxfr({ port: rig.p1 }, W), "ns2's copy equals ns1's");
  });

  it(`2. an edit that removes many records is held for watch-hold (${HOLD_MS} ms), then applied`, async () => {
    const m1 = ns1!.mark();
    const t0 = performance.now();
    rig.write(`${W}.zone`, zoneText(W, 3, { hosts: 10 }));
    const held = await ns1!.waitAfter(m1, isMsg('zone edit held', W));
    assert.equal(held.holdMs, HOLD_MS);
    assert.equal(held.now, 13);
    assert.equal(await digSerial({ port: rig.p1 }, W), 2, 'not applied yet');
    const applied = await ns1!.waitAfter(m1, isMsg('held zone edit applied', W), HOLD_MS + 3000);
    const ms = performance.now() - t0;
    assert.equal(applied.level, 40);
    assert.ok(ms >= HOLD_MS, `applied after ${ms.toFixed(0)} ms`);
    await until('ns2 has the smaller zone', async () => (await digSerial({ port: rig.p2 }, W)) === 3, { timeoutMs: 5000, everyMs: 20 });
    assert.deepEqual(await digShort({ port: rig.p2 }, `h30.${W}`, 'A'), []);
  });

  it('3. the configuration file written in two halves 1 s apart: no zone ever answers REFUSED', async () => {
    const m1 = ns1!.mark();
    const text = ns1Yaml([W, ...SMALL, 'late.example']);
    // Cut after c2's entry: c3..c5 and late.example would vanish.
    const cut = text.indexOf('  - name: c3.example');
    assert.ok(cut > 0);
    let done = false;
    const probing = probeWhile(
      async () => {
        for (const z of SMALL) {
          const r = await ask(rig.p1, z, RRType.SOA);
          if (r.rcode !== Rcode.NOERROR) return `${z} SOA answered rcode ${r.rcode}`;
        }
        return null;
      },
      () => done,
      10_000,
    );
    rig.write('ns1.yaml', text.slice(0, cut));
    await sleep(1000);
    appendFileSync(rig.path('ns1.yaml'), text.slice(cut));
    await ns1!.waitAfter(m1, (l) => l.msg === 'reloaded', 5000);
    await sleep(300);
    done = true;
    const { failures, probes } = await probing;
    assert.ok(probes > 20);
    assert.deepEqual(failures.slice(0, 5), [], `${failures.length} of ${probes} probes were refused`);
    const held = ns1!.since(m1, isMsg('configuration change held'));
    assert.equal(held.length, 1, 'the half file was held');
    assert.equal(held[0]!.removed, 4);
    assert.deepEqual(ns1!.since(m1, isMsg('zone removed')), []);
  });

  it('4. with watch: false, an edit waits for SIGHUP', async () => {
    let m1 = ns1!.mark();
    rig.write('ns1.yaml', ns1Yaml([W, ...SMALL, 'late.example'], false));
    await ns1!.waitAfter(m1, (l) => l.msg === 'reloaded');
    rig.write('c1.example.zone', zoneText('c1.example', 2, { hosts: 3 }));
    await sleep(1500);
    assert.equal(await digSerial({ port: rig.p1 }, 'c1.example'), 1, 'not picked up on its own');
    m1 = ns1!.mark();
    ns1!.child.kill('SIGHUP');
    await ns1!.waitAfter(m1, (l) => l.msg === 'reloaded');
    assert.equal(await digSerial({ port: rig.p1 }, 'c1.example'), 2, 'picked up at SIGHUP');
    // Watching again, from SIGHUP (nothing watches the configuration now).
    rig.write('ns1.yaml', ns1Yaml([W, ...SMALL, 'late.example'], true));
    m1 = ns1!.mark();
    ns1!.child.kill('SIGHUP');
    await ns1!.waitAfter(m1, (l) => l.msg === 'reloaded');
    await sleep(300); // the watch's initial scan
    rig.write('c1.example.zone', zoneText('c1.example', 3, { hosts: 3 }));
    await until('c1 picked up by watching again', async () => (await digSerial({ port: rig.p1 }, 'c1.example')) === 3, { timeoutMs: 3000, everyMs: 20 });
  });

  it('5. a zone whose file does not exist yet fails alone, and is served as soon as the file appears', async () => {
    const err = ns1!.logs.find(isMsg('zone not loaded', 'late.example'));
    assert.ok(err !== undefined, 'its failure was logged at startup');
    assert.equal(err.level, 50);
    assert.ok(ns1!.logs.some((l) => typeof l.msg === 'string' && l.msg.includes("cannot read zone file") && l.msg.includes('late.example.zone')));
    assert.equal((await ask(rig.p1, 'late.example', RRType.SOA)).rcode, Rcode.REFUSED);
    const t0 = performance.now();
    rig.write('late.example.zone', zoneText('late.example', 7, { hosts: 2 }));
    const ms = await until('late.example served', async () => (await digSerial({ port: rig.p1 }, 'late.example')) === 7, { timeoutMs: 3000, everyMs: 10, t0 });
    assert.ok(ms < 1000, `served ${ms.toFixed(0)} ms after the file appeared`);
  });
});

describe('many zones: edits between reading a file and arming its watch are not lost', { timeout: 120_000 }, () => {
  const COUNT = 1500;
  const EDITED = 20;
  let dir = '';
  let proc: TyneProcess | undefined;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tyne-watch-many-'));
  });
  after(async () => {
    await proc?.stop();
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it(`6. ${EDITED} of ${COUNT} zone files rewritten right after they were loaded are served in their new version`, async () => {
    const port = await freePort();
    const names = Array.from({ length: COUNT }, (_, i) => `z${i}.example`);
    for (const n of names) writeFileSync(join(dir, `${n}.zone`), zoneText(n, 1, { hosts: 2 }));
    writeFileSync(join(dir, 'ns1.yaml'), tyneYaml({ listen: [`127.0.0.1:${port}`], primaries: names.map((name) => ({ name, file: `${name}.zone` })) }));
    // startTyne waits for `serving`; the edits must land earlier, so it runs in the background.
    const starting = startTyne(join(dir, 'ns1.yaml'), { timeoutMs: 60_000, onSpawn: (p) => (proc = p) });
    await until('the first zones are loaded', () => proc !== undefined && proc.logs.some((l) => l.msg === 'zone loaded' && l.zone === `z${EDITED - 1}.example.`), {
      timeoutMs: 30_000,
      everyMs: 1,
    });
    const servingBefore = proc!.logs.some((l) => l.msg === 'serving');
    for (let i = 0; i < EDITED; i++) writeFileSync(join(dir, `z${i}.example.zone`), zoneText(`z${i}.example`, 2, { hosts: 2 }));
    await starting;
    assert.ok(!servingBefore, 'the edits were made while the zones were still loading');
    for (let i = 0; i < EDITED; i++) {
      await until(`z${i}.example serves its edited version`, async () => (await ask(port, `z${i}.example`, RRType.SOA)).rcode === Rcode.NOERROR && (await digSerial({ port }, `z${i}.example`)) === 2, {
        timeoutMs: 10_000,
        everyMs: 20,
      });
    }
    assert.equal(await digSerial({ port }, `z${COUNT - 1}.example`), 1);
  });
});
