/**
 * Zone read limits in the daemon (issue 12 item 2): a zone whose file
 * $INCLUDEs in a fan-out (10^8 reads), one with a $GENERATE past
 * max-records and one over its max-zone-file-size each fail alone, with
 * the error logged (code, file:line:col), while another zone answers; and
 * a secondary with a lower max-records refuses a transfer that grew past
 * it, keeping the serial it had; and a secondary with a small
 * zone-memory-budget abandons a transfer that goes over it.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { digSerial, digShort, digStatus } from '../support/dig.js';
import { freePort } from '../support/ports.js';
import { haveTool } from '../support/tools.js';
import { tyneYaml, zoneText } from '../support/tyne-config.js';
import { startTyne, tyneLogTail, type TyneProcess } from '../support/tyne-process.js';
import { until } from '../support/wait.js';

const dig = haveTool('dig');

describe('zone limits in the daemon', { skip: !dig }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'tyne-zone-limits-'));
  let ns1: TyneProcess | null = null;
  let ns2: TyneProcess | null = null;
  let p1 = 0;
  let p2 = 0;
  let t0 = 0;

  before(async () => {
    p1 = await freePort();
    p2 = await freePort();
    writeFileSync(join(dir, 'good.zone'), zoneText('good.example', 1, { hosts: 3 }));
    // Eight 1 KiB files, each including the next ten times: 10^8 reads, no cycle.
    mkdirSync(join(dir, 'fan'));
    writeFileSync(join(dir, 'fan', 'fan.zone'), `${zoneText('fan.example', 1, { hosts: 1 })}$INCLUDE f1.inc\n`);
    for (let i = 1; i <= 8; i++) {
      writeFileSync(join(dir, 'fan', `f${i}.inc`), i === 8 ? 'leaf A 192.0.2.1\n' : `; ${'x'.repeat(900)}\n${`$INCLUDE f${i + 1}.inc\n`.repeat(10)}`);
    }
    writeFileSync(join(dir, 'gen.zone'), `${zoneText('gen.example', 1, { hosts: 1 })}$GENERATE 1-10000000 h$ A 10.0.0.1\n`);
    writeFileSync(join(dir, 'huge.zone'), zoneText('huge.example', 1, { hosts: 400 }));
    writeFileSync(join(dir, 'grow.zone'), zoneText('grow.example', 1, { hosts: 20 }));
    // About 150,000 records: some 30 MiB by estimatedZoneBytes, over ns2's 16 MiB budget, far under ns1's default.
    const bigHosts = Array.from({ length: 150_000 }, (_, i) => `b${i} A 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
    writeFileSync(join(dir, 'big.zone'), `${zoneText('big.example', 1, { hosts: 1 })}${bigHosts.join('\n')}\n`);
    writeFileSync(
      join(dir, 'ns1.yaml'),
      tyneYaml({
        listen: [`127.0.0.1:${p1}`],
        server: ['watch-settle: 50ms', 'watch-hold: 0s'],
        primaries: [
          { name: 'good.example', file: 'good.zone' },
          { name: 'fan.example', file: 'fan/fan.zone' },
          { name: 'gen.example', file: 'gen.zone' },
          { name: 'huge.example', file: 'huge.zone', extra: ['max-zone-file-size: 4K'] },
          { name: 'grow.example', file: 'grow.zone', notify: [`127.0.0.1:${p2}`] },
          { name: 'big.example', file: 'big.zone', allowTransfer: ['127.0.0.1/32'] },
        ],
      }),
    );
    writeFileSync(
      join(dir, 'ns2.yaml'),
      tyneYaml({
        listen: [`127.0.0.1:${p2}`],
        server: ['zone-memory-budget: 16M'],
        secondaries: [
          { name: 'grow.example', primaries: [`127.0.0.1:${p1}`], file: 'ns2/grow.zone', extra: ['max-records: 100'] },
          { name: 'big.example', primaries: [`127.0.0.1:${p1}`], file: 'ns2/big.zone' },
        ],
      }),
    );
    t0 = Date.now();
    ns1 = await startTyne(join(dir, 'ns1.yaml'), { timeoutMs: 20_000 });
  });

  after(async () => {
    await ns2?.stop();
    await ns1?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts at once, serving the good zone; each zone over a limit fails alone, with its error logged', async () => {
    assert.ok(Date.now() - t0 < 15_000, `startup took ${Date.now() - t0} ms`);
    assert.deepEqual(await digShort({ port: p1 }, 'h1.good.example', 'A'), ['198.51.100.1']);
    const expect: [string, string, RegExp][] = [
      ['fan.example', 'ZONEFILE_TOO_MANY_INCLUDES', /f\d\.inc:\d+:1: zone not read: more than 1000 \$INCLUDE reads \(max-include-reads\)/],
      ['gen.example', 'ZONEFILE_TOO_MANY_RECORDS', /gen\.zone:\d+:11: zone not read: this \$GENERATE makes 10000000 records.*\(max-records\)/],
      ['huge.example', 'ZONEFILE_TOO_LARGE', /huge\.zone:1:1: zone not read: the zone file has \d+ octets or more .*max-zone-file-size \(4096\)/],
    ];
    for (const [zone, code, message] of expect) {
      const line = ns1!.logs.find((l) => l.zone === `${zone}.` && l.code === code);
      assert.ok(line !== undefined, `${zone}: no ${code} line\n${tyneLogTail(ns1)}`);
      assert.match(String(line.msg), message);
      assert.ok(ns1!.logs.some((l) => l.zone === `${zone}.` && l.msg === 'zone not loaded; not serving it'), zone);
      assert.equal(await digStatus({ port: p1 }, `${zone}`, 'SOA'), 'REFUSED', `${zone} is not served`);
    }
  });

  it('a secondary refuses a transfer past its max-records and keeps the serial it had', async () => {
    // ns2's first refresh of big.example must find it served (not SERVFAIL while ns1 loads it).
    await until('ns1 serves big.example', async () => (await digSerial({ port: p1 }, 'big.example')) === 1, { timeoutMs: 30_000 });
    ns2 = await startTyne(join(dir, 'ns2.yaml'), { timeoutMs: 20_000 });
    await until('ns2 serves grow.example serial 1', async () => (await digSerial({ port: p2 }, 'grow.example')) === 1, { timeoutMs: 15_000 });
    const mark = ns2.mark();
    // 203 records against ns2's max-records of 100; ns1 (default limits) serves it and sends NOTIFY.
    writeFileSync(join(dir, 'grow.zone'), zoneText('grow.example', 2, { hosts: 200 }));
    await until('ns1 serves serial 2', async () => (await digSerial({ port: p1 }, 'grow.example')) === 2, { timeoutMs: 10_000 });
    const failed = await ns2.waitAfter(mark, (l) => l.msg === 'transfer failed' && l.code === 'XFR_TOO_MANY_RECORDS', 10_000);
    assert.match(String((failed.err as { message?: string }).message), /(IXFR|transfer) of grow\.example\. .*(more than 100|twice max-records)|leaves 203 records, more than 100 \(max-records\)/);
    assert.equal(await digSerial({ port: p2 }, 'grow.example'), 1, 'the old copy is still served');
    assert.deepEqual(await digShort({ port: p2 }, 'h1.grow.example', 'A'), ['198.51.100.1']);
  });

  it('a secondary abandons a transfer over its zone-memory-budget, and serves nothing it did not get whole', async () => {
    assert.ok(ns2 !== null, 'ns2 was started by the test before');
    const failed = await ns2.waitAfter(0, (l) => l.msg === 'transfer failed' && l.zone === 'big.example.' && l.code === 'XFR_MEMORY_BUDGET', 30_000);
    assert.match(String((failed.err as { message?: string }).message), /transfer of big\.example\. is over server\.zone-memory-budget \(16 MiB\) after \d+ records; abandoned/);
    assert.notEqual(await digStatus({ port: p2 }, 'big.example', 'SOA'), 'NOERROR', 'no copy of big.example is served');
    assert.equal(await digSerial({ port: p2 }, 'grow.example'), 1, 'the other zone is still served');
  });
});
