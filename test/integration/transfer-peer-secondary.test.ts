/**
 * Tyne primary → another server's secondary zone, with and without TSIG,
 * one table over the peers: Knot DNS 3.2 (`knotd`, test/support/knotd-process.ts)
 * and NSD 4.6 (test/support/nsd-process.ts).
 *
 * - The peer copies the zone from Tyne by AXFR.
 * - An edit of Tyne's zone file, picked up by Tyne's file watching (no
 *   signal), reaches the peer by NOTIFY and IXFR.
 *
 * Tyne's `transfer out` lines say which kind it sent; a row adds the peer's
 * own word for it. Knot names the kind in its log. NSD names no kind (at
 * any verbosity in Debian's build), only the size of each update it took,
 * so the IXFR must be far smaller than the AXFR before it. After each
 * transfer the peer's `dig AXFR` must be Tyne's and the file's records.
 * (The other direction and each peer's own features are in
 * transfer-knot-interop.test.ts and transfer-nsd-interop.test.ts.)
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { DaemonProcess } from '../support/daemon-process.js';
import { digAxfr, type DigKey } from '../support/dig.js';
import { interopSerial, interopZone, writeZoneFile, zoneFileLines } from '../support/interop-zone.js';
import { startKnot } from '../support/knotd-process.js';
import { startNsd } from '../support/nsd-process.js';
import { freePort } from '../support/ports.js';
import { haveTool } from '../support/tools.js';
import { logNamesKey, startTyne, tyneLogTail, type TyneProcess } from '../support/tyne-process.js';
import { until } from '../support/wait.js';

const ZONE = 'example.com';
const KEY: DigKey = { algorithm: 'hmac-sha256', name: 'transfer', secret: 'dHluZS1wZWVyLXNlY29uZGFyeS10cmFuc2Zlci1rZXktMDE=' };
const KEYS_YAML = `keys:\n  - { name: ${KEY.name}, algorithm: ${KEY.algorithm}, secret: "${KEY.secret}" }\n`;

const isKey = (v: unknown): boolean => logNamesKey(v, KEY.name);

/** What the scenario needs of a peer secondary (knotd-process.ts and nsd-process.ts both give it). */
interface PeerSecondary extends DaemonProcess {
  /** The serial the peer holds for the zone, or null. */
  serial(zone: string): Promise<number | null>;
  /** `dig AXFR` of the zone from the peer. */
  axfr(zone: string, key?: DigKey): Promise<string[]>;
}

/** One scenario's running servers, for a row's checks of the peer's log. */
interface Run {
  peer: PeerSecondary;
  tynePort: number;
  signed: boolean;
  /** The peer's log mark taken just before the edit (IXFR checks only). */
  peerMark: number;
  /** Both servers' recent logs, for failure messages. */
  logs: () => string;
}

interface PeerRow {
  name: string;
  tools: readonly string[];
  /** Starts the peer on `port` as a secondary of ZONE whose primary is Tyne on `tynePort` (TSIG with `key` when given). */
  start(tynePort: number, port: number, key: DigKey | undefined): Promise<PeerSecondary>;
  /** After Tyne logged the AXFR out: the peer's own word that it took the zone by AXFR. */
  tookAxfr(r: Run): Promise<void>;
  /** After Tyne logged the IXFR out: the peer's own word that it took the edit by IXFR, after Tyne's NOTIFY. */
  tookIxfr(r: Run): Promise<void>;
}

const primaries = (tynePort: number, key: DigKey | undefined): { port: number; key?: string }[] =>
  [{ port: tynePort, ...(key !== undefined ? { key: key.name } : {}) }];
const keys = (key: DigKey | undefined): { keys?: DigKey[] } => (key !== undefined ? { keys: [key] } : {});

const PEERS: readonly PeerRow[] = [
  {
    name: 'Knot',
    tools: ['knotd', 'knotc', 'dig'],
    start: (tynePort, port, key) => startKnot([{ name: ZONE, primaries: primaries(tynePort, key) }], { port, ...keys(key) }),
    async tookAxfr({ peer }) {
      await peer.waitForLog(/\[example\.com\.\] AXFR, incoming, remote 127\.0\.0\.1@\d+.*finished/, { timeoutMs: 10_000 });
      // Once Knot logs the transfer finished, its zone status has the copy.
      assert.equal(await peer.serial(ZONE), interopSerial(1));
    },
    async tookIxfr({ peer, peerMark, logs }) {
      await peer.waitForLog(/\[example\.com\.\] IXFR, incoming, remote 127\.0\.0\.1@\d+.*finished.*/, { since: peerMark, timeoutMs: 10_000 });
      assert.doesNotMatch(peer.logSince(peerMark), /AXFR, incoming/, `no full transfer:\n${peer.logSince(peerMark)}`);
      // Knot took the NOTIFY (with TSIG its ACL admits only a signed one; Knot does not log keys).
      assert.match(peer.logSince(peerMark), new RegExp(`\\[example\\.com\\.\\] notify, incoming, remote 127\\.0\\.0\\.1@\\d+, serial ${interopSerial(2)}`), logs());
    },
  },
  {
    name: 'NSD',
    tools: ['nsd', 'nsd-control', 'dig'],
    start: (tynePort, port, key) => startNsd([{ name: ZONE, primaries: primaries(tynePort, key) }], { port, ...keys(key) }),
    // NSD names no kind: Tyne's `transfer out` line is the word for the AXFR, and
    // the size NSD logs for it is what the IXFR is measured against below.
    tookAxfr: async () => {},
    async tookIxfr({ peer, peerMark, tynePort, signed }) {
      const update = (serial: number, since: number): Promise<RegExpExecArray> => peer.waitForLog(
        new RegExp(`zone ${ZONE}\\. received update to serial ${serial} at \\S+ from 127\\.0\\.0\\.1@${tynePort}( TSIG verified with key ${KEY.name})? of (\\d+) bytes`),
        { since, timeoutMs: 10_000 },
      );
      const ixfr = await update(interopSerial(2), peerMark);
      const axfr = await update(interopSerial(1), 0);
      assert.ok(Number(ixfr[2]) * 3 < Number(axfr[2]), `NSD took ${ixfr[2]} bytes for the edit, ${axfr[2]} for the whole zone:\n${ixfr[0]}\n${axfr[0]}`);
      assert.equal(ixfr[1] !== undefined, signed, `TSIG verified by NSD: ${ixfr[0]}`);
    },
  },
];

