/**
 * A served serial never goes back and is never reused for other content
 * (issue: "the served serial is forgotten"). A Tyne primary (serial-policy
 * increment) and its secondaries, real processes and files:
 *
 *  1. an edit without a serial bump is served as file+1 and copied;
 *  2. ns1 restarts: it still serves file+1 (it used to fall back to the
 *     file's serial, below what the secondaries hold);
 *  3. another edit without a bump: file+2, copied (it used to be file+1
 *     again with other content: the secondaries kept their copy);
 *  4. an explicit bump is copied and every copy equals the primary's;
 *  5. the zone is removed from the configuration, edited, and added back:
 *     it continues above its old serial;
 *  6. the journal is lost while ns1 is down: the state file still says
 *     what was served;
 *  7. the state file is damaged: reported as such (naming it) and the zone
 *     is served above every serial recorded anywhere.
 * The secondaries are a Tyne ns2, a Knot 3.2 and an NSD 4.6; after every
 * step each secondary's AXFR equals the primary's at the same serial. Under `serial-policy: file` an edit without a higher serial is
 * served but logged at error level with both serials.
 */
import assert from 'node:assert/strict';
import { existsSync, unlinkSync, writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { digAxfr, digSerial } from '../support/dig.js';
import { startKnot, type KnotProcess } from '../support/knotd-process.js';
import { startNsd, type NsdProcess } from '../support/nsd-process.js';
import { haveTool } from '../support/tools.js';
import { tyneYaml, zoneText, type PrimaryZone } from '../support/tyne-config.js';
import { startTyne, type TyneProcess } from '../support/tyne-process.js';
import { TynePair } from '../support/tyne-pair.js';
import { until } from '../support/wait.js';

type Log = Record<string, unknown>;

const ZONE = 's.example';
const FZONE = 'f.example';

const TOOLS = haveTool('dig') && haveTool('knotd') && haveTool('nsd');

describe('served serials survive restarts, removals and lost or damaged state', { skip: !TOOLS, timeout: 120_000 }, () => {
  let rig: TynePair;
  let pk = 0;
  let pn = 0;
  let ns1: TyneProcess | undefined;
  let ns2: TyneProcess | undefined;
  let knot: KnotProcess | undefined;
  let nsd: NsdProcess | undefined;
  /** Extra records in the zone file, in order; the file's own serial. */
  const extra: string[] = [];
  let fileSerial = 10;

  const primaries = (withZone = true): PrimaryZone[] => [
    ...(withZone ? [{ name: ZONE, file: `${ZONE}.zone`, notify: [`127.0.0.1:${rig.p2}`, `127.0.0.1:${pk}`, `127.0.0.1:${pn}`] }] : []),
    { name: FZONE, file: `${FZONE}.zone`, notify: [`127.0.0.1:${rig.p2}`], extra: ['serial-policy: file'] },
  ];
  const writeNs1 = (withZone = true): void => rig.write('ns1.yaml', tyneYaml({ listen: [`127.0.0.1:${rig.p1}`], primaries: primaries(withZone) }));
  const writeZone = (): void => rig.write(`${ZONE}.zone`, zoneText(ZONE, fileSerial, { extra }));

  /** Every secondary: name, port. */
  const secondaries = (): { name: string; port: number }[] => [
    { name: 'tyne ns2', port: rig.p2 },
    { name: 'knot', port: pk },
    { name: 'nsd', port: pn },
  ];
  const peerLogs = (): string => `ns2: ${JSON.stringify(ns2?.logs.slice(-6))}\nknot: ${knot?.log().slice(-1500)}\nnsd: ${nsd?.log().slice(-1500)}`;

  /** Waits until ns1 serves `serial` and every secondary has it, then compares every secondary's AXFR with ns1's. */
  async function allAt(serial: number, what: string): Promise<string[]> {
    await until(`${what}: ns1 serves ${serial}`, async () => (await digSerial({ port: rig.p1 }, ZONE)) === serial, { timeoutMs: 8000, everyMs: 50 });
    const primary = await digAxfr({ port: rig.p1 }, ZONE);
    for (const s of secondaries()) {
      await until(`${what}: ${s.name} serves ${serial}`, async () => (await digSerial({ port: s.port }, ZONE)) === serial, {
        timeoutMs: 8000,
        everyMs: 50,
        detail: peerLogs,
      });
      assert.deepEqual(await digAxfr({ port: s.port }, ZONE), primary, `${what}: ${s.name}'s copy equals ns1's at serial ${serial}`);
    }
    return primary;
  }

  const zoneLoaded = (l: Log): boolean => l.msg === 'zone loaded' && l.zone === `${ZONE}.`;

  before(async () => {
    rig = await TynePair.create('tyne-served-serial-', ['data'], 2);
    [pk, pn] = rig.more as [number, number];
    writeZone();
    rig.write(`${FZONE}.zone`, zoneText(FZONE, 50));
    writeNs1();
    rig.write(
      'ns2.yaml',
      tyneYaml({
        listen: [`127.0.0.1:${rig.p2}`],
        secondaries: [ZONE, FZONE].map((name) => ({ name, primaries: [`127.0.0.1:${rig.p1}`], file: `data/${name}.zone`, allowTransfer: ['127.0.0.1/32'] })),
      }),
    );
    ns1 = await startTyne(rig.path('ns1.yaml'));
    ns2 = await startTyne(rig.path('ns2.yaml'));
    knot = await startKnot([{ name: ZONE, primaries: [{ port: rig.p1 }] }], { port: pk });
    nsd = await startNsd([{ name: ZONE, primaries: [{ port: rig.p1 }] }], { port: pn });
    await allAt(10, 'start');
  });

  after(async () => {
    await Promise.allSettled([knot?.stop(), nsd?.stop()]);
    await rig?.close(ns1, ns2);
  });

  const restartNs1 = async (): Promise<void> => {
    assert.equal(await ns1!.stop(), 0);
    ns1 = await startTyne(rig.path('ns1.yaml'));
  };

  it('1. an edit without a serial bump is served as file+1 and copied', async () => {
    extra.push('new1 A 192.0.2.101');
    writeZone();
    const axfr = await allAt(11, 'edit 1');
    assert.ok(axfr.some((l) => l.startsWith('new1.s.example. ')), 'the edit is served');
  });

  it('2. after a restart ns1 still serves file+1, and says the file has another serial', async () => {
    const before = await digAxfr({ port: rig.p1 }, ZONE);
    await restartNs1();
    const loaded = await ns1!.waitForLog(zoneLoaded);
    assert.equal(loaded.serial, 11);
    assert.equal(loaded.fileSerial, 10, `the startup line shows both serials: ${JSON.stringify(loaded)}`);
    assert.deepEqual(await allAt(11, 'restart'), before, 'the same version as before the restart');
  });

  it('3. another edit without a bump is file+2 (never file+1 with other content), and is copied', async () => {
    extra.push('new2 A 192.0.2.102');
    writeZone();
    const axfr = await allAt(12, 'edit 2');
    assert.ok(axfr.some((l) => l.startsWith('new2.s.example. ')));
  });

  it('4. an explicit bump is taken as it is, and every copy equals the primary', async () => {
    fileSerial = 13;
    extra.push('new3 A 192.0.2.103');
    writeZone();
    await allAt(13, 'bump');
  });

  it('5. a zone removed from the configuration, edited, and added back continues above its old serial', async () => {
    const m = ns1!.mark();
    writeNs1(false);
    await ns1!.waitAfter(m, (l) => String(l.msg).startsWith('configuration change held'));
    ns1!.child.kill('SIGHUP'); // the operator confirms the removal
    await ns1!.waitAfter(m, (l) => l.msg === 'zone removed' && l.zone === `${ZONE}.`);
    await until('ns1 stops serving the zone', async () => (await digSerial({ port: rig.p1 }, ZONE)) === null, { timeoutMs: 5000, everyMs: 50 });
    extra.push('new4 A 192.0.2.104'); // edited while it was not served; the file keeps serial 13
    writeZone();
    const m2 = ns1!.mark();
    writeNs1(true);
    const loaded = await ns1!.waitAfter(m2, zoneLoaded);
    assert.equal(loaded.serial, 14, JSON.stringify(loaded));
    const axfr = await allAt(14, 're-added');
    assert.ok(axfr.some((l) => l.startsWith('new4.s.example. ')));
  });

  it('6. with the journal lost while ns1 is down, the state file keeps the serial from going back', async () => {
    assert.equal(await ns1!.stop(), 0);
    assert.ok(existsSync(rig.path(`${ZONE}.zone.jnl`)), 'the journal was there');
    unlinkSync(rig.path(`${ZONE}.zone.jnl`));
    ns1 = await startTyne(rig.path('ns1.yaml'));
    assert.equal((await ns1.waitForLog(zoneLoaded)).serial, 14);
    extra.push('new5 A 192.0.2.105');
    writeZone();
    await allAt(15, 'edit after the journal was lost');
  });

  it('7. a damaged state file is reported as corruption, naming it, and the zone is served above every serial recorded', async () => {
    assert.equal(await ns1!.stop(), 0);
    const state = rig.path(`${ZONE}.zone.served.json`);
    assert.ok(existsSync(state));
    writeFileSync(state, '{"format": 1, "zone": "s.example.", "ser');
    ns1 = await startTyne(rig.path('ns1.yaml'));
    const damaged = await ns1.waitForLog((l) => l.level === 50 && l.file === state);
    assert.match(String(damaged.msg), /served-serial state cannot be read \(not valid JSON\)/);
    assert.equal((damaged.err as { code?: string } | undefined)?.code, 'STORAGE_CORRUPT');
    assert.ok(existsSync(String(damaged.movedTo)), 'the damaged file is kept aside for a look');
    // The journal still records 14 -> 15: the zone (same content, content unknown) is served as 16.
    assert.equal((await ns1.waitForLog(zoneLoaded)).serial, 16);
    await allAt(16, 'damaged state');
  });

  it('under serial-policy file, an edit without a higher serial is served, logged at error level with both serials', async () => {
    const m = ns1!.mark();
    rig.write(`${FZONE}.zone`, zoneText(FZONE, 50, { extra: ['changed A 192.0.2.200'] }));
    const alert = await ns1!.waitAfter(m, (l) => l.zone === `${FZONE}.` && typeof l.msg === 'string' && l.msg.startsWith('serial not raised'));
    assert.equal(alert.level, 50);
    assert.equal(alert.fileSerial, 50);
    assert.equal(alert.served, 50);
    await ns1!.waitAfter(m, (l) => l.msg === 'zone reloaded' && l.zone === `${FZONE}.`);
    assert.equal(await digSerial({ port: rig.p1 }, FZONE), 50);
  });
});
