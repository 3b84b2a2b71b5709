/**
 * A saved copy altered on disk (issue 12 item 7, "Silent corruption"): a
 * Tyne primary (ns1) and secondary (ns2), real processes and files. One
 * record of ns2's saved copy is changed in place (same record count); at
 * the next start ns2 finds that its records do not match the digest of the
 * end marker, logs STORAGE_CORRUPT, sets the file aside
 * (`<file>.damaged-<UTC time>`), never serves the altered record, and
 * takes the zone again from ns1 by AXFR.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { digShort } from '../support/dig.js';
import { copySerial, stateSerial } from '../support/saved-copy.js';
import { haveTool } from '../support/tools.js';
import { tyneYaml, zoneText } from '../support/tyne-config.js';
import { startTyne, tyneLogTail, type TyneProcess } from '../support/tyne-process.js';
import { TynePair } from '../support/tyne-pair.js';
import { until } from '../support/wait.js';

const ZONE = 'digest.example';

type Log = Record<string, unknown>;

describe('a saved copy with one record altered in place', { skip: !haveTool('dig'), timeout: 60_000 }, () => {
  let rig: TynePair;
  let ns1: TyneProcess | null = null;
  let ns2: TyneProcess | null = null;
  const copy = (): string => rig.path(`ns2/${ZONE}.zone`);

  before(async () => {
    rig = await TynePair.create('tyne-copy-digest-', ['ns2']);
    rig.write(`${ZONE}.zone`, zoneText(ZONE, 3));
    rig.write('ns1.yaml', tyneYaml({ listen: [`127.0.0.1:${rig.p1}`], primaries: [{ name: ZONE, file: `${ZONE}.zone`, notify: [`127.0.0.1:${rig.p2}`] }] }));
    rig.write('ns2.yaml', tyneYaml({ listen: [`127.0.0.1:${rig.p2}`], secondaries: [{ name: ZONE, primaries: [`127.0.0.1:${rig.p1}`], file: `ns2/${ZONE}.zone` }] }));
    ns1 = await startTyne(rig.path('ns1.yaml'));
    ns2 = await startTyne(rig.path('ns2.yaml'));
    await until('ns2 saved serial 3', () => copySerial(copy()) === 3 && stateSerial(copy()) === 3, { timeoutMs: 15_000, everyMs: 20, detail: () => tyneLogTail(ns2) });
  });

  after(() => rig?.close(ns1, ns2));

  it('is found at load (STORAGE_CORRUPT), set aside, never served, and transferred again', async () => {
    assert.equal(await ns2!.stop(), 0);
    ns2 = null;
    const text = readFileSync(copy(), 'utf8');
    assert.match(text, /\n; end of zone, records: \d+, digest: [0-9a-f]{32}\n$/, 'the end marker carries a digest');
    const altered = text.replace(/^(h5\.digest\.example\.\s+\d+\s+IN\s+A\s+)198\.51\.100\.5$/m, '$1203.0.113.66');
    assert.notEqual(altered, text, 'one record changed');
    assert.equal(altered.split('\n').length, text.split('\n').length, 'same number of lines (and records)');
    writeFileSync(copy(), altered);

    ns2 = await startTyne(rig.path('ns2.yaml'));
    const corrupt = await ns2.waitForLog((l: Log) => l.code === 'STORAGE_CORRUPT' && l.zone === `${ZONE}.`, 5000);
    assert.equal(corrupt.level, 50, 'logged at error level');
    assert.match(String(corrupt.msg), /digest/);
    const aside = readdirSync(rig.path('ns2')).filter((n) => n.startsWith(`${ZONE}.zone.damaged-`));
    assert.equal(aside.length, 1, `set aside: ${readdirSync(rig.path('ns2')).join(' ')}`);
    assert.equal(corrupt.movedTo, rig.path(`ns2/${aside[0]!}`));
    assert.equal(readFileSync(rig.path(`ns2/${aside[0]!}`), 'utf8'), altered, 'kept for a look');
    assert.ok(ns2.logs.every((l) => l.msg !== 'serving saved copy'), 'the altered copy is never served');
    const axfr = await ns2.waitForLog((l: Log) => typeof l.msg === 'string' && l.msg.startsWith(`transfer of ${ZONE}. from `), 15_000);
    assert.equal(axfr.kind, 'AXFR');
    assert.deepEqual(await digShort({ port: rig.p2 }, `h5.${ZONE}`, 'A'), ['198.51.100.5'], 'the primary\'s record is served');
    await until('ns2 saved its copy again', () => existsSync(copy()) && copySerial(copy()) === 3, { timeoutMs: 10_000, everyMs: 20 });
  });
});
