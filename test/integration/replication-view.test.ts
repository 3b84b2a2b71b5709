/**
 * The replication view (issue 15 §2) with real processes, read from ns1's
 * `replication state` debug lines (one per change of a notify target's
 * state, serial or versions behind; the fields of SecondaryReplication):
 *
 * - Tyne ns1 → Tyne ns2: in sync after the first transfer; after an edit,
 *   in sync at the new serial within 2 s of the SIGHUP; ns2 stopped:
 *   unreachable; three edits while it is stopped: 3 versions behind; ns2
 *   started again: in sync at the last serial.
 * - BIND 9.18 as ns2, started just before ns1 (its first refresh fails):
 *   BIND holds ns1's serial within 20 s, the view says in sync, and any
 *   NOTIFY sent again on the way is logged.
 */
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { after, describe, it } from 'node:test';
import { RRType, decodeMessage } from '../../src/wire/index.js';
import { buildQuery, queryUdp } from '../support/dns-client.js';
import { digSerial } from '../support/dig.js';
import { startNamed, type NamedProcess } from '../support/named-process.js';
import { haveTool } from '../support/tools.js';
import { tyneYaml, zoneText } from '../support/tyne-config.js';
import { TynePair } from '../support/tyne-pair.js';
import { startTyne, tyneLogTail, type TyneProcess } from '../support/tyne-process.js';
import { until } from '../support/wait.js';

type Log = Record<string, unknown>;
const ZONE = 'repl.example';

/** The SOA serial `port` serves for ZONE (null: no answer with one). */
async function servedSerial(port: number): Promise<number | null> {
  const m = decodeMessage(await queryUdp(port, buildQuery({ id: 9, name: ZONE, type: RRType.SOA }), 1000));
  const soa = m.answers.find((r) => r.type === RRType.SOA);
  return soa === undefined ? null : Buffer.from(soa.rdata).readUInt32BE(soa.rdata.length - 20);
}

const stateLine = (secondary: string, state: string, serial?: number, more: (l: Log) => boolean = () => true) => (l: Log): boolean =>
  l.msg === 'replication state' && l.secondary === secondary && l.state === state && (serial === undefined || l.serial === serial) && more(l);

/** ns1: ZONE, notifying `to`, probing every second. */
function ns1Yaml(pair: TynePair, to: number): string {
  return tyneYaml({
    listen: [`127.0.0.1:${pair.p1}`], logLevel: 'debug', server: ['watch: false', 'secondary-probe-interval: 1s'],
    primaries: [{ name: ZONE, file: 'ns1.zone', notify: [`127.0.0.1:${to}`] }],
  });
}

