/**
 * Issue 14 §1: a zone directory on ns1. Every matching file in the folder
 * is a primary zone named after its file; new, changed, renamed and
 * removed files are picked up through the folder's watch; ignored names,
 * bad files and clashes are refused with an error; a folder that goes
 * missing or empty, or a scan that would remove more than max-removals
 * zones, removes nothing until SIGHUP. Real daemon, real files, dig.
 */
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { digSerial, digStatus } from '../support/dig.js';
import { haveTool } from '../support/tools.js';
import { zoneText } from '../support/tyne-config.js';
import type { TyneProcess } from '../support/tyne-process.js';
import { until } from '../support/wait.js';
import { closeZoneDirectoryRigs, QUICK_WATCH, startZoneDirectoryRig, type ZoneDirectoryRig } from '../support/zone-directory-rig.js';

after(closeZoneDirectoryRigs);

const have = haveTool('dig');

interface Rig extends ZoneDirectoryRig {
  /** Writes a customer zone file (`<name>.zone` unless `file` is given), whole, by a rename. */
  put(name: string, serial: number, file?: string): void;
  /** Waits until `name` serves `serial` (null: until it is not served, REFUSED); resolves with the ms it took. */
  served(name: string, serial: number | null, timeoutMs?: number): Promise<number>;
}

/** Writes a zone file into `folder`, whole, by a rename. */
function putIn(folder: string, name: string, serial: number, file?: string): void {
  const tmp = join(folder, `.put-${process.pid}.tmp`);
  writeFileSync(tmp, zoneText(name, serial));
  renameSync(tmp, join(folder, file ?? `${name}.zone`));
}

async function rig(opts: { files?: [string, number][]; server?: string[]; extra?: string[]; configured?: string[]; policy?: string } = {}): Promise<Rig> {
  const base = await startZoneDirectoryRig({
    prefix: 'tyne-zone-dirs-',
    zones: (opts.files ?? []).map(([name, serial]) => [name, zoneText(name, serial)] as const),
    files: (opts.configured ?? []).map((name) => [`${name}.zone`, zoneText(name, 500)] as const),
    directory: { extra: [`serial-policy: ${opts.policy ?? 'file'}`, ...(opts.extra ?? [])] },
    yaml: () => ({
      server: [...QUICK_WATCH, ...(opts.server ?? [])],
      primaries: (opts.configured ?? []).map((name) => ({ name, file: `${name}.zone`, extra: ['serial-policy: file'] })),
    }),
  });
  const { port, tyne } = base;
  const served = (name: string, serial: number | null, timeoutMs = 5000): Promise<number> =>
    until(`${name} serves ${serial ?? 'nothing'}`, async () => (serial === null ? (await digStatus({ port }, name, 'SOA')) === 'REFUSED' : (await digSerial({ port }, name)) === serial), {
      timeoutMs,
      everyMs: 20,
      t0: performance.now(),
      detail: () => JSON.stringify(tyne.logs.slice(-6)),
    });
  return Object.assign(base, { put: (name: string, serial: number, file?: string) => putIn(base.folder, name, serial, file), served });
}

/** Log lines since `mark` with this error code. */
function errorsWith(t: TyneProcess, mark: number, code: string): Record<string, unknown>[] {
  return t.since(mark, (l) => (l.err as { code?: string } | undefined)?.code === code);
}

