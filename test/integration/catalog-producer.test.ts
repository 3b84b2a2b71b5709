/**
 * Issue 14 §2: Tyne generates RFC 9432 (version 2) catalog zones on the
 * primary: its content; member IDs stable across restarts and a lost state
 * file, new for a zone removed and added again; a burst of changes under
 * one serial; IXFR from the journal; and the zone answered only to
 * allow-transfer's clients (RFC 9432 §7). Real daemon, real files, dig.
 */
import assert from 'node:assert/strict';
import { readdirSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { digAxfr, digRaw, digSerial, digStatus } from '../support/dig.js';
import { haveTool } from '../support/tools.js';
import { zoneText } from '../support/tyne-config.js';
import { until } from '../support/wait.js';
import { closeZoneDirectoryRigs, dataDirIn, QUICK_WATCH, startZoneDirectoryRig, type ZoneDirectoryRig } from '../support/zone-directory-rig.js';

after(closeZoneDirectoryRigs);

const have = haveTool('dig');
const CAT = 'cat.example';

/** ns1 over `customers` (each a zone file in its folder), with own.example configured; both in the catalog. */
function rig(customers: string[]): Promise<ZoneDirectoryRig> {
  return startZoneDirectoryRig({
    prefix: 'tyne-catalog-',
    zones: customers.map((c) => [c, zoneText(c, 1)] as const),
    files: [['own.example.zone', zoneText('own.example', 1)]],
    directory: { extra: [`catalog: ${CAT}`] },
    yaml: (dir) => ({
      server: [...QUICK_WATCH, dataDirIn(dir)],
      primaries: [{ name: 'own.example', file: 'own.example.zone', extra: [`catalog: ${CAT}`, 'catalog-group: [premium, eu]'] }],
      catalogs: [{ name: CAT }],
    }),
  });
}

/** The catalog's records (dig AXFR), and its members: PTR target → ID label. */
async function catalog(r: ZoneDirectoryRig): Promise<{ lines: string[]; members: Map<string, string>; serial: number }> {
  const lines = await digAxfr({ port: r.port }, CAT);
  const members = new Map<string, string>();
  for (const l of lines) {
    const f = l.split(' ');
    if (f[3] === 'PTR') members.set(f[4]!.toLowerCase(), f[0]!.split('.')[0]!);
  }
  const soa = lines.find((l) => l.split(' ')[3] === 'SOA')!.split(' ');
  return { lines, members, serial: Number(soa[6]) };
}

/** Waits until the catalog lists exactly `names` (bounded). */
async function lists(r: ZoneDirectoryRig, names: string[]): Promise<{ lines: string[]; members: Map<string, string>; serial: number }> {
  const want = names.map((n) => `${n}.`).sort().join(',');
  let last = '';
  await until(`the catalog lists ${want}`, async () => {
    const c = await catalog(r).catch(() => null);
    last = c === null ? 'no answer' : [...c.members.keys()].sort().join(',');
    return last === want;
  }, { timeoutMs: 5000, everyMs: 50, detail: () => `lists ${last}` });
  return catalog(r);
}

describe('catalog zones, producer', { timeout: 120_000 }, () => {
  it('lists the zones served (configured and from a zone directory) with RFC 9432 version 2 content; answers only allow-transfer clients', { skip: !have }, async () => {
    const r = await rig(['a.example', 'b.example']);
    const c = await lists(r, ['a.example', 'b.example', 'own.example']);
    const byType = (t: string): string[] => c.lines.filter((l) => l.split(' ')[3] === t);
    assert.deepEqual(byType('SOA').map((l) => l.split(' ').slice(4, 6).concat(l.split(' ').slice(7))), [['invalid.', 'invalid.', '3600', '600', '2147483646', '0']]);
    assert.deepEqual(byType('NS'), [`${CAT}. 0 IN NS invalid.`]);
    assert.deepEqual(byType('TXT').filter((l) => l.startsWith('version.')), [`version.${CAT}. 0 IN TXT "2"`]);
    const own = c.members.get('own.example.')!;
    assert.deepEqual(byType('TXT').filter((l) => l.startsWith('group.')).sort(), [`group.${own}.zones.${CAT}. 0 IN TXT "eu"`, `group.${own}.zones.${CAT}. 0 IN TXT "premium"`]);
    for (const id of c.members.values()) assert.match(id, /^[0-9a-f]{16}$/);
    assert.equal(new Set(c.members.values()).size, 3, 'IDs are unique');
    // RFC 9432 §7: only allow-transfer's clients (127.0.0.1/32); another address gets REFUSED, over UDP and TCP.
    assert.equal(await digStatus({ port: r.port }, CAT, 'SOA'), 'NOERROR');
    assert.equal(await digStatus({ port: r.port, source: '127.0.0.2' }, CAT, 'SOA'), 'REFUSED');
    assert.match((await digRaw({ port: r.port, source: '127.0.0.2' }, ['+tcp', '+norec', CAT, 'SOA'])).out, /status: REFUSED/);
    assert.match((await digRaw({ port: r.port, source: '127.0.0.2' }, ['+norec', `version.${CAT}`, 'TXT'])).out, /status: REFUSED/);
    assert.match((await digRaw({ port: r.port, source: '127.0.0.2' }, [CAT, 'AXFR'])).out, /Transfer failed/);
    // The members themselves are answered to anyone.
    assert.equal(await digStatus({ port: r.port, source: '127.0.0.2' }, 'a.example', 'SOA'), 'NOERROR');
  });

  it('a burst of changes is one serial; IXFR from the journal; IDs survive a restart and a lost state file; a zone removed and added again gets a new ID', { skip: !have }, async () => {
    const r = await rig(['a.example', 'b.example']);
    const first = await lists(r, ['a.example', 'b.example', 'own.example']);
    // A rename: one removal and one addition, one new version.
    const mark = r.tyne.mark();
    renameSync(join(r.folder, 'a.example.zone'), join(r.folder, 'x.example.zone'));
    writeFileSync(join(r.folder, 'x.example.zone'), zoneText('x.example', 1));
    const second = await lists(r, ['b.example', 'own.example', 'x.example']);
    assert.ok(second.serial > first.serial, `serial ${second.serial} after ${first.serial}`);
    const updates = r.tyne.since(mark, (l) => l.msg === 'catalog zone updated');
    assert.equal(updates.length, 1, JSON.stringify(updates));
    assert.equal(second.members.get('b.example.'), first.members.get('b.example.'), 'a member that stays keeps its ID');
    // IXFR from the first serial: the difference, not the whole zone.
    const ixfr = await digRaw({ port: r.port }, [CAT, `IXFR=${first.serial}`, '+nocmd', '+nocomments', '+nostats']);
    const soas = ixfr.stdout.split('\n').filter((l) => /\sSOA\s/.test(l)).length;
    assert.equal(soas, 4, `an incremental answer has four SOAs:\n${ixfr.stdout}`);
    assert.doesNotMatch(ixfr.stdout, /b\.example\./, 'the member that stayed is not in the difference');
    // Restart: the same content, the same IDs and serial.
    await r.restart();
    const third = await lists(r, ['b.example', 'own.example', 'x.example']);
    assert.deepEqual([...third.members], [...second.members]);
    assert.equal(third.serial, second.serial, 'nothing changed: the serial stays');
    // The IDs' file lost: the same IDs again (a hash of the name and its generation).
    const data = join(r.dir, 'data');
    for (const f of readdirSync(data)) if (f.endsWith('.members.json')) unlinkSync(join(data, f));
    await r.restart();
    const fourth = await lists(r, ['b.example', 'own.example', 'x.example']);
    assert.deepEqual([...fourth.members], [...second.members]);
    // Removed, published, added again: a new ID (RFC 9432 §5.4, consumers start it afresh).
    unlinkSync(join(r.folder, 'b.example.zone'));
    await lists(r, ['own.example', 'x.example']);
    writeFileSync(join(r.folder, 'b.example.zone'), zoneText('b.example', 1));
    const fifth = await lists(r, ['b.example', 'own.example', 'x.example']);
    assert.notEqual(fifth.members.get('b.example.'), second.members.get('b.example.'));
    assert.ok(fifth.serial > fourth.serial);
    assert.equal(await digSerial({ port: r.port }, 'b.example'), 1);
  });

  it('a zone with errors is not listed; fixing it lists it', { skip: !have }, async () => {
    const r = await rig(['a.example']);
    await lists(r, ['a.example', 'own.example']);
    writeFileSync(join(r.folder, 'bad.example.zone'), `${zoneText('bad.example', 1)}www IN A 999.1.1.1\n`);
    await r.tyne.waitForLog((l) => l.msg === 'zone not loaded; not serving it' && l.zone === 'bad.example.', 5000);
    await lists(r, ['a.example', 'own.example']);
    writeFileSync(join(r.folder, 'bad.example.zone'), zoneText('bad.example', 1));
    await lists(r, ['a.example', 'bad.example', 'own.example']);
  });
});