describe('replication view: Tyne ns1 → Tyne ns2', { timeout: 60_000 }, () => {
  let pair: TynePair | undefined;
  let ns1: TyneProcess | null = null;
  let ns2: TyneProcess | null = null;
  after(async () => pair?.close(ns1, ns2));

  it('in sync, in sync within 2 s of an edit, unreachable when stopped, behind by the edits made meanwhile, in sync once back', async (t) => {
    const pr = await TynePair.create('tyne-repl-', ['ns2']);
    pair = pr;
    const ns2Id = `127.0.0.1:${pr.p2}`;
    let serial = 1;
    pr.write('ns1.zone', zoneText(ZONE, serial));
    pr.write('ns1.yaml', ns1Yaml(pr, pr.p2));
    pr.write('ns2.yaml', tyneYaml({ listen: [ns2Id], secondaries: [{ name: ZONE, primaries: [`127.0.0.1:${pr.p1}`], file: 'ns2/repl.example.zone' }] }));
    ns1 = await startTyne(pr.path('ns1.yaml'));
    ns2 = await startTyne(pr.path('ns2.yaml'));
    await ns1.waitForLog(stateLine(ns2Id, 'in-sync', 1), 10_000);

    /** A new version on ns1 (SIGHUP); resolves with the serial ns1 serves. */
    const edit = async (): Promise<number> => {
      serial++;
      pr.write('ns1.zone', zoneText(ZONE, serial, { extra: [`v${serial} TXT "version ${serial}"`] }));
      ns1!.child.kill('SIGHUP');
      await until(`ns1 serves ${serial}`, async () => (await servedSerial(pr.p1)) === serial, { timeoutMs: 5000 });
      return serial;
    };

    const mark = ns1.mark();
    const t0 = performance.now();
    const s2 = await edit();
    await ns1.waitAfter(mark, stateLine(ns2Id, 'in-sync', s2), 2000);
    t.diagnostic(`edit → view says ns2 in sync: ${(performance.now() - t0).toFixed(0)} ms`);
    // A completed transfer is taken when its last message is written: ns2 may still be checking and storing
    // it for a moment, so it must serve what the view says within a second, not at once.
    const applied = await until(`ns2 serves ${s2}, as the view says`, async () => (await servedSerial(pr.p2)) === s2, {
      timeoutMs: 1000, everyMs: 20, detail: () => `ns2:\n${tyneLogTail(ns2)}`,
    });
    t.diagnostic(`view in sync → ns2 serves ${s2}: ${applied.toFixed(0)} ms`);

    await ns2.stop();
    ns2 = null;
    const down = ns1.mark();
    const gone = await ns1.waitAfter(down, stateLine(ns2Id, 'unreachable'), 8000);
    assert.equal(typeof gone.problem, 'string');
    t.diagnostic(`unreachable: ${String(gone.problem)}`);

    for (let i = 0; i < 3; i++) await edit();
    const behind = await ns1.waitAfter(down, stateLine(ns2Id, 'unreachable', s2, (l) => l.behindVersions === 3), 5000);
    assert.equal(behind.servedSerial, serial);
    assert.ok(typeof behind.lagSeconds === 'number' && behind.lagSeconds > 0, `lag ${String(behind.lagSeconds)}`);

    const back = ns1.mark();
    ns2 = await startTyne(pr.path('ns2.yaml'));
    await ns1.waitAfter(back, stateLine(ns2Id, 'in-sync', serial), 15_000).catch((e: unknown) => {
      throw new Error(`${(e as Error).message}\nns2:\n${tyneLogTail(ns2)}`);
    });
    // ns2 came back on its saved copy of s2 (never an older one), and serves what the view says: a completed
    // transfer is taken when its last message is written, so ns2 may still be applying it for a moment.
    const copy = ns2.logs.find((l) => l.msg === 'serving saved copy');
    assert.equal(copy?.serial, s2, `ns2 restarted on its copy of ${s2}:\n${tyneLogTail(ns2)}`);
    const last = serial;
    await until(`ns2 serves ${last}`, async () => (await servedSerial(pr.p2)) === last, { timeoutMs: 2000, detail: () => `ns2:\n${tyneLogTail(ns2)}` });
  });
});

const HAVE_NAMED = haveTool('named') && haveTool('dig');

describe('replication view: BIND 9.18 as ns2, started just before ns1', { skip: !HAVE_NAMED, timeout: 60_000 }, () => {
  let pair: TynePair | undefined;
  let ns1: TyneProcess | null = null;
  let named: NamedProcess | null = null;
  after(async () => {
    await named?.stop();
    await pair?.close(ns1);
  });

  it('BIND holds ns1\'s serial within 20 s; the view says in sync; NOTIFYs sent again are logged', async (t) => {
    const pr = await TynePair.create('tyne-repl-bind-');
    pair = pr;
    const serial = 2026120301;
    pr.write('ns1.zone', zoneText(ZONE, serial));
    pr.write('ns1.yaml', ns1Yaml(pr, pr.p2));
    named = await startNamed([], {
      port: pr.p2,
      zoneStatements: `zone "${ZONE}" { type secondary; primaries { 127.0.0.1 port ${pr.p1}; }; file "repl.example.bk"; };\n`,
    });
    const t0 = performance.now();
    ns1 = await startTyne(pr.path('ns1.yaml'));
    const ns2Id = `127.0.0.1:${pr.p2}`;
    const ms = await until('BIND serves ns1\'s serial', async () => (await digSerial({ port: pr.p2 }, ZONE)) === serial, {
      timeoutMs: 20_000, everyMs: 200, t0, detail: () => `named:\n${named!.log().slice(-3000)}\nns1:\n${tyneLogTail(ns1)}`,
    });
    t.diagnostic(`BIND holds ${serial} ${ms.toFixed(0)} ms after ns1 started`);
    await ns1.waitForLog(stateLine(ns2Id, 'in-sync', serial), 5000);
    const again = ns1.logs.filter((l) => typeof l.msg === 'string' && l.msg.includes('NOTIFY again'));
    t.diagnostic(`NOTIFY sent again: ${again.length} time(s)`);
    // The first NOTIFY is enough when BIND's first refresh had already ended; otherwise a NOTIFY again did it.
    assert.ok(ms < 10_000 || again.length > 0, `BIND took ${ms.toFixed(0)} ms and no NOTIFY was sent again`);
  });
});
