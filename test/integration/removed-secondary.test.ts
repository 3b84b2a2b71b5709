/**
 * A secondary zone that leaves ns2's configuration (issue: 'a removed zone
 * comes back stale'): the removal is logged, the saved copy and its state
 * move to `removed/<zone>.<UTC time>/`, and when a zone of that name comes
 * back (a new customer, with a lower serial) ns2 starts with a fresh
 * transfer instead of serving the old copy for good. Archives older than
 * `removed-retention` are deleted.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { digAxfr, digSerial, digShort } from '../support/dig.js';
import { haveTool } from '../support/tools.js';
import { tyneYaml, zoneText } from '../support/tyne-config.js';
import { startTyne, type TyneProcess } from '../support/tyne-process.js';
import { TynePair } from '../support/tyne-pair.js';
import { until } from '../support/wait.js';

const Z = 'cust.example';
const KEEP = 'keep.example';

describe('a secondary zone removed from the configuration and added again', { skip: !haveTool('dig'), timeout: 90_000 }, () => {
  let rig: TynePair;
  let ns1: TyneProcess | undefined;
  let ns2: TyneProcess | undefined;
  const ns2Yaml = (names: string[]): string =>
    tyneYaml({
      listen: [`127.0.0.1:${rig.p2}`],
      server: ['watch-hold: 500ms', 'removed-retention: 7d'],
      secondaries: names.map((name) => ({ name, primaries: [`127.0.0.1:${rig.p1}`], file: `copies/${name}.zone`, allowTransfer: ['127.0.0.1/32'] })),
    });

  before(async () => {
    rig = await TynePair.create('tyne-removed-secondary-');
    rig.write(`${Z}.zone`, zoneText(Z, 2026120100, { extra: ['old A 192.0.2.1'] }));
    rig.write(`${KEEP}.zone`, zoneText(KEEP, 1));
    rig.write(
      'ns1.yaml',
      tyneYaml({
        listen: [`127.0.0.1:${rig.p1}`],
        // The customer zone's serial is the file's, as on a primary that lets a new zone start low.
        primaries: [Z, KEEP].map((name) => ({ name, file: `${name}.zone`, notify: [`127.0.0.1:${rig.p2}`], extra: name === Z ? ['serial-policy: file'] : [] })),
      }),
    );
    // An archive from 8 days ago, and one from yesterday: only the first is past the retention.
    mkdirSync(rig.path('copies/removed/gone.example.20000101T000000Z'), { recursive: true });
    rig.write('copies/removed/gone.example.20000101T000000Z/gone.example.zone', '; old\n');
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
    mkdirSync(rig.path(`copies/removed/recent.example.${yesterday}`), { recursive: true });
    rig.write('ns2.yaml', ns2Yaml([Z, KEEP]));
    ns1 = await startTyne(rig.path('ns1.yaml'));
    ns2 = await startTyne(rig.path('ns2.yaml'));
    await until('ns2 copies the customer zone', async () => (await digSerial({ port: rig.p2 }, Z)) === 2026120100, { timeoutMs: 10_000, everyMs: 50 });
  });

  after(() => rig?.close(ns1, ns2));

  it('deletes archives older than removed-retention, and keeps younger ones', async () => {
    await until('the 8-day-old archive is deleted', () => !existsSync(rig.path('copies/removed/gone.example.20000101T000000Z')), { timeoutMs: 5000, everyMs: 20 });
    assert.ok(readdirSync(rig.path('copies/removed')).some((n) => n.startsWith('recent.example.')), 'a younger archive stays');
    assert.ok(ns2!.logs.some((l) => l.msg === 'removed zone copy deleted (older than server.removed-retention)'));
  });

  it('logs the removal and moves the saved copy and its state aside', async () => {
    // The copy is saved just after it is served.
    await until('the saved copy and its state are written', () => existsSync(rig.path(`copies/${Z}.zone`)) && existsSync(rig.path(`copies/${Z}.zone.state.json`)), {
      timeoutMs: 5000,
      everyMs: 20,
    });
    const m = ns2!.mark();
    rig.write('ns2.yaml', ns2Yaml([KEEP]));
    const line = await ns2!.waitAfter(m, (l) => l.msg === 'secondary zone removed; its saved copy was moved aside' && l.zone === `${Z}.`, 5000);
    const into = String(line.movedTo);
    assert.match(into, new RegExp(`/copies/removed/cust\\.example\\.\\d{8}T\\d{6}Z$`));
    assert.deepEqual(readdirSync(into).sort(), [`${Z}.zone`, `${Z}.zone.state.json`]);
    assert.ok(!existsSync(rig.path(`copies/${Z}.zone`)));
    assert.equal(await digSerial({ port: rig.p2 }, Z), null, 'no longer served');
    assert.equal(await digSerial({ port: rig.p2 }, KEEP), 1, 'the other zone is untouched');
  });

  it('a zone of that name added again (a new customer, lower serial) starts with a fresh transfer', async () => {
    // The new customer's zone on ns1: another content, a serial far below the old one.
    rig.write(`${Z}.zone`, zoneText(Z, 5, { extra: ['new A 192.0.2.5'] }));
    ns1!.child.kill('SIGHUP');
    await until('ns1 serves the new customer zone', async () => (await digSerial({ port: rig.p1 }, Z)) === 5, { timeoutMs: 5000, everyMs: 20 });
    const served = 5;
    const m = ns2!.mark();
    rig.write('ns2.yaml', ns2Yaml([KEEP, Z]));
    await ns2!.waitAfter(m, (l) => typeof l.msg === 'string' && l.msg.startsWith(`transfer of ${Z}. from `) && l.kind === 'AXFR' && l.from === null, 10_000);
    await until('ns2 serves what ns1 serves', async () => (await digSerial({ port: rig.p2 }, Z)) === served, { timeoutMs: 5000, everyMs: 20 });
    assert.deepEqual(await digAxfr({ port: rig.p2 }, Z), await digAxfr({ port: rig.p1 }, Z));
    assert.deepEqual(await digShort({ port: rig.p2 }, `old.${Z}`, 'A'), [], "the old customer's data is gone");
    assert.deepEqual(ns2!.since(m, (l) => l.msg === 'zone is up to date' && l.zone === `${Z}.`), []);
  });
});
