/**
 * Zone transfers from Knot DNS 3.2 (`knotd`) to `tyne serve`, with and
 * without TSIG (test/support/knotd-process.ts runs Knot); Tyne primary →
 * Knot secondary is a row of transfer-peer-secondary.test.ts:
 *
 * - Knot primary → Tyne secondary (test/support/peer-primary-suite.ts, the
 *   scenario NSD runs too): AXFR after Knot's NOTIFY; an edit of Knot's
 *   file and `knotc zone-reload` (`zonefile-load: difference-no-serial`,
 *   so Knot makes the difference and raises the serial itself) reach Tyne
 *   by IXFR.
 * - A catalog zone Knot generates (`catalog-role: generate`), copied by
 *   Tyne as an ordinary secondary zone. Knot answers a UDP SOA query for it
 *   with REFUSED and answers it over TCP only, so Tyne must ask over TCP;
 *   a member zone added to Knot's configuration changes the catalog, and
 *   Knot's NOTIFY brings the change to Tyne.
 *
 * After each transfer both servers' `dig AXFR` must be the same records.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { stopLeavesNothing } from '../support/daemon-process.js';
import { digAxfr, digShort, digStatus, type DigKey } from '../support/dig.js';
import { axfrSerial, interopSerial, interopZone, writeZoneFile, zoneFileLines } from '../support/interop-zone.js';
import { knotConf, startKnot, type KnotProcess, type KnotZone } from '../support/knotd-process.js';
import { knotPrimary, peerPrimarySuite, type PeerEdit } from '../support/peer-primary-suite.js';
import { freePort } from '../support/ports.js';
import { haveTool } from '../support/tools.js';
import { afterSoaCheckInterval, logNamesKey, startTyne, tyneLogTail, type TyneProcess } from '../support/tyne-process.js';
import { until } from '../support/wait.js';

const HAVE_TOOLS = haveTool('knotd') && haveTool('knotc') && haveTool('dig');
const ZONE = 'example.com';
const KEY: DigKey = { algorithm: 'hmac-sha256', name: 'transfer', secret: 'dHluZS1rbm90LWludGVyb3AtdHJhbnNmZXIta2V5LTAx' };
const KEYS_YAML = `keys:\n  - { name: ${KEY.name}, algorithm: ${KEY.algorithm}, secret: "${KEY.secret}" }\n`;

type Log = Record<string, unknown>;

const isKey = (v: unknown): boolean => logNamesKey(v, KEY.name);
const tail = (s: string, n = 4000): string => s.slice(-n);
const transferLine = (zone: string) => (l: Log): boolean => typeof l.msg === 'string' && l.msg.startsWith(`transfer of ${zone}.`);

describe('knotd-process helper', { skip: !HAVE_TOOLS, timeout: 20_000 }, () => {
  it('writes remotes and ACLs once each, keys, and keeps the control socket and zone storage in the folder', () => {
    const conf = knotConf('/tmp/x', 5300, [
      { name: 'a.example', primaries: [{ port: 5301, key: 'k' }], notify: [{ port: 5301, key: 'k' }] },
      { name: 'b.example', primaries: [{ port: 5301, key: 'k' }], allowTransfer: [{ key: 'k' }] },
    ], { keys: [{ ...KEY, name: 'k' }] });
    assert.equal(conf.match(/address: 127\.0\.0\.1@5301/g)?.length, 1, conf);
    assert.match(conf, /listen: "\/tmp\/x\/knot\.sock"/);
    assert.match(conf, /template:\n {2}- id: default\n {4}storage: "\/tmp\/x"/);
    assert.match(conf, /- id: acl\d\n {4}key: k\.\n {4}action: transfer/);
    assert.match(conf, /master: \[remote0\]/);
  });

  it('starts knotd on a free port, reloads a zone through its socket, and stop() leaves no process and no folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tyne-knot-smoke-'));
    const file = join(dir, 'smoke.zone');
    try {
      writeZoneFile(file, interopZone('smoke.example', 1));
      await stopLeavesNothing(await startKnot([{ name: 'smoke.example', file, zonefileLoad: 'difference-no-serial' }]), 'knotd', async (knot) => {
        assert.equal(await knot.serial('smoke.example'), interopSerial(1));
        assert.equal(await knot.servedSerial('smoke.example'), interopSerial(1));
        assert.equal((await knot.zoneStatus('smoke.example')).role, 'master');
        assert.deepEqual(await knot.axfr('smoke.example'), zoneFileLines(file, 'smoke.example'));
        writeZoneFile(file, interopZone('smoke.example', 2, interopSerial(1)), 5);
        await knot.reload('smoke.example');
        assert.equal(await knot.serial('smoke.example'), interopSerial(1) + 1);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** Knot's part of the IXFR test: the file keeps serial 1; with difference-no-serial Knot serves the change under serial 1 + 1. */
