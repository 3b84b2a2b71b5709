/**
 * The secondary's disk fills up (issue 12 item 7, "Disk full"): a Tyne
 * primary (ns1) and secondary (ns2), real processes; ns2's copy lives on a
 * real 1 MiB tmpfs, filled up while running so that the small state file
 * still fits and the copy does not. ns1 serves a bigger version:
 *  - ns2 serves it from memory and logs the failed save (ENOSPC);
 *  - while the save fails, refreshes find the zone up to date, and the
 *    state file still names the serial the copy on disk holds (it used to
 *    name the new one, a serial ahead of the copy);
 *  - once space is freed the save is retried on its own (backoff from 1 s),
 *    with no new transfer, and the copy on disk holds the new version;
 *  - restarted with ns1 down, ns2 serves the new version.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { digSerial, digShort } from '../support/dig.js';
import { copySerial, stateSerial } from '../support/saved-copy.js';
import { fillDisk, freeDisk, mountTmpfs, tmpfsAvailable, unmountTmpfs } from '../support/tmpfs.js';
import { haveTool } from '../support/tools.js';
import { tyneYaml, zoneText } from '../support/tyne-config.js';
import { startTyne, tyneLogTail, type TyneProcess } from '../support/tyne-process.js';
import { TynePair } from '../support/tyne-pair.js';
import { sleep, until } from '../support/wait.js';

const ZONE = 'full.example';
/** SOA refresh and retry of 1 s (with min-refresh-time: 1s): ns2 checks ns1 about every second. */
const SOA = '1 1 604800 300';

type Log = Record<string, unknown>;

describe('a secondary whose disk is full', { skip: !haveTool('dig') || !tmpfsAvailable(), timeout: 90_000 }, () => {
  let rig: TynePair;
  let disk = '';
  let ns1: TyneProcess | null = null;
  let ns2: TyneProcess | null = null;
  const copy = (): string => join(disk, `${ZONE}.zone`);
  const filler = (): string => join(disk, 'filler');

  before(async () => {
    rig = await TynePair.create('tyne-disk-full-');
    disk = rig.path('disk');
    mountTmpfs(disk, 1024 * 1024);
    rig.write(`${ZONE}.zone`, zoneText(ZONE, 1, { hosts: 20, soa: SOA }));
    rig.write('ns1.yaml', tyneYaml({ listen: [`127.0.0.1:${rig.p1}`], server: ['watch-settle: 50ms'], primaries: [{ name: ZONE, file: `${ZONE}.zone`, notify: [`127.0.0.1:${rig.p2}`] }] }));
    rig.write(
      'ns2.yaml',
      tyneYaml({
        listen: [`127.0.0.1:${rig.p2}`],
        server: ['min-refresh-time: 1s', 'min-retry-time: 1s'],
        secondaries: [{ name: ZONE, primaries: [`127.0.0.1:${rig.p1}`], file: copy() }],
      }),
    );
    ns1 = await startTyne(rig.path('ns1.yaml'));
    ns2 = await startTyne(rig.path('ns2.yaml'));
    await until('ns2 saved serial 1', () => copySerial(copy()) === 1 && stateSerial(copy()) === 1, { timeoutMs: 15_000, everyMs: 20, detail: () => tyneLogTail(ns2) });
  });

  after(async () => {
    await Promise.allSettled([ns1?.stop(), ns2?.stop()]);
    if (disk !== '') unmountTmpfs(disk);
    await rig?.close();
  });

  it('serves the new version, keeps the state at the serial on disk, saves it once space is back, and serves it after a restart', async () => {
    // Room for the state file (a page or two), none for a 3000-host copy (about 90 KB).
    const free = fillDisk(filler(), 16 * 1024);
    assert.ok(free < 32 * 1024, `the disk is nearly full (${free} octets free)`);
    const m = ns2!.mark();
    rig.write(`${ZONE}.zone`, zoneText(ZONE, 2, { hosts: 3000, soa: SOA }));
    await until('ns2 serves serial 2', async () => (await digSerial({ port: rig.p2 }, ZONE)) === 2, { timeoutMs: 15_000, everyMs: 50, detail: () => tyneLogTail(ns2) });
    assert.deepEqual(await digShort({ port: rig.p2 }, `h2999.${ZONE}`, 'A'), ['198.51.111.183'], 'the new version is served from memory');
    const failed = await ns2!.waitAfter(m, (l: Log) => l.level === 50 && typeof l.msg === 'string' && /could not save/.test(l.msg), 10_000);
    assert.match(`${String(failed.code)} ${String((failed.err as { message?: string }).message)}`, /ENOSPC/, JSON.stringify(failed));
    // Refreshes find the zone up to date meanwhile (about one a second).
    await ns2!.waitAfter(m, (l: Log) => l.msg === 'zone is up to date', 10_000);
    await ns2!.waitAfter(ns2!.mark(), (l: Log) => l.msg === 'zone is up to date', 10_000);
    assert.equal(copySerial(copy()), 1, 'the copy on disk is still the old version');
    assert.equal(stateSerial(copy()), 1, 'and the state file names that version, not the one only in memory');

    const before = ns2!.mark();
    freeDisk(filler());
    await until('the copy on disk holds serial 2', () => copySerial(copy()) === 2 && stateSerial(copy()) === 2, { timeoutMs: 25_000, everyMs: 50, detail: () => tyneLogTail(ns2) });
    const transfers = ns2!.since(before, (l: Log) => typeof l.msg === 'string' && l.msg.startsWith(`transfer of ${ZONE}.`));
    assert.deepEqual(transfers, [], 'saved by the retry, not by a new transfer');
    await ns2!.waitAfter(before, (l: Log) => typeof l.msg === 'string' && /^saved copy written after \d+ failed attempt/.test(l.msg), 5000);
    const errors = ns2!.since(m, (l: Log) => l.level === 50);
    assert.ok(errors.length <= 3, `save failures are logged rate-limited (${errors.length} error lines): ${JSON.stringify(errors)}`);

    assert.equal(await ns1!.stop(), 0);
    ns1 = null;
    assert.equal(await ns2!.stop(), 0);
    ns2 = await startTyne(rig.path('ns2.yaml'));
    assert.equal((await ns2.waitForLog((l: Log) => l.msg === 'serving saved copy', 10_000)).serial, 2);
    await sleep(50);
    assert.equal(await digSerial({ port: rig.p2 }, ZONE), 2, 'the saved version is served with the primary down');
  });
});
