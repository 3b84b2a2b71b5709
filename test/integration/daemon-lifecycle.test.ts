/**
 * `tyne serve` as a daemon: startup logs, a zone with errors next to a
 * good one, SIGHUP reloads (good edit, bad edit, a zone added), SIGTERM
 * timing, cluster workers, and per-query logs at debug level only.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RRType, Rcode, decodeMessage, type Message } from '../../src/wire/index.js';
import { buildQuery, messageId, queryTcp, queryUdp } from '../support/dns-client.js';
import { freePort } from '../support/ports.js';
import { startTyne, type TyneProcess } from '../support/tyne-process.js';
import { sleep } from '../support/wait.js';
import { FrameReader, frameAll } from '../support/tcp-framing.js';

const goodZone = (serial: number, www: string): string => `$ORIGIN example.com.
$TTL 300
@ SOA ns1 hostmaster ${serial} 7200 3600 1209600 300
@ NS ns1
ns1 A 192.0.2.53
www A ${www}
www AAAA 2001:db8::80
mail MX 10 ns1
${Array.from({ length: 20 }, (_, i) => `big TXT "${String(i).padStart(2, '0')}${'t'.repeat(200)}"`).join('\n')}
`;
/** Records in goodZone: SOA, NS, 2 A, AAAA, MX, 20 TXT. */
const GOOD_RECORDS = 26;

/** Three errors, on lines 5, 7 and 8. */
const BAD_ZONE = `$ORIGIN bad.example.
$TTL 300
@ SOA ns1 hostmaster 1 7200 3600 1209600 300
@ NS ns1.example.com.
ns1 A 192.0.2.999
www A 192.0.2.1
www MX notanumber mail
www AAAA 2001:db8::zz
`;

const NET_ZONE = `$ORIGIN example.net.
$TTL 300
@ SOA ns1.example.com. hostmaster 42 7200 3600 1209600 300
@ NS ns1.example.com.
www A 198.51.100.7
`;

function yaml(port: number, zones: [string, string][], extra = '', level = 'info'): string {
  return `listen: ["127.0.0.1:${port}"]
log:
  level: ${level}
server:
  identity: ns1.test
${extra}zones:
${zones.map(([name, file]) => `  - name: ${name}\n    file: ${file}\n`).join('')}`;
}

