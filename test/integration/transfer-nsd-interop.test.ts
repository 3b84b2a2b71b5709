/**
 * Zone transfers from NSD 4.6 to `tyne serve`, with and without TSIG
 * (test/support/nsd-process.ts runs NSD); Tyne primary → NSD secondary is
 * a row of transfer-peer-secondary.test.ts:
 *
 * - NSD primary → Tyne secondary (test/support/peer-primary-suite.ts, the
 *   scenario Knot runs too): AXFR after NSD's NOTIFY; an edit of NSD's
 *   file and `nsd-control reload` reach Tyne by IXFR: NSD 4.6 serves IXFR
 *   made from the difference at a reload (`store-ixfr`, `create-ixfr`).
 *
 * After each transfer both servers' `dig AXFR` must be the same records.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { stopLeavesNothing } from '../support/daemon-process.js';
import type { DigKey } from '../support/dig.js';
import { interopSerial, interopZone, writeZoneFile, zoneFileLines } from '../support/interop-zone.js';
import { nsdConf, startNsd } from '../support/nsd-process.js';
import { nsdPrimary, peerPrimarySuite, type PeerEdit } from '../support/peer-primary-suite.js';
import { haveTool } from '../support/tools.js';
import { until } from '../support/wait.js';

const HAVE_TOOLS = haveTool('nsd') && haveTool('nsd-control') && haveTool('dig');
const KEY: DigKey = { algorithm: 'hmac-sha256', name: 'transfer', secret: 'dHluZS1uc2QtaW50ZXJvcC10cmFuc2Zlci1rZXktMDE=' };

const tail = (s: string, n = 4000): string => s.slice(-n);

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
      await stopLeavesNothing(await startNsd([{ name: 'smoke.example', file }]), 'nsd', async (nsd) => {
        assert.equal(await nsd.serial('smoke.example'), interopSerial(1));
        assert.match(await nsd.zoneStatus('smoke.example'), /state: master/);
        assert.deepEqual(await nsd.axfr('smoke.example'), zoneFileLines(file, 'smoke.example'));
        writeZoneFile(file, interopZone('smoke.example', 2), 5);
        await nsd.reload('smoke.example');
        await until('nsd serves the reloaded zone', async () => (await nsd.serial('smoke.example')) === interopSerial(2), { timeoutMs: 5000, everyMs: 50 });
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** NSD's part of the IXFR test: the file says serial 2, and NSD logs the IXFR it made at the reload and the one it sent. */
const NSD_EDIT: PeerEdit = {
  title: 'an edit of NSD\'s file and nsd-control reload reach Tyne by IXFR',
  text: (zone) => interopZone(zone, 2),
  servedSerial: () => Promise.resolve(interopSerial(2)),
  tookIxfr({ peer, peerMark }) {
    assert.match(peer.logSince(peerMark), /zone example\.com created IXFR/, tail(peer.log()));
    assert.match(peer.logSince(peerMark), /ixfr for example\.com\. from 127\.0\.0\.1/, tail(peer.log()));
    return Promise.resolve();
  },
};

for (const signed of [false, true]) peerPrimarySuite(nsdPrimary, NSD_EDIT, { key: KEY, signed });
