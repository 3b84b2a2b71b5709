/**
 * Peer primary → Tyne secondary, one scenario for the peers that serve a
 * zone from a file and send NOTIFY: Knot (knotd-process.ts) and NSD
 * (nsd-process.ts), used by transfer-knot-interop.test.ts and
 * transfer-nsd-interop.test.ts, with and without TSIG.
 *
 * - A scratch folder holds the peer's zone file and a tyne.yaml that makes
 *   Tyne a secondary of the peer; Tyne starts first, so that the peer's
 *   NOTIFY after loading finds it listening.
 * - Tyne copies the zone by AXFR after the peer's NOTIFY.
 * - An edit of the peer's file and a reload reach Tyne by IXFR. How the
 *   peer sets the new serial, what its log must say, and the test's title
 *   come from the test file (a PeerEdit).
 *
 * After each transfer both servers' `dig AXFR` must be the same records.
 * A PrimaryAdapter per peer (knotPrimary, nsdPrimary, below) says how to
 * start it; the running peer is a PeerPrimary (KnotProcess and NsdProcess
 * both are one).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { DaemonProcess } from './daemon-process.js';
import { digAxfr, digShort, type DigKey } from './dig.js';
import { axfrSerial, interopSerial, interopZone, writeZoneFile, zoneFileLines } from './interop-zone.js';
import { startKnot } from './knotd-process.js';
import { startNsd } from './nsd-process.js';
import { freePort } from './ports.js';
import { haveTool } from './tools.js';
import { logNamesKey, startTyne, tyneLogTail, type TyneProcess } from './tyne-process.js';
import { until } from './wait.js';

const ZONE = 'example.com';

/** What the scenario needs of a running peer primary (its log, mark and stop come from DaemonProcess). */
export interface PeerPrimary extends DaemonProcess {
  /** The serial the peer has for the zone, or null. */
  serial(zone: string): Promise<number | null>;
  /** `dig AXFR` of the zone from the peer. */
  axfr(zone: string, key?: DigKey): Promise<string[]>;
  /** Has the peer re-read the zone's file. */
  reload(zone: string): Promise<void>;
}

/** How to run one peer as the primary. */
export interface PrimaryAdapter {
  /** In titles and messages: `Knot`, `NSD`. */
  name: string;
  /** In folder and file names and in failure logs: `knot`, `nsd`. */
  tag: string;
  /** The tools it needs (the scenario is skipped without them). */
  tools: readonly string[];
  /**
   * Starts the peer on `port` as the primary of `zone` read from `file`,
   * with NOTIFY to Tyne on `tynePort` and transfers allowed from
   * 127.0.0.1, both signed with `key` when given.
   */
  start(o: { zone: string; file: string; port: number; tynePort: number; key: DigKey | undefined }): Promise<PeerPrimary>;
}

/** The running scenario, for a PeerEdit's checks. */
export interface PrimaryRun {
  tyne: TyneProcess;
  peer: PeerPrimary;
  signed: boolean;
  /** Tyne's log mark taken just before the edit. */
  since: number;
  /** The peer's log mark taken just before the edit. */
  peerMark: number;
  /** Both servers' recent logs, for failure messages. */
  logs: () => string;
}

/** The peer's own part of the IXFR test. */
export interface PeerEdit {
  /** The test's title. */
  title: string;
  /** Runs before the marks are taken (Knot: wait out Tyne's SOA check interval, so that its NOTIFY gets a line of its own). */
  settle?(tyne: TyneProcess, zone: string): Promise<void>;
  /** The edited zone file's text. */
  text(zone: string): string;
  /** After the reload: the serial the peer now serves (asserting it when the peer chose it). */
  servedSerial(r: PrimaryRun): Promise<number>;
  /** After Tyne logged the IXFR: the peer's own word for it. */
  tookIxfr(r: PrimaryRun): Promise<void>;
  /** The records both servers must serve, from the file's records and the served serial (default: the file's). */
  want?(fileLines: string[], serial: number): string[];
}

const tail = (s: string, n = 4000): string => s.slice(-n);
const transferLine = (l: Record<string, unknown>): boolean => typeof l.msg === 'string' && l.msg.startsWith(`transfer of ${ZONE}.`);

