/**
 * Issue 14 §3 and §4 (Tyne → Tyne): ns2 consumes ns1's catalog. A file
 * dropped into ns1's zone directory is served by ns2 with no ns2 line for
 * it; a removed one is removed (its copy moved aside); one removed and
 * added again (a new ID) is reset; at a restart with ns1 down the members
 * are served from their saved copies. Real daemons, real files, dig.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { after, describe, it } from 'node:test';
import { digSerial, digStatus } from '../support/dig.js';
import { haveTool } from '../support/tools.js';
import { tyneYaml, zoneText } from '../support/tyne-config.js';
import { TynePair } from '../support/tyne-pair.js';
import { startTyne, type TyneProcess } from '../support/tyne-process.js';
import { sleep, until } from '../support/wait.js';

const have = haveTool('dig');
const CAT = 'catalog.hosting.example';
const rigs: { pair: TynePair; procs: () => (TyneProcess | null)[] }[] = [];
after(async () => {
  for (const r of rigs) await r.pair.close(...r.procs());
});

/** Waits until `port` serves `name` with `serial` (null: REFUSED, not served); resolves with the ms it took. */
function served(port: number, name: string, serial: number | null, timeoutMs = 5000, detail?: () => string): Promise<number> {
  return until(
    `${name} at :${port} serves ${serial ?? 'nothing'}`,
    async () => (serial === null ? (await digStatus({ port }, name, 'SOA')) === 'REFUSED' : (await digSerial({ port }, name)) === serial),
    { timeoutMs, everyMs: 20, t0: performance.now(), ...(detail === undefined ? {} : { detail }) },
  );
}

