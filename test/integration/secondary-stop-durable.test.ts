/**
 * A secondary stopped (SIGTERM) the moment it serves a new version comes
 * back on that version, never an older one: the stop waits for the copy,
 * journal and state being written (serve.ts, TransferService.written). Each
 * round edits ns1, polls ns2 over UDP every few ms until it serves the new
 * serial, stops it at once, and reads the serial its restart loads from
 * disk (the `serving saved copy` line) with ns1 stopped, so nothing is
 * transferred in between. The transfers are IXFR (ns1 journals its edits),
 * the case where the change is journaled and the state saved after it.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { soaSerialUdp } from '../support/dns-client.js';
import { tyneYaml, zoneText } from '../support/tyne-config.js';
import { TynePair } from '../support/tyne-pair.js';
import { startTyne, tyneLogTail, type TyneProcess } from '../support/tyne-process.js';
import { until } from '../support/wait.js';

const ZONE = 'durable.example';
const ROUNDS = 6;

describe('a secondary stopped right after it serves a new version', { timeout: 120_000 }, () => {
  let pair: TynePair | undefined;
  let ns1: TyneProcess | null = null;
  let ns2: TyneProcess | null = null;
  after(async () => pair?.close(ns1, ns2));

  it(`comes back on that version (${ROUNDS} rounds)`, async () => {
    const pr = await TynePair.create('tyne-stop-durable-', ['ns2']);
    pair = pr;
    const ns1Yaml = tyneYaml({ listen: [`127.0.0.1:${pr.p1}`], server: ['watch: false'], primaries: [{ name: ZONE, file: 'ns1.zone', notify: [`127.0.0.1:${pr.p2}`] }] });
    const ns2Yaml = tyneYaml({ listen: [`127.0.0.1:${pr.p2}`], secondaries: [{ name: ZONE, primaries: [`127.0.0.1:${pr.p1}`], file: 'ns2/durable.example.zone' }] });
    pr.write('ns1.yaml', ns1Yaml);
    pr.write('ns2.yaml', ns2Yaml);
    let serial = 1;
    pr.write('ns1.zone', zoneText(ZONE, serial));
    for (let round = 0; round < ROUNDS; round++) {
      ns1 = await startTyne(pr.path('ns1.yaml'));
      ns2 = await startTyne(pr.path('ns2.yaml'));
      const held = serial;
      await until(`ns2 serves ${held}`, async () => (await soaSerialUdp(pr.p2, ZONE)) === held, { timeoutMs: 10_000 });
      serial++;
      const next = serial;
      pr.write('ns1.zone', zoneText(ZONE, next, { extra: [`v${next} TXT "version ${next}"`] }));
      ns1.child.kill('SIGHUP');
      await until(`ns2 serves ${next}`, async () => (await soaSerialUdp(pr.p2, ZONE, 200).catch(() => null)) === next, { timeoutMs: 10_000, everyMs: 2 });
      await ns2.stop();
      await ns1.stop();
      ns1 = null;
      // ns1 is down: what ns2 serves now is what it wrote before it stopped.
      ns2 = await startTyne(pr.path('ns2.yaml'));
      const loaded = await ns2.waitForLog((l) => l.msg === 'serving saved copy', 10_000);
      assert.equal(loaded.serial, next, `round ${round}: ns2 served ${next}, then came back on ${String(loaded.serial)}\n${tyneLogTail(ns2)}`);
      assert.equal(await soaSerialUdp(pr.p2, ZONE), next);
      await ns2.stop();
      ns2 = null;
    }
  });
});