/** The `<name> primary → Tyne secondary` describe block, signed with `key` or not. */
export function peerPrimarySuite(peerSide: PrimaryAdapter, edit: PeerEdit, opts: { key: DigKey; signed: boolean }): void {
  const { name, tag } = peerSide;
  const { signed } = opts;
  const key = signed ? opts.key : undefined;
  const isKey = (v: unknown): boolean => logNamesKey(v, opts.key.name);
  const keysYaml = `keys:\n  - { name: ${opts.key.name}, algorithm: ${opts.key.algorithm}, secret: "${opts.key.secret}" }\n`;

  describe(`${name} primary → Tyne secondary${signed ? ' (TSIG)' : ''}`, { skip: !peerSide.tools.every(haveTool), timeout: 30_000 }, () => {
    let dir = '';
    let tyne: TyneProcess | null = null;
    let peer: PeerPrimary | null = null;
    let tynePort = 0;
    const zoneFile = (): string => join(dir, `${tag}-example.com.zone`);
    const logs = (): string => `${tag}:\n${tail(peer?.log() ?? '')}\ntyne:\n${tyneLogTail(tyne)}`;
    const bothEqual = async (): Promise<string[]> => {
      const [fromTyne, fromPeer] = await Promise.all([digAxfr({ port: tynePort }, ZONE), peer!.axfr(ZONE, key)]);
      assert.ok(fromPeer.length > 50, `${name}'s AXFR has ${fromPeer.length} records`);
      assert.deepEqual(fromTyne, fromPeer);
      return fromTyne;
    };

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), `tyne-${tag}-s-`));
      writeZoneFile(zoneFile(), interopZone(ZONE, 1), -10);
      tynePort = await freePort();
      const peerPort = await freePort();
      const primaries = signed ? `[{ address: "127.0.0.1:${peerPort}", key: ${opts.key.name} }]` : `["127.0.0.1:${peerPort}"]`;
      writeFileSync(
        join(dir, 'tyne.yaml'),
        `listen: ["127.0.0.1:${tynePort}"]\nlog: { level: info }\n${signed ? keysYaml : ''}zones:\n` +
          `  - name: ${ZONE}\n    type: secondary\n    primaries: ${primaries}\n    file: data/example.com.zone\n    allow-transfer: ["127.0.0.1/32"]\n`,
      );
      // Tyne first, so that the peer's NOTIFY after loading finds it listening.
      tyne = await startTyne(join(dir, 'tyne.yaml'));
      peer = await peerSide.start({ zone: ZONE, file: zoneFile(), port: peerPort, tynePort, key });
    });

    after(async () => {
      await tyne?.stop();
      await peer?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it(`Tyne copies the zone by AXFR after ${name}'s NOTIFY`, async () => {
      const line = await tyne!.waitForLog(transferLine, 10_000).catch((e: Error) => assert.fail(`no transfer in: ${e.message}\n${logs()}`));
      assert.equal(line.kind, 'AXFR', JSON.stringify(line));
      assert.equal(line.serial, interopSerial(1));
      if (signed) assert.ok(isKey(line.key), JSON.stringify(line));
      const notified = await tyne!.waitForLog((l) => l.msg === 'notify received', 5000)
        .catch((e: Error) => assert.fail(`${name}'s NOTIFY should have reached Tyne: ${e.message}\n${logs()}`));
      if (signed) assert.ok(isKey(notified.key), `${name} signs its NOTIFY: ${JSON.stringify(notified)}`);
      await until('Tyne serves the zone', async () => (await digShort({ port: tynePort }, ZONE, 'SOA')).length === 1, { timeoutMs: 5000, everyMs: 50 });
      assert.deepEqual(await bothEqual(), zoneFileLines(zoneFile(), ZONE));
    });

    it(edit.title, async () => {
      await edit.settle?.(tyne!, ZONE);
      const run: PrimaryRun = { tyne: tyne!, peer: peer!, signed, since: tyne!.mark(), peerMark: peer!.mark(), logs };
      writeZoneFile(zoneFile(), edit.text(ZONE), 5);
      await peer!.reload(ZONE);
      const serial = await edit.servedSerial(run);
      const line = await tyne!.waitAfter(run.since, (l) => transferLine(l) && l.serial === serial, 10_000)
        .catch((e: Error) => assert.fail(`no transfer of ${serial}: ${e.message}\n${logs()}`));
      assert.equal(line.kind, 'IXFR', JSON.stringify(line));
      assert.equal(line.fallback ?? null, null, JSON.stringify(line));
      assert.equal(line.fromSerial, interopSerial(1), JSON.stringify(line));
      assert.ok((line.bytes as number) < 1000, `a difference, not the zone: ${JSON.stringify(line)}`);
      if (signed) assert.ok(isKey(line.key), JSON.stringify(line));
      await edit.tookIxfr(run);
      await until('Tyne serves the new serial', async () => axfrSerial(await digAxfr({ port: tynePort }, ZONE)) === serial, { timeoutMs: 5000, everyMs: 50 });
      const lines = await bothEqual();
      const fileLines = zoneFileLines(zoneFile(), ZONE);
      assert.deepEqual(lines, edit.want?.(fileLines, serial) ?? fileLines);
    });
  });
}

/** The `key:` of a NOTIFY target or an ACL entry: the key's name, or none. */
const keyName = (key: DigKey | undefined): { key?: string } => (key ? { key: key.name } : {});
/** NOTIFY to Tyne on `tynePort`. */
const notifyTyne = (tynePort: number, key: DigKey | undefined): { port: number; key?: string }[] => [{ port: tynePort, ...keyName(key) }];
/** The peer's `keys` option. */
const keysOf = (key: DigKey | undefined): { keys?: DigKey[] } => (key ? { keys: [key] } : {});

/** Knot as the primary: `zonefile-load: difference-no-serial`, so that Knot makes the difference of an edit and raises the serial itself. */
export const knotPrimary: PrimaryAdapter = {
  name: 'Knot',
  tag: 'knot',
  tools: ['knotd', 'knotc', 'dig'],
  start: ({ zone, file, port, tynePort, key }) => startKnot(
    [{ name: zone, file, zonefileLoad: 'difference-no-serial', notify: notifyTyne(tynePort, key), allowTransfer: [{ address: '127.0.0.1', ...keyName(key) }] }],
    { port, ...keysOf(key) },
  ),
};

/** NSD as the primary (it makes an IXFR from the difference at a reload: `store-ixfr`, `create-ixfr`). */
export const nsdPrimary: PrimaryAdapter = {
  name: 'NSD',
  tag: 'nsd',
  tools: ['nsd', 'nsd-control', 'dig'],
  start: ({ zone, file, port, tynePort, key }) => startNsd(
    [{ name: zone, file, notify: notifyTyne(tynePort, key), allowTransfer: [keyName(key)] }],
    { port, ...keysOf(key) },
  ),
};