async function ask(port: number, name: string, type: number = RRType.A, id = 1): Promise<Message> {
  return decodeMessage(await queryUdp(port, buildQuery({ id, name, type }), 2000));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

describe('tyne serve: zones, reloads and stopping', () => {
  let dir: string;
  let port = 0;
  let proc: TyneProcess | undefined;
  const goodFile = (): string => join(dir, 'example.com.zone');
  const configFile = (): string => join(dir, 'tyne.yaml');

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tyne-life-'));
    writeFileSync(goodFile(), goodZone(2024010101, '192.0.2.80'));
    writeFileSync(join(dir, 'bad.example.zone'), BAD_ZONE);
    writeFileSync(join(dir, 'example.net.zone'), NET_ZONE);
    port = await freePort();
    writeFileSync(configFile(), yaml(port, [['example.com', 'example.com.zone'], ['bad.example', 'bad.example.zone']]));
    proc = await startTyne(configFile());
  });

  after(async () => {
    await proc?.stop('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('logs each loaded zone with its serial and record count, as JSON', () => {
    const p = proc!;
    assert.ok(p.logs.length > 0 && p.logs.every((l) => !('raw' in l)), 'every stdout line is JSON');
    const loaded = p.logs.filter((l) => l.msg === 'zone loaded');
    assert.equal(loaded.length, 1, 'only the good zone loads');
    assert.equal(loaded[0]!.zone, 'example.com.');
    assert.equal(loaded[0]!.serial, 2024010101);
    assert.equal(loaded[0]!.records, GOOD_RECORDS);
    assert.ok(p.logs.findIndex((l) => l.msg === 'zone loaded') < p.logs.findIndex((l) => l.msg === 'serving'));
  });

  it('logs every error of a zone that does not load, with file:line:col, and does not serve it', async () => {
    const p = proc!;
    const file = join(dir, 'bad.example.zone');
    const errors = p.logs.filter((l) => l.zone === 'bad.example.' && typeof l.msg === 'string' && l.msg.startsWith(`${file}:`));
    const where = errors.map((l) => /^.*:(\d+):(\d+): /.exec(l.msg as string)?.slice(1, 3).join(':'));
    for (const line of ['5', '7', '8']) {
      assert.ok(where.some((w) => w?.startsWith(`${line}:`)), `an error at line ${line}; got ${JSON.stringify(errors.map((l) => l.msg))}`);
    }
    for (const l of errors) assert.ok((l.level as number) >= 50, 'logged at error level');
    const summary = p.logs.find((l) => l.zone === 'bad.example.' && l.msg === 'zone not loaded; not serving it');
    assert.ok(summary !== undefined);
    assert.ok((summary.errors as number) >= 3);
    assert.equal((await ask(port, 'www.bad.example')).rcode, Rcode.REFUSED);
    const good = await ask(port, 'www.example.com');
    assert.equal(good.rcode, Rcode.NOERROR);
    assert.deepEqual([...good.answers[0]!.rdata], [192, 0, 2, 80]);
  });

  it('has no per-query log lines at info level', async () => {
    await ask(port, 'www.example.com');
    await sleep(50);
    assert.equal(proc!.logs.filter((l) => l.msg === 'query').length, 0);
  });

  it('SIGHUP after a good edit serves the new version', async () => {
    const p = proc!;
    const mark = p.logs.length;
    writeFileSync(goodFile(), goodZone(2024010102, '192.0.2.81'));
    p.child.kill('SIGHUP');
    const reloaded = await p.waitAfter(mark, (l) => l.msg === 'zone reloaded' || l.msg === 'zone loaded');
    // 'zone reloaded' gives the serial as { from, to }.
    const serial = typeof reloaded.serial === 'object' && reloaded.serial !== null ? (reloaded.serial as { to: number }).to : reloaded.serial;
    assert.equal(serial, 2024010102);
    await p.waitAfter(mark, (l) => l.msg === 'reloaded');
    const m = await ask(port, 'www.example.com');
    assert.deepEqual([...m.answers[0]!.rdata], [192, 0, 2, 81]);
    const soa = (await ask(port, 'example.com', RRType.SOA)).answers[0]!.rdata;
    assert.equal(Buffer.from(soa).readUInt32BE(soa.length - 20), 2024010102);
  });

  it('SIGHUP after a bad edit keeps serving the previous version and logs the error', async () => {
    const p = proc!;
    const mark = p.logs.length;
    writeFileSync(goodFile(), goodZone(2024010103, '192.0.2.82').replace('ns1 A 192.0.2.53', 'ns1 A 192.0.2.353'));
    p.child.kill('SIGHUP');
    const kept = await p.waitAfter(mark, (l) => l.zone === 'example.com.' && typeof l.msg === 'string' && l.msg.includes('still serving the previous version'));
    assert.equal(kept.serial, 2024010102);
    const err = p.since(mark).find((l) => typeof l.msg === 'string' && l.msg.startsWith(`${goodFile()}:5:`));
    assert.ok(err !== undefined, `the error with its place: ${JSON.stringify(p.since(mark).map((l) => l.msg))}`);
    await p.waitAfter(mark, (l) => l.msg === 'reloaded');
    const m = await ask(port, 'www.example.com');
    assert.equal(m.rcode, Rcode.NOERROR);
    assert.deepEqual([...m.answers[0]!.rdata], [192, 0, 2, 81], 'still the last good version');
  });

  it('SIGHUP after adding a zone to the configuration serves it', async () => {
    const p = proc!;
    assert.equal((await ask(port, 'www.example.net')).rcode, Rcode.REFUSED);
    const mark = p.logs.length;
    writeFileSync(configFile(), yaml(port, [['example.com', 'example.com.zone'], ['bad.example', 'bad.example.zone'], ['example.net', 'example.net.zone']]));
    p.child.kill('SIGHUP');
    const loaded = await p.waitAfter(mark, (l) => l.msg === 'zone loaded' && l.zone === 'example.net.');
    assert.equal(loaded.serial, 42);
    assert.equal(loaded.records, 3);
    await p.waitAfter(mark, (l) => l.msg === 'reloaded');
    const m = await ask(port, 'www.example.net');
    assert.equal(m.rcode, Rcode.NOERROR);
    assert.deepEqual([...m.answers[0]!.rdata], [198, 51, 100, 7]);
    assert.deepEqual([...(await ask(port, 'www.example.com')).answers[0]!.rdata], [192, 0, 2, 81]);
  });

  it('SIGTERM: finishes the answers in flight and exits 0 within 2 s, with an idle TCP client still connected', async () => {
    const p = proc!;
    // An idle client that keeps its connection open.
    const idle = connect({ port, host: '127.0.0.1' });
    idle.on('error', () => {});
    await new Promise<void>((res) => idle.once('connect', () => res()));
    // A client with 100 pipelined queries for ~4 kB answers (~400 kB to send), signalled once the first answer is in.
    const busy = connect({ port, host: '127.0.0.1' });
    busy.on('error', () => {});
    await new Promise<void>((res) => busy.once('connect', () => res()));
    const ids: number[] = [];
    const reader = new FrameReader();
    let first!: () => void;
    const firstIn = new Promise<void>((res) => { first = res; });
    const allIn = new Promise<void>((res) => {
      busy.on('data', (chunk: Buffer) => {
        reader.push(chunk);
        for (const msg of reader.drain()) {
          ids.push(messageId(msg));
          first();
        }
        if (ids.length === 100) res();
      });
      busy.on('close', () => res());
    });
    busy.write(frameAll(Array.from({ length: 100 }, (_, i) => buildQuery({ id: 100 + i, name: 'big.example.com', type: RRType.TXT }))));
    await firstIn;
    const t0 = performance.now();
    const code = await p.stop('SIGTERM');
    const ms = performance.now() - t0;
    await Promise.race([allIn, sleep(1000)]);
    idle.destroy();
    busy.destroy();
    assert.equal(code, 0);
    assert.ok(ms < 2000, `exited after ${ms.toFixed(0)} ms`);
    assert.equal(ids.length, 100, `answers received: ${ids.length}/100`);
    assert.deepEqual(ids, Array.from({ length: 100 }, (_, i) => 100 + i));
    assert.ok(p.logs.some((l) => l.msg === 'stopping' && l.signal === 'SIGTERM'));
  });

  it('a SIGTERM, SIGINT or SIGHUP sent as soon as `serving` is logged is handled, not fatal', async () => {
    // Signals right after `serving`: each start must stop with exit code 0 (not die of the signal).
    const codes: (number | null)[] = [];
    for (let i = 0; i < 6; i++) {
      const other = await startTyne(configFile());
      try {
        const t0 = performance.now();
        codes.push(await other.stop(i % 2 === 0 ? 'SIGINT' : 'SIGTERM'));
        assert.ok(performance.now() - t0 < 2000);
      } finally {
        await other.stop('SIGKILL');
      }
    }
    // And a SIGHUP (reload) right after `serving` must leave it serving.
    let hupDeaths = 0;
    for (let i = 0; i < 3; i++) {
      const other = await startTyne(configFile());
      try {
        other.child.kill('SIGHUP');
        await sleep(100);
        if (other.child.exitCode !== null || other.child.signalCode !== null) hupDeaths++;
      } finally {
        await other.stop('SIGKILL');
      }
    }
    // codes: exit codes (null = killed by the signal); hupDeaths: starts killed by an early SIGHUP.
    assert.deepEqual({ codes, hupDeaths }, { codes: [0, 0, 0, 0, 0, 0], hupDeaths: 0 });
  });
});