for (const row of PEERS) {
  const haveTools = row.tools.every((t) => haveTool(t));
  for (const signed of [false, true]) {
    const key = signed ? KEY : undefined;

    describe(`Tyne primary → ${row.name} secondary${signed ? ' (TSIG)' : ''}`, { skip: !haveTools, timeout: 30_000 }, () => {
      let dir = '';
      let tyne: TyneProcess | null = null;
      let peer: PeerSecondary | null = null;
      let tynePort = 0;
      const zoneFile = (): string => join(dir, 'example.com.zone');
      const logs = (): string => `${row.name}:\n${(peer?.log() ?? '').slice(-4000)}\ntyne:\n${tyneLogTail(tyne)}`;
      const run = (peerMark = 0): Run => ({ peer: peer!, tynePort, signed, peerMark, logs });
      const sameEverywhere = async (): Promise<void> => {
        const fromPeer = await peer!.axfr(ZONE);
        assert.deepEqual(fromPeer, await digAxfr({ port: tynePort, ...(key ? { key } : {}) }, ZONE));
        assert.deepEqual(fromPeer, zoneFileLines(zoneFile(), ZONE));
      };

      before(async () => {
        dir = mkdtempSync(join(tmpdir(), `tyne-${row.name.toLowerCase()}-p-`));
        writeZoneFile(zoneFile(), interopZone(ZONE, 1), -10);
        tynePort = await freePort();
        const peerPort = await freePort();
        const notify = signed ? `[{ address: "127.0.0.1:${peerPort}", key: ${KEY.name} }]` : `["127.0.0.1:${peerPort}"]`;
        const allow = signed ? `[{ key: ${KEY.name} }]` : '["127.0.0.1/32"]';
        writeFileSync(
          join(dir, 'tyne.yaml'),
          `listen: ["127.0.0.1:${tynePort}"]\nlog: { level: info }\n${signed ? KEYS_YAML : ''}zones:\n` +
            `  - name: ${ZONE}\n    file: example.com.zone\n    notify: ${notify}\n    allow-transfer: ${allow}\n`,
        );
        // Tyne first: the peer, once up, asks Tyne for its empty secondary zone at once.
        tyne = await startTyne(join(dir, 'tyne.yaml'));
        peer = await row.start(tynePort, peerPort, key);
      });

      after(async () => {
        await tyne?.stop();
        await peer?.stop();
        if (dir) rmSync(dir, { recursive: true, force: true });
      });

      it(`${row.name} copies the zone from Tyne by AXFR`, async () => {
        const out = await tyne!.waitForLog((l) => l.msg === 'transfer out', 10_000)
          .catch((e: Error) => assert.fail(`no transfer out: ${e.message}\n${logs()}`));
        assert.equal(out.kind, 'AXFR', JSON.stringify(out));
        assert.equal((out.serial as { to: number }).to, interopSerial(1));
        if (signed) assert.ok(isKey(out.key), `transfer out should name the key: ${JSON.stringify(out)}`);
        else assert.equal(out.key, null);
        await row.tookAxfr(run());
        await until(`${row.name} serves the zone`, async () => (await peer!.serial(ZONE)) === interopSerial(1), { timeoutMs: 10_000, everyMs: 50, detail: logs });
        await sameEverywhere();
      });

      it(`an edit to the zone file, picked up by Tyne on its own, reaches ${row.name} by NOTIFY and IXFR`, async () => {
        const since = tyne!.mark();
        const peerMark = peer!.mark();
        writeZoneFile(zoneFile(), interopZone(ZONE, 2), 5);
        const reloaded = await tyne!.waitAfter(since, (l) => l.msg === 'zone reloaded', 5000);
        assert.ok(JSON.stringify(reloaded).includes(String(interopSerial(2))), JSON.stringify(reloaded));
        const out = await tyne!.waitAfter(since, (l) => l.msg === 'transfer out' && (l.serial as { to?: number })?.to === interopSerial(2), 10_000)
          .catch((e: Error) => assert.fail(`no transfer out for ${interopSerial(2)}: ${e.message}\n${logs()}`));
        assert.equal(out.kind, 'IXFR', JSON.stringify(out));
        assert.deepEqual(out.serial, { from: interopSerial(1), to: interopSerial(2) });
        assert.ok((out.records as number) < 20, `a difference, not the zone: ${JSON.stringify(out)}`);
        if (signed) assert.ok(isKey(out.key), JSON.stringify(out));
        // The peer acknowledged the NOTIFY. (It may ask for the IXFR before Tyne has logged the acknowledgement.)
        await tyne!.waitAfter(since, (l) => l.msg === 'NOTIFY acknowledged' && l.serial === interopSerial(2), 5000);
        await row.tookIxfr(run(peerMark));
        await until(`${row.name} serves the new serial`, async () => (await peer!.serial(ZONE)) === interopSerial(2), { timeoutMs: 5000, everyMs: 50, detail: logs });
        await sameEverywhere();
      });
    });
  }
}