describe('catalog zones, consumer: Tyne ns1 → Tyne ns2', { timeout: 120_000 }, () => {
  it('adds, removes and resets members as ns1\'s folder changes; serves them from saved copies at a restart with ns1 down', { skip: !have }, async () => {
    const pair = await TynePair.create('tyne-catz-', ['ns1/customers', 'ns2']);
    let ns1: TyneProcess | null = null;
    let ns2: TyneProcess | null = null;
    rigs.push({ pair, procs: () => [ns1, ns2] });
    for (const n of ['a.example', 'b.example']) pair.write(`ns1/customers/${n}.zone`, zoneText(n, 5));
    pair.write(
      'ns1/tyne.yaml',
      tyneYaml({
        listen: [`127.0.0.1:${pair.p1}`],
        server: ['watch-settle: 50ms', 'watch-hold: 0s', 'data-dir: data'],
        catalogs: [{ name: CAT, notify: [`127.0.0.1:${pair.p2}`] }],
        zoneDirectories: [{ path: 'customers', notify: [`127.0.0.1:${pair.p2}`], extra: [`catalog: ${CAT}`, 'serial-policy: file'] }],
      }),
    );
    pair.write(
      'ns2/tyne.yaml',
      tyneYaml({
        listen: [`127.0.0.1:${pair.p2}`],
        server: ['data-dir: data'],
        secondaries: [{ name: CAT, primaries: [`127.0.0.1:${pair.p1}`], file: `${CAT}.zone`, extra: ['members:', '  file: members/%s.zone'] }],
      }),
    );
    ns1 = await startTyne(pair.path('ns1/tyne.yaml'));
    ns2 = await startTyne(pair.path('ns2/tyne.yaml'));
    const log2 = (): string => JSON.stringify(ns2?.logs.filter((l) => JSON.stringify(l).includes('new.example') || String(l.msg).includes('catalog')).slice(-12));
    await served(pair.p2, 'a.example', 5, 10_000, log2);
    await served(pair.p2, 'b.example', 5, 5000, log2);
    // A new customer: one file on ns1, nothing on ns2. (A second after the catalog's last version: versions come at
    // most once a second, so one sooner would wait for the rest of that second.)
    await sleep(1000);
    pair.write('ns1/customers/new.example.zone', zoneText('new.example', 5));
    const ms = await served(pair.p2, 'new.example', 5, 5000, log2);
    console.log(`# catalog-consumer: a file dropped on ns1 was served by ns2 after ${ms.toFixed(0)} ms`);
    assert.ok(ms < 2000, `served by ns2 after ${ms.toFixed(0)} ms`);
    // ns1 announced the new member by its catalog first, then by a NOTIFY of its own (for any plain secondary of it).
    const notified = await ns1.waitForLog((l) => l.msg === 'NOTIFY acknowledged' && l.zone === 'new.example.', 5000);
    const listed = ns1.logs.findIndex((l) => l.msg === 'catalog zone updated' && Number(l.added) >= 1);
    assert.ok(listed >= 0 && listed < ns1.logs.indexOf(notified), 'the catalog version listing it came before its own NOTIFY');
    // Removed on ns1: removed on ns2, its copy moved aside.
    unlinkSync(pair.path('ns1/customers/new.example.zone'));
    await served(pair.p2, 'new.example', null, 5000, log2);
    await until('the removed member\'s copy is moved aside', () => !existsSync(pair.path('ns2/data/members/new.example.zone')), { timeoutMs: 5000 });
    // Added again with a lower serial (and other content, so ns1's serial-policy file serves 1): a new ID, so ns2
    // resets it and serves serial 1 (a kept copy would stay at 5).
    pair.write('ns1/customers/new.example.zone', zoneText('new.example', 1, { hosts: 3 }));
    await served(pair.p1, 'new.example', 1);
    await served(pair.p2, 'new.example', 1, 5000, log2);
    // b.example removed and added back within one catalog version is kept (no reset): same ID.
    assert.equal(ns2.since(0, (l) => l.msg === 'catalog member reset (a new ID): its copy is dropped and it is transferred afresh').length, 0, 'a member removed in one version is added, not reset');
    // Restart ns2 with ns1 down: members come from their saved copies, the catalog too.
    await ns1.stop();
    ns1 = null;
    await ns2.stop();
    ns2 = await startTyne(pair.path('ns2/tyne.yaml'));
    for (const [n, s] of [['a.example', 5], ['b.example', 5], ['new.example', 1]] as const) await served(pair.p2, n, s, 5000, log2);
    assert.ok(ns2.logs.some((l) => l.msg === 'catalog membership read from its saved state: members are served from their saved copies'));
    assert.ok(readdirSync(pair.path('ns2/data')).some((f) => f.endsWith('.members.json')));
  });

  it('a member ns2 lists itself is kept as configured; the catalog\'s copy of it is ignored with an error', { skip: !have }, async () => {
    const pair = await TynePair.create('tyne-catz-clash-', ['ns1/customers', 'ns2']);
    let ns1: TyneProcess | null = null;
    let ns2: TyneProcess | null = null;
    rigs.push({ pair, procs: () => [ns1, ns2] });
    pair.write('ns1/customers/a.example.zone', zoneText('a.example', 5));
    pair.write('ns2/a.example.zone', zoneText('a.example', 900));
    pair.write(
      'ns1/tyne.yaml',
      tyneYaml({
        listen: [`127.0.0.1:${pair.p1}`],
        server: ['watch-settle: 50ms', 'data-dir: data'],
        catalogs: [{ name: CAT, notify: [`127.0.0.1:${pair.p2}`] }],
        zoneDirectories: [{ path: 'customers', allowTransfer: ['127.0.0.1/32'], extra: [`catalog: ${CAT}`, 'serial-policy: file'] }],
      }),
    );
    pair.write(
      'ns2/tyne.yaml',
      tyneYaml({
        listen: [`127.0.0.1:${pair.p2}`],
        server: ['data-dir: data'],
        primaries: [{ name: 'a.example', file: 'a.example.zone', extra: ['serial-policy: file'] }],
        secondaries: [{ name: CAT, primaries: [`127.0.0.1:${pair.p1}`], file: `${CAT}.zone`, extra: ['members:', '  file: members/%s.zone'] }],
      }),
    );
    mkdirSync(pair.path('ns2/data'), { recursive: true });
    ns1 = await startTyne(pair.path('ns1/tyne.yaml'));
    ns2 = await startTyne(pair.path('ns2/tyne.yaml'));
    await ns2.waitForLog((l) => typeof l.reason === 'string' && l.reason.includes('is a zone of the configuration'), 10_000);
    assert.equal(await digSerial({ port: pair.p2 }, 'a.example'), 900);
    writeFileSync(pair.path('ns1/customers/b.example.zone'), zoneText('b.example', 3));
    await served(pair.p2, 'b.example', 3, 5000, () => JSON.stringify(ns2?.logs.slice(-10)));
  });
});