describe('tyne serve: workers', () => {
  let dir: string;
  let port = 0;
  let proc: TyneProcess | undefined;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tyne-workers-'));
    writeFileSync(join(dir, 'example.com.zone'), goodZone(7, '192.0.2.80'));
    port = await freePort();
    writeFileSync(join(dir, 'tyne.yaml'), yaml(port, [['example.com', 'example.com.zone']], '  workers: 2\n', 'debug'));
    proc = await startTyne(join(dir, 'tyne.yaml'));
  });

  after(async () => {
    await proc?.stop('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves through 2 workers: `serving` once from the primary, queries answered, per-query debug lines, SIGTERM stops all', async () => {
    const p = proc!;
    const primaryPid = p.child.pid!;
    await p.waitForLog((l) => l.msg === 'serving' && l.role === 'primary', 10_000);
    await sleep(100);
    const primaryServing = p.logs.filter((l) => l.msg === 'serving' && l.role === 'primary');
    assert.equal(primaryServing.length, 1, 'the primary says `serving` once');
    assert.equal(primaryServing[0]!.pid, primaryPid);
    const workerPids = [...new Set(p.logs.filter((l) => l.worker !== undefined).map((l) => l.pid as number))];
    assert.equal(workerPids.length, 2, `two worker pids in the logs: ${JSON.stringify(workerPids)}`);
    assert.ok(!workerPids.includes(primaryPid));
    for (const pid of workerPids) assert.ok(alive(pid));

    for (let i = 0; i < 20; i++) {
      const m = await ask(port, 'www.example.com', RRType.A, 500 + i);
      assert.equal(m.rcode, Rcode.NOERROR);
      assert.deepEqual([...m.answers[0]!.rdata], [192, 0, 2, 80]);
    }
    for (let i = 0; i < 5; i++) {
      const [a] = await queryTcp(port, [buildQuery({ id: 600 + i, name: 'www.example.com', type: RRType.A })], 2000);
      assert.equal(decodeMessage(a!).rcode, Rcode.NOERROR);
    }
    // Debug level: one `query` line per query, from the worker that answered.
    const query = await p.waitForLog((l) => l.msg === 'query' && l.qname === 'www.example.com.', 2000);
    assert.ok(query.worker !== undefined);
    assert.equal(query.qtype, 'A');
    assert.equal(query.rcode, 'NOERROR');
    await sleep(100);
    assert.ok(p.logs.filter((l) => l.msg === 'query').length >= 25);

    const t0 = performance.now();
    const code = await p.stop('SIGTERM');
    const ms = performance.now() - t0;
    assert.equal(code, 0);
    assert.ok(ms < 2000, `exited after ${ms.toFixed(0)} ms`);
    const deadline = Date.now() + 500;
    while (workerPids.some(alive) && Date.now() < deadline) await sleep(20);
    assert.deepEqual(workerPids.filter(alive), [], 'no worker outlives the primary');
  });
});