describe('zone directories', { timeout: 120_000 }, () => {
  it('1,000 zones from a folder: served, then the startup loads\' memory is given back (parse workers stopped, heap compacted)', { skip: !have }, async () => {
    const files = Array.from({ length: 1000 }, (_, i) => [`z${i}.example`, 1] as [string, number]);
    const r = await rig({ files });
    assert.equal(await digSerial({ port: r.port }, 'z999.example'), 1);
    const line = await r.tyne.waitForLog((l) => l.msg === 'memory of the zone loads given back', 10_000);
    const rss = line.rssMiB as { before: number; after: number };
    assert.ok(rss.after < rss.before, JSON.stringify(line));
    assert.equal(typeof line.workersStopped, 'number');
    assert.equal(await digSerial({ port: r.port }, 'z0.example'), 1, 'still served');
  });

  it('serves every matching regular file under the name it gives (escapes, @ for /); ignores dotfiles, backups, swap and temporary files, autosaves, other names and subfolders', { skip: !have }, async () => {
    const r = await rig({ files: [['customer.com', 11]] });
    assert.equal(await digSerial({ port: r.port }, 'customer.com'), 11);
    const mark = r.tyne.mark();
    for (const [file, name] of [
      ['.hidden.example.zone', 'hidden.example'],
      ['backup.example.zone~', 'backup.example'],
      ['swap.example.zone.swp', 'swap.example'],
      ['temp.example.zone.tmp', 'temp.example'],
      ['#auto.example.zone#', 'auto.example'],
      ['other.example.txt', 'other.example'],
    ] as const) {
      writeFileSync(join(r.folder, file), zoneText(name, 1));
    }
    mkdirSync(join(r.folder, 'folder.example.zone'));
    // RFC 2317: @ in the file name stands for /. And an escaped dot: one label "a.b".
    r.put('0/26.2.0.192.in-addr.arpa', 12, '0@26.2.0.192.in-addr.arpa.zone');
    r.put('a\\.b.example', 13, 'a\\.b.example.zone');
    await r.served('0/26.2.0.192.in-addr.arpa', 12);
    await r.served('a\\.b.example', 13);
    assert.equal(await digStatus({ port: r.port }, 'b.example', 'SOA'), 'REFUSED', 'a\\.b.example is one label under example., not a name under b.example.');
    for (const name of ['hidden.example', 'backup.example', 'swap.example', 'temp.example', 'auto.example', 'other.example', 'folder.example']) {
      assert.equal(await digStatus({ port: r.port }, name, 'SOA'), 'REFUSED', name);
    }
    assert.deepEqual(r.tyne.since(mark, (l) => l.msg === 'zone loaded').map((l) => l.zone).sort(), ['0/26.2.0.192.in-addr.arpa.', 'a\\.b.example.']);
  });

  it('a dropped file is served, an edit is served, a removed file stops its zone, a rename moves it; a returning zone continues above its old serial', { skip: !have }, async () => {
    const r = await rig({ policy: 'increment' });
    r.put('new.example', 5);
    const ms = await r.served('new.example', 5);
    assert.ok(ms < 1500, `a dropped file was served after ${ms.toFixed(0)} ms`);
    // The same serial with other content: increment serves 6.
    writeFileSync(join(r.folder, 'new.example.zone'), `${zoneText('new.example', 5)}extra.new.example. 300 IN A 192.0.2.99\n`);
    await r.served('new.example', 6);
    unlinkSync(join(r.folder, 'new.example.zone'));
    await r.served('new.example', null);
    // Back with serial 1 and other content: never a serial already served, never one going back.
    r.put('new.example', 1);
    await r.served('new.example', 7);
    // A file written with relative names moves with its name: a rename removes one zone and adds the other.
    writeFileSync(join(r.folder, 'one.example.zone'), '$TTL 300\n@ IN SOA ns1 hostmaster 3 3600 600 86400 300\n@ IN NS ns1\nns1 IN A 192.0.2.1\n');
    await r.served('one.example', 3);
    renameSync(join(r.folder, 'one.example.zone'), join(r.folder, 'two.example.zone'));
    await r.served('two.example', 3);
    await r.served('one.example', null);
    assert.equal(await digSerial({ port: r.port }, 'new.example'), 7, 'the other zone is still served');
  });

  it('a log written beside the zones every 5 ms does not put off a dropped file (its events change no scan)', { skip: !have }, async () => {
    const r = await rig({ files: [['first.example', 1]] });
    const log = join(r.folder, 'queries.log');
    let writes = 0;
    // Faster than watch-settle (50 ms): were its events taken, the folder would never be quiet enough to scan.
    const writer = setInterval(() => {
      if (++writes > 2000) clearInterval(writer);
      else appendFileSync(log, `> NOERROR host${writes}.first.example A 0.000100\n`);
    }, 5);
    try {
      await sleep(200);
      r.put('dropped.example', 4);
      const ms = await r.served('dropped.example', 4);
      assert.ok(ms < 1500, `a dropped file was served after ${ms.toFixed(0)} ms`);
      assert.ok(writes > 40, `the log was being written meanwhile (${writes} writes)`);
    } finally {
      clearInterval(writer);
    }
  });

  it('a file with errors is not served (every error logged with file:line:column) and fixing it serves it; a file whose records are outside its name is refused', { skip: !have }, async () => {
    const r = await rig({ files: [['good.example', 1]] });
    const mark = r.tyne.mark();
    writeFileSync(join(r.folder, 'bad.example.zone'), `${zoneText('bad.example', 1)}www IN A 300.1.1.1\nmail IN MX x\n`);
    await r.tyne.waitAfter(mark, (l) => l.msg === 'zone not loaded; not serving it' && l.zone === 'bad.example.', 5000);
    const lines = r.tyne.since(mark, (l) => l.zone === 'bad.example.' && typeof l.code === 'string').map((l) => String(l.msg));
    assert.equal(lines.length, 2, JSON.stringify(lines));
    for (const l of lines) assert.match(l, /bad\.example\.zone:\d+:\d+/);
    assert.equal(await digStatus({ port: r.port }, 'bad.example', 'SOA'), 'REFUSED');
    r.put('bad.example', 2);
    await r.served('bad.example', 2);
    // Its SOA is another zone's: not this file's zone.
    const m2 = r.tyne.mark();
    writeFileSync(join(r.folder, 'wrong.example.zone'), `$ORIGIN elsewhere.example.\n${zoneText('elsewhere.example', 1)}`);
    await r.tyne.waitAfter(m2, (l) => l.msg === 'zone not loaded; not serving it' && l.zone === 'wrong.example.', 5000);
    assert.equal(await digStatus({ port: r.port }, 'wrong.example', 'SOA'), 'REFUSED');
    assert.equal(await digStatus({ port: r.port }, 'elsewhere.example', 'SOA'), 'REFUSED');
  });

  it('two files for one name keep the zone served; a name listed in zones: keeps the listed zone', { skip: !have }, async () => {
    const r = await rig({ files: [['dup.example', 1], ['listed.example', 2]], configured: ['listed.example'] });
    // The listed zone (serial 500) wins over the file in the folder (serial 2).
    assert.equal(await digSerial({ port: r.port }, 'listed.example'), 500);
    assert.ok(r.tyne.logs.some((l) => (l.err as { code?: string } | undefined)?.code === 'ZONE_DIRECTORY_FILE_REFUSED' && String(l.msg).includes('listed in zones:')));
    const mark = r.tyne.mark();
    r.put('DUP.example', 9, 'DUP.example.zone');
    await r.tyne.waitAfter(mark, (l) => (l.err as { code?: string } | undefined)?.code === 'ZONE_DIRECTORY_FILE_REFUSED' && String(l.file).endsWith('DUP.example.zone'), 5000);
    assert.equal(await digSerial({ port: r.port }, 'dup.example'), 1, 'the zone already served stays');
  });

  it('a folder that goes missing or empty removes nothing (an error says so); a scan removing more than max-removals is held until SIGHUP, additions still go ahead', { skip: !have }, async () => {
    const names = Array.from({ length: 20 }, (_, i) => `c${i}.example`);
    const r = await rig({ files: names.map((n) => [n, 1] as [string, number]) });
    const m1 = r.tyne.mark();
    renameSync(r.folder, `${r.folder}.away`);
    await r.tyne.waitAfter(m1, (l) => (l.err as { code?: string } | undefined)?.code === 'ZONE_DIRECTORY_UNREADABLE', 5000);
    assert.equal(await digSerial({ port: r.port }, 'c0.example'), 1, 'nothing is removed while the folder is missing');
    // An empty folder in its place.
    mkdirSync(r.folder);
    await r.tyne.waitAfter(m1, (l) => (l.err as { code?: string } | undefined)?.code === 'ZONE_DIRECTORY_EMPTIED', 5000);
    assert.equal(await digSerial({ port: r.port }, 'c19.example'), 1, 'nothing is removed when the folder is suddenly empty');
    rmSync(r.folder, { recursive: true });
    renameSync(`${r.folder}.away`, r.folder);
    // 10 of 20 removed (more than max(10 % of 20, 5)) and one added: the addition goes ahead, the removals are held.
    const m2 = r.tyne.mark();
    for (const n of names.slice(0, 10)) unlinkSync(join(r.folder, `${n}.zone`));
    r.put('added.example', 3);
    await r.served('added.example', 3);
    await r.tyne.waitAfter(m2, (l) => (l.err as { code?: string } | undefined)?.code === 'ZONE_DIRECTORY_REMOVALS_HELD', 5000);
    assert.equal(errorsWith(r.tyne, m2, 'ZONE_DIRECTORY_REMOVALS_HELD').length, 1);
    assert.equal(await digSerial({ port: r.port }, 'c0.example'), 1, 'held: still served');
    r.tyne.child.kill('SIGHUP');
    await r.served('c0.example', null);
    await r.served('c9.example', null);
    assert.equal(await digSerial({ port: r.port }, 'c10.example'), 1);
  });
});