const KNOT_EDIT: PeerEdit = {
  title: 'an edit of Knot\'s file and knotc zone-reload reach Tyne by IXFR (Knot raised the serial itself)',
  settle: afterSoaCheckInterval, // so that Knot's NOTIFY gets a line of its own
  text: (zone) => interopZone(zone, 2, interopSerial(1)),
  async servedSerial({ peer }) {
    const knotSerial = await peer.serial(ZONE);
    assert.equal(knotSerial, interopSerial(1) + 1, `Knot should have raised the serial:\n${tail(peer.log())}`);
    return knotSerial;
  },
  async tookIxfr({ tyne, peer, since, peerMark, logs }) {
    await peer.waitForLog(/\[example\.com\.\] IXFR, outgoing, remote 127\.0\.0\.1@\d+.*finished/, { since: peerMark, timeoutMs: 5000 });
    assert.ok(tyne.since(since, (l) => l.msg === 'notify received').length > 0, `Knot's NOTIFY for the change:\n${logs()}`);
  },
  // The records are version 2's; the SOA is Knot's.
  want: (fileLines, knotSerial) => fileLines.map((l) => l.replace(` ${interopSerial(1)} `, ` ${knotSerial} `)),
};

for (const signed of [false, true]) {
  const label = signed ? ' (TSIG)' : '';
  const key = signed ? KEY : undefined;

  peerPrimarySuite(knotPrimary, KNOT_EDIT, { key: KEY, signed });

  describe(`Knot-generated catalog zone → Tyne secondary${label}`, { skip: !HAVE_TOOLS, timeout: 30_000 }, () => {
    const CATALOG = 'catalog.invalid';
    let dir = '';
    let tyne: TyneProcess | null = null;
    let knot: KnotProcess | null = null;
    let tynePort = 0;
    const logs = (): string => `knot:\n${tail(knot?.log() ?? '')}\ntyne:\n${tyneLogTail(tyne)}`;
    const memberFile = (n: number): string => join(dir, `member${n}.zone`);
    const knotZones = (members: number): KnotZone[] => [
      {
        name: CATALOG,
        catalogRole: 'generate',
        notify: [{ port: tynePort, ...(signed ? { key: KEY.name } : {}) }],
        allowTransfer: [signed ? { address: '127.0.0.1', key: KEY.name } : { address: '127.0.0.1' }],
      },
      ...Array.from({ length: members }, (_, i): KnotZone => ({
        name: `member${i + 1}.example`, file: memberFile(i + 1), catalogRole: 'member', catalogZone: CATALOG,
      })),
    ];
    const ptrs = (lines: string[]): string[] => lines.filter((l) => l.split(' ')[3] === 'PTR').map((l) => l.split(' ')[4]!).sort();

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'tyne-knot-c-'));
      for (const n of [1, 2, 3]) writeZoneFile(memberFile(n), interopZone(`member${n}.example`, 1));
      tynePort = await freePort();
      knot = await startKnot(knotZones(2), signed ? { keys: [KEY] } : {});
      const primaries = signed ? `[{ address: "127.0.0.1:${knot.port}", key: ${KEY.name} }]` : `["127.0.0.1:${knot.port}"]`;
      writeFileSync(
        join(dir, 'tyne.yaml'),
        `listen: ["127.0.0.1:${tynePort}"]\nlog: { level: info }\n${signed ? KEYS_YAML : ''}zones:\n` +
          `  - name: ${CATALOG}\n    type: secondary\n    primaries: ${primaries}\n    file: data/catalog.zone\n    allow-transfer: ["127.0.0.1/32"]\n`,
      );
      // Knot first: Tyne's first refresh (within 5 s of its start) finds it up.
      tyne = await startTyne(join(dir, 'tyne.yaml'));
    });

    after(async () => {
      await tyne?.stop();
      await knot?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('Knot refuses the catalog zone\'s SOA over UDP and answers it over TCP (what the test is about)', async () => {
      assert.equal(await digStatus({ port: knot!.port, ...(key ? { key } : {}) }, CATALOG, 'SOA'), 'REFUSED');
      const overTcp = await knot!.servedSerial(CATALOG, key);
      assert.ok(overTcp !== null, 'Knot answers the SOA over TCP');
      assert.equal(overTcp, await knot!.serial(CATALOG));
    });

    it('Tyne copies the catalog zone as an ordinary secondary zone', async () => {
      const line = await tyne!.waitForLog(transferLine(CATALOG), 10_000).catch((e: Error) => assert.fail(`no transfer in: ${e.message}\n${logs()}`));
      assert.equal(line.kind, 'AXFR', JSON.stringify(line));
      assert.equal(line.serial, await knot!.serial(CATALOG));
      if (signed) assert.ok(isKey(line.key), JSON.stringify(line));
      await until('Tyne serves the catalog zone', async () => (await digShort({ port: tynePort }, CATALOG, 'SOA')).length === 1, { timeoutMs: 5000, everyMs: 50 });
      const fromTyne = await digAxfr({ port: tynePort }, CATALOG);
      assert.deepEqual(fromTyne, await knot!.axfr(CATALOG, key));
      assert.deepEqual(ptrs(fromTyne), ['member1.example.', 'member2.example.']);
    });

    it('a member zone added on Knot\'s side changes the catalog; Knot\'s NOTIFY brings the change to Tyne', async () => {
      const before = await knot!.serial(CATALOG);
      const since = tyne!.mark();
      await knot!.reconfigure(knotZones(3));
      await until('Knot has a new catalog serial', async () => (await knot!.serial(CATALOG)) !== before, { timeoutMs: 5000, everyMs: 50 });
      const serial = await knot!.serial(CATALOG);
      const notified = await tyne!.waitAfter(since, (l) => l.msg === 'notify received' && l.zone === `${CATALOG}.`, 5000)
        .catch((e: Error) => assert.fail(`Knot's NOTIFY should reach Tyne: ${e.message}\n${logs()}`));
      if (signed) assert.ok(isKey(notified.key), JSON.stringify(notified));
      const line = await tyne!.waitAfter(since, (l) => transferLine(CATALOG)(l) && l.serial === serial, 5000)
        .catch((e: Error) => assert.fail(`no transfer of ${serial}: ${e.message}\n${logs()}`));
      assert.equal(line.fromSerial, before, JSON.stringify(line));
      // Still refused over UDP: the copy came over TCP only.
      assert.equal(await digStatus({ port: knot!.port, ...(key ? { key } : {}) }, CATALOG, 'SOA'), 'REFUSED');
      await until('Tyne serves the new catalog serial', async () => axfrSerial(await digAxfr({ port: tynePort }, CATALOG)) === serial, { timeoutMs: 5000, everyMs: 50 });
      const fromTyne = await digAxfr({ port: tynePort }, CATALOG);
      assert.deepEqual(fromTyne, await knot!.axfr(CATALOG, key));
      assert.deepEqual(ptrs(fromTyne), ['member1.example.', 'member2.example.', 'member3.example.']);
    });
  });
}
