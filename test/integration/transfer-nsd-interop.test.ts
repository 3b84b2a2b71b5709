/**
 * Zone transfers from NSD 4.6 to `tyne serve`, with and without TSIG
 * (test/support/nsd-process.ts runs NSD); Tyne primary → NSD secondary is
 * a row of transfer-peer-secondary.test.ts:
 *
 * - NSD primary → Tyne secondary: AXFR after NSD's NOTIFY; an edit of NSD's
 *   file and `nsd-control reload` reach Tyne by IXFR: NSD 4.6 serves IXFR
 *   made from the difference at a reload (`store-ixfr`, `create-ixfr`).
 *
 * After each transfer both servers' `dig AXFR` must be the same records.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { digAxfr, digShort, type DigKey } from '../support/dig.js';
import { axfrSerial, interopSerial, interopZone, writeZoneFile, zoneFileLines } from '../support/interop-zone.js';
import { nsdConf, startNsd, type NsdProcess } from '../support/nsd-process.js';
import { freePort } from '../support/ports.js';
import { haveTool } from '../support/tools.js';
import { logNamesKey, startTyne, tyneLogTail, type TyneProcess } from '../support/tyne-process.js';
import { until } from '../support/wait.js';

const HAVE_TOOLS = haveTool('nsd') && haveTool('nsd-control') && haveTool('dig');
const ZONE = 'example.com';
const KEY: DigKey = { algorithm: 'hmac-sha256', name: 'transfer', secret: 'dHluZS1uc2QtaW50ZXJvcC10cmFuc2Zlci1rZXktMDE=' };
const KEYS_YAML = `keys:\n  - { name: ${KEY.name}, algorithm: ${KEY.algorithm}, secret: "${KEY.secret}" }\n`;

type Log = Record<string, unknown>;

const isKey = (v: unknown): boolean => logNamesKey(v, KEY.name);
const tail = (s: string, n = 4000): string => s.slice(-n);
const transferLine = (l: Log): boolean => typeof l.msg === 'string' && l.msg.startsWith(`transfer of ${ZONE}.`);

describe('nsd-process helper', { skip: !HAVE_TOOLS, timeout: 20_000 }, () => {
  it('keeps every file NSD writes in the folder and switches to no user', () => {
    const conf = nsdConf('/tmp/x', 5300, [
      { name: 'a.example', primaries: [{ port: 5301, key: 'k' }] },
      { name: 'b.example', file: '/tmp/b.zone', notify: [{ port: 5302 }] },
    ], { keys: [{ ...KEY, name: 'k' }] });
    for (const line of ['username: ""', 'database: ""', 'pidfile: "/tmp/x/nsd.pid"', 'xfrdfile: "/tmp/x/xfrd.state"', 'zonelistfile: "/tmp/x/zone.list"', 'control-interface: "/tmp/x/nsd.sock"']) {
      assert.ok(conf.includes(`  ${line}\n`), `${line} in:\n${conf}`);
    }
    assert.match(conf, /request-xfr: 127\.0\.0\.1@5301 k\n {2}allow-notify: 127\.0\.0\.1 k\n/);
    assert.match(conf, /zonefile: "\/tmp\/x\/secondary-0\.zone"/);
    assert.match(conf, /notify: 127\.0\.0\.1@5302 NOKEY\n/);
  });

  it('starts nsd on a free port, reloads a zone through its socket, and stop() leaves no process and no folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tyne-nsd-smoke-'));
    const file = join(dir, 'smoke.zone');
    try {
      writeZoneFile(file, interopZone('smoke.example', 1), -10);
      const nsd = await startNsd([{ name: 'smoke.example', file }]);
      const pid = nsd.child.pid!;
      try {
        assert.equal(await nsd.serial('smoke.example'), interopSerial(1));
        assert.match(await nsd.zoneStatus('smoke.example'), /state: master/);
        assert.deepEqual(await nsd.axfr('smoke.example'), zoneFileLines(file, 'smoke.example'));
        writeZoneFile(file, interopZone('smoke.example', 2), 5);
        await nsd.reload('smoke.example');
        await until('nsd serves the reloaded zone', async () => (await nsd.serial('smoke.example')) === interopSerial(2), { timeoutMs: 5000, everyMs: 50 });
      } finally {
        await nsd.stop();
      }
      assert.equal(existsSync(nsd.dir), false, 'the temp folder is removed');
      assert.throws(() => process.kill(pid, 0), 'nsd is gone');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

for (const signed of [false, true]) {
  const label = signed ? ' (TSIG)' : '';
  const key = signed ? KEY : undefined;

  describe(`NSD primary → Tyne secondary${label}`, { skip: !HAVE_TOOLS, timeout: 30_000 }, () => {
    let dir = '';
    let tyne: TyneProcess | null = null;
    let nsd: NsdProcess | null = null;
    let tynePort = 0;
    const zoneFile = (): string => join(dir, 'nsd-example.com.zone');
    const logs = (): string => `nsd:\n${tail(nsd?.log() ?? '')}\ntyne:\n${tyneLogTail(tyne)}`;
    const bothEqual = async (): Promise<string[]> => {
      const [fromTyne, fromNsd] = await Promise.all([digAxfr({ port: tynePort }, ZONE), nsd!.axfr(ZONE, key)]);
      assert.ok(fromNsd.length > 50, `NSD's AXFR has ${fromNsd.length} records`);
      assert.deepEqual(fromTyne, fromNsd);
      return fromTyne;
    };

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'tyne-nsd-s-'));
      writeZoneFile(zoneFile(), interopZone(ZONE, 1), -10);
      tynePort = await freePort();
      const nsdPort = await freePort();
      const primaries = signed ? `[{ address: "127.0.0.1:${nsdPort}", key: ${KEY.name} }]` : `["127.0.0.1:${nsdPort}"]`;
      writeFileSync(
        join(dir, 'tyne.yaml'),
        `listen: ["127.0.0.1:${tynePort}"]\nlog: { level: info }\n${signed ? KEYS_YAML : ''}zones:\n` +
          `  - name: ${ZONE}\n    type: secondary\n    primaries: ${primaries}\n    file: data/example.com.zone\n    allow-transfer: ["127.0.0.1/32"]\n`,
      );
      // Tyne first, so that NSD's NOTIFY after loading finds it listening.
      tyne = await startTyne(join(dir, 'tyne.yaml'));
      nsd = await startNsd([{
        name: ZONE,
        file: zoneFile(),
        notify: [{ port: tynePort, ...(signed ? { key: KEY.name } : {}) }],
        allowTransfer: [signed ? { key: KEY.name } : {}],
      }], { port: nsdPort, ...(signed ? { keys: [KEY] } : {}) });
    });

    after(async () => {
      await tyne?.stop();
      await nsd?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('Tyne copies the zone by AXFR after NSD\'s NOTIFY', async () => {
      const line = await tyne!.waitForLog(transferLine, 10_000).catch((e: Error) => assert.fail(`no transfer in: ${e.message}\n${logs()}`));
      assert.equal(line.kind, 'AXFR', JSON.stringify(line));
      assert.equal(line.serial, interopSerial(1));
      if (signed) assert.ok(isKey(line.key), JSON.stringify(line));
      const notified = await tyne!.waitForLog((l) => l.msg === 'notify received', 5000)
        .catch((e: Error) => assert.fail(`NSD's NOTIFY should have reached Tyne: ${e.message}\n${logs()}`));
      if (signed) assert.ok(isKey(notified.key), `NSD signs its NOTIFY: ${JSON.stringify(notified)}`);
      await until('Tyne serves the zone', async () => (await digShort({ port: tynePort }, ZONE, 'SOA')).length === 1, { timeoutMs: 5000, everyMs: 50 });
      assert.deepEqual(await bothEqual(), zoneFileLines(zoneFile(), ZONE));
    });

    it('an edit of NSD\'s file and nsd-control reload reach Tyne by IXFR', async () => {
      const since = tyne!.mark();
      const nsdMark = nsd!.mark();
      writeZoneFile(zoneFile(), interopZone(ZONE, 2), 5);
      await nsd!.reload(ZONE);
      const line = await tyne!.waitAfter(since, (l) => transferLine(l) && l.serial === interopSerial(2), 10_000)
        .catch((e: Error) => assert.fail(`no transfer of ${interopSerial(2)}: ${e.message}\n${logs()}`));
      assert.equal(line.kind, 'IXFR', JSON.stringify(line));
      assert.equal(line.fallback ?? null, null, JSON.stringify(line));
      assert.equal(line.fromSerial, interopSerial(1), JSON.stringify(line));
      assert.ok((line.bytes as number) < 1000, `a difference, not the zone: ${JSON.stringify(line)}`);
      if (signed) assert.ok(isKey(line.key), JSON.stringify(line));
      assert.match(nsd!.logSince(nsdMark), /zone example\.com created IXFR/, tail(nsd!.log()));
      assert.match(nsd!.logSince(nsdMark), /ixfr for example\.com\. from 127\.0\.0\.1/, tail(nsd!.log()));
      await until('Tyne serves the new serial', async () => axfrSerial(await digAxfr({ port: tynePort }, ZONE)) === interopSerial(2), { timeoutMs: 5000, everyMs: 50 });
      assert.deepEqual(await bothEqual(), zoneFileLines(zoneFile(), ZONE));
    });
  });
}
