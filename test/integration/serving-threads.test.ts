/**
 * `server.threads: 2` (issue 16 §3): UDP answered by two serving threads
 * (the main thread and one worker), each on its own SO_REUSEPORT socket,
 * with transfers, NOTIFY, secondary
 * zones and file watching all on. Real processes on 127.0.0.1: a threaded
 * Tyne primary, a threaded Tyne secondary, and BIND's named as a second
 * secondary. Checked:
 * - both threads answer (the metrics name each), and /metrics sums them;
 * - an edit on the primary is seen by every thread at one swap: once any
 *   client is answered the new serial, no later query is answered the old
 *   one, from any of 16 source ports;
 * - the secondary's NOTIFY arrives on either thread's socket (from the
 *   worker's it is passed to the main thread, which owns transfers) and is
 *   accepted; its transfer too is seen by every thread at one swap;
 * - named copies every version from the threaded primary (IXFR);
 * - IXFR over UDP, from 8 source ports (relayed from the worker's socket,
 *   or on the main thread's own), is answered with the diff;
 * - a second server on the same address cannot start beside it (TCP is
 *   bound first, without SO_REUSEPORT).
 * Then the node:dgram path: serving threads with node:dgram's reusePort
 * (Node 22.12 and later), or, on an older Node, the one-line start error.
 */
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { after, before, describe, it } from 'node:test';
import { decodeMessage, Rcode, RRType } from '../../src/wire/index.js';
import { dgramHasReusePort } from '../../src/server/udp-io-choice.js';
import { haveBatchModule } from '../support/batch-module.js';
import { digSerial } from '../support/dig.js';
import { ixfrQuery, queryUdp, soaSerialUdp } from '../support/dns-client.js';
import { scrape } from '../support/metrics-scrape.js';
import { startNamed, type NamedProcess } from '../support/named-process.js';
import { inCI } from '../support/paths.js';
import { serialRounds, swapSeenAtOnce } from '../support/serial-rounds.js';
import { loudSkip } from '../support/skip.js';
import { haveTool } from '../support/tools.js';
import { tyneYaml, zoneText } from '../support/tyne-config.js';
import { TynePair } from '../support/tyne-pair.js';
import { afterSoaCheckInterval, runTyneToExit, startTyne, tyneLogTail, type TyneProcess } from '../support/tyne-process.js';
import { sleep, until } from '../support/wait.js';
import { tyneCli } from '../support/tyne-cli.js';

const ZONE = 'threads.example';
const KEY = { name: 'threads-key', algorithm: 'hmac-sha256', secret: 'dHluZS1zZXJ2aW5nLXRocmVhZHMta2V5LTAwMDAwMDA=' };
const HAVE_NAMED = haveTool('named') && haveTool('dig');
if (!HAVE_NAMED) {
  if (inCI) throw new Error('named and dig are needed by the serving-threads test in CI');
  loudSkip('serving threads: named and dig are not installed');
}

/** The zone's version `v`: serial v, and a host `v<v>` added at each version (IXFR has a difference to send). */
const version = (v: number): string => zoneText(ZONE, v, { hosts: 60, extra: Array.from({ length: v }, (_, i) => `v${i + 1} A 203.0.113.${i + 1}`) });

describe('server.threads: 2 with the batched module: a primary and a secondary, transfers and NOTIFY on', { skip: !HAVE_NAMED || !haveBatchModule('serving threads'), timeout: 90_000 }, () => {
  let pair: TynePair;
  let ns1: TyneProcess | null = null;
  let ns2: TyneProcess | null = null;
  let named: NamedProcess | null = null;
  let metricsPort = 0;
  let namedPort = 0;
  let addedPort = 0;
  let busyPort = 0;
  const ns1Yaml = (listen: number[]): string => tyneYaml({
    listen: listen.map((p) => `127.0.0.1:${p}`), server: ['threads: 2', 'udp-io: batched'], control: [`socket: ${JSON.stringify(pair.path('ns1.sock'))}`], metrics: [`listen: 127.0.0.1:${metricsPort}`],
    keys: [{ name: KEY.name, algorithm: KEY.algorithm, secret: KEY.secret }],
    primaries: [{ name: ZONE, file: 'threads.example.zone', notify: [`127.0.0.1:${pair.p2}`, `127.0.0.1:${namedPort}`] }],
  });
  const logs = (): string => `ns1:\n${tyneLogTail(ns1)}\nns2:\n${tyneLogTail(ns2)}`;

  before(async () => {
    pair = await TynePair.create('tyne-threads-', ['ns2'], 4);
    [metricsPort, namedPort, addedPort, busyPort] = pair.more as [number, number, number, number];
    pair.write('threads.example.zone', version(1));
    pair.write('ns1.yaml', ns1Yaml([pair.p1]));
    pair.write('ns2.yaml', tyneYaml({
      listen: [`127.0.0.1:${pair.p2}`], server: ['threads: 2', 'udp-io: batched'], control: false,
      secondaries: [{ name: ZONE, primaries: [`127.0.0.1:${pair.p1}`], file: 'ns2/threads.example.zone' }],
    }));
    ns1 = await startTyne(pair.path('ns1.yaml'));
    ns2 = await startTyne(pair.path('ns2.yaml'));
    named = await startNamed([], {
      port: namedPort,
      zoneStatements: `zone "${ZONE}" { type secondary; primaries { 127.0.0.1 port ${pair.p1}; }; file "threads.secondary"; };`,
    });
    await until('ns2 and named serve serial 1', async () => (await soaSerialUdp(pair.p2, ZONE)) === 1 && (await digSerial({ port: namedPort }, ZONE)) === 1, { timeoutMs: 15_000, detail: logs });
  });

  after(async () => {
    await named?.stop();
    await pair.close(ns1, ns2);
  });

  it('both threads answer, and /metrics adds their counters up', async () => {
    const before = await scrape(metricsPort);
    const rounds = await serialRounds(pair.p1, ZONE, 1, { clients: 32, maxRounds: 2 });
    const answered = rounds.flat().filter((s) => s === 1).length;
    assert.ok(answered >= 60, `64 queries from 32 source ports, ${answered} answered serial 1`);
    const now = await scrape(metricsPort);
    const key = 'tyne_dns_requests_total{proto="udp",family="1",type="SOA"}';
    assert.ok((now.get(key) ?? 0) - (before.get(key) ?? 0) >= answered, `${key}: ${before.get(key)} -> ${now.get(key)}`);
    for (const t of ['0', '1']) {
      // Thread 0 is the main thread's own socket. 32 source ports over two SO_REUSEPORT sockets: all on one has probability 2^-31.
      assert.ok((now.get(`tyne_thread_requests_total{thread="${t}"}`) ?? 0) > 0, `thread ${t} answered nothing: ${[...now].filter(([k]) => k.startsWith('tyne_thread')).join(' ')}`);
    }
  });

  it('an edit on the primary is seen by every thread at one swap', async () => {
    const rounds = await serialRounds(pair.p1, ZONE, 2, {
      during: () => {
        pair.write('threads.example.zone', version(2));
        ns1!.child.kill('SIGHUP');
      },
    });
    const seen = swapSeenAtOnce(rounds, 2);
    assert.ok(seen.first > 0, `serial 2 never served in ${rounds.length} rounds\n${logs()}`);
    assert.equal(seen.mixedAfter, -1, `round ${seen.mixedAfter} was answered the old serial after round ${seen.first} saw the new one: ${JSON.stringify(rounds.slice(seen.first, seen.mixedAfter + 1))}`);
  });

  it('the NOTIFY reaches the threaded secondary (on either thread\'s socket), and its transfer is seen by every thread at one swap', async () => {
    // ns2 may still be taking version 2 (the last test's NOTIFY): wait for it, then watch version 3 arrive.
    await until('ns2 serves serial 2', async () => (await soaSerialUdp(pair.p2, ZONE)) === 2, { timeoutMs: 5000, detail: logs });
    // So that the NOTIFY gets a line of its own (one inside a check's second is folded into it).
    await afterSoaCheckInterval(ns2!, ZONE);
    const mark = ns2!.mark();
    const rounds = await serialRounds(pair.p2, ZONE, 3, {
      during: () => {
        pair.write('threads.example.zone', version(3));
        ns1!.child.kill('SIGHUP');
      },
    });
    const seen = swapSeenAtOnce(rounds, 3);
    assert.ok(seen.first > 0, `ns2 never served serial 3 in ${rounds.length} rounds\n${logs()}`);
    assert.equal(seen.mixedAfter, -1, `ns2: round ${seen.mixedAfter} was answered the old serial after round ${seen.first} saw the new one`);
    const notified = ns2!.since(mark, (l) => l.msg === 'notify received');
    assert.ok(notified.length > 0, `ns2 should have logged the NOTIFY it got:\n${logs()}`);
    const copied = ns2!.since(mark, (l) => typeof l.msg === 'string' && l.msg.startsWith(`transfer of ${ZONE}. from `));
    assert.ok(copied.length > 0, `ns2 should have logged its transfer of serial 3:\n${logs()}`);
  });

  it('named copies every version from the threaded primary', async () => {
    await until('named serves serial 3', async () => (await digSerial({ port: namedPort }, ZONE)) === 3, { timeoutMs: 10_000, detail: () => `${named?.log().slice(-2000)}\n${logs()}` });
    const out = ns1!.since(0, (l) => l.msg === 'transfer out' && (l.serial as { to?: number } | undefined)?.to === 3);
    assert.ok(out.length >= 1, `ns1 should have logged the transfers of serial 3:\n${logs()}`);
  });

  it('IXFR over UDP, on the main thread\'s socket or passed to it from the worker\'s, is answered with the difference (RFC 1995 §2)', async () => {
    // From 8 source ports: some reach the worker's socket (relayed), some the main thread's (all on one: 2^-7).
    for (let i = 0; i < 8; i++) {
      const m = decodeMessage(await queryUdp(pair.p1, ixfrQuery(0x1f10 + i, ZONE, 2)));
      assert.equal(m.rcode, Rcode.NOERROR);
      assert.equal(m.id, 0x1f10 + i);
      const soas = m.answers.filter((r) => r.type === RRType.SOA).map((r) => Buffer.from(r.rdata).readUInt32BE(r.rdata.length - 20));
      // RFC 1995 §4: new SOA, old SOA, deleted, new SOA, added, new SOA.
      assert.deepEqual(soas, [3, 2, 3, 3], `query ${i}: an incremental answer from 2 to 3: ${JSON.stringify(soas)}`);
      assert.ok(m.answers.some((r) => r.name.toText() === `v3.${ZONE}.`), `query ${i}: the added record v3 is in the difference`);
    }
  });

  it('signed queries are answered signed by the threads; a TSIG failure there reaches the main thread\'s log', async () => {
    // dig checks the TSIG of the response: a wrong or missing one is an error, not a serial.
    for (let i = 0; i < 6; i++) assert.equal(await digSerial({ port: pair.p1, key: KEY }, ZONE), 3, `signed query ${i}`);
    const mark = ns1!.mark();
    await digSerial({ port: pair.p1, key: { ...KEY, name: 'no-such-key' } }, ZONE);
    const line = await ns1!.waitAfter(mark, (l) => typeof l.msg === 'string' && l.msg.startsWith('TSIG BADKEY from 127.0.0.1'), 3000);
    assert.equal(line.transport, 'udp');
  });

  it('tyne loglevel reaches the threads: at debug they log each query, back at info they stop', async () => {
    const conf = pair.path('ns1.yaml');
    assert.equal((await tyneCli(['loglevel', 'debug', '-c', conf])).code, 0);
    const mark = ns1!.mark();
    await serialRounds(pair.p1, ZONE, 3, { clients: 16, maxRounds: 2 });
    await until('query lines from both threads', () => new Set(ns1!.since(mark, (l) => l.msg === 'query').map((l) => l.thread)).size === 2, { timeoutMs: 3000, detail: logs });
    assert.equal((await tyneCli(['loglevel', 'info', '-c', conf])).code, 0);
    await sleep(100);
    const quiet = ns1!.mark();
    await serialRounds(pair.p1, ZONE, 3, { clients: 16, maxRounds: 2 });
    await sleep(200);
    assert.deepEqual(ns1!.since(quiet, (l) => l.msg === 'query'), [], 'no query lines at info');
  });

  it('a reload that adds a listen address binds it in every thread; one the threads cannot bind fails the reload, and the old addresses serve on', async () => {
    let mark = ns1!.mark();
    pair.write('ns1.yaml', ns1Yaml([pair.p1, addedPort]));
    ns1!.child.kill('SIGHUP');
    await ns1!.waitAfter(mark, (l) => l.msg === 'reloaded', 5000);
    const rounds = await serialRounds(addedPort, ZONE, 3, { clients: 16, maxRounds: 2 });
    assert.ok(rounds.flat().filter((x) => x === 3).length >= 30, `the added address: ${JSON.stringify(rounds)}`);
    // A UDP socket of the test's own (no SO_REUSEPORT) on a port: TCP binds there, the threads' UDP cannot.
    const busy = createSocket('udp4');
    await new Promise<void>((res) => busy.bind(busyPort, '127.0.0.1', () => res()));
    try {
      mark = ns1!.mark();
      pair.write('ns1.yaml', ns1Yaml([pair.p1, addedPort, busyPort]));
      ns1!.child.kill('SIGHUP');
      const failed = await ns1!.waitAfter(mark, (l) => typeof l.msg === 'string' && l.msg.startsWith('reload failed'), 5000);
      assert.match(String(failed.msg), new RegExp(`cannot listen on 127\\.0\\.0\\.1:${busyPort} \\(udp\\): address already in use`));
      for (const port of [pair.p1, addedPort]) {
        const r = await serialRounds(port, ZONE, 3, { clients: 16, maxRounds: 1 });
        assert.deepEqual(r[0], Array(16).fill(3), `:${port} after the failed reload`);
      }
    } finally {
      busy.close();
    }
    // Back to one address: the added one closes in every thread.
    mark = ns1!.mark();
    pair.write('ns1.yaml', ns1Yaml([pair.p1]));
    ns1!.child.kill('SIGHUP');
    await ns1!.waitAfter(mark, (l) => l.msg === 'reloaded', 5000);
    await until('the dropped address stops answering', async () => (await soaSerialUdp(addedPort, ZONE, 300).catch(() => null)) === null, { timeoutMs: 3000 });
  });

  it('a second server on the same address does not start beside it (TCP is bound first, without SO_REUSEPORT)', async () => {
    pair.write('again.yaml', tyneYaml({ listen: [`127.0.0.1:${pair.p1}`], server: ['threads: 2'], control: false, primaries: [{ name: ZONE, file: 'threads.example.zone' }] }));
    const r = await runTyneToExit(pair.path('again.yaml'));
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${pair.p1} \\(tcp\\): address already in use`));
    assert.equal(await soaSerialUdp(pair.p1, ZONE), 3, 'the running server still answers');
  });
});

describe('server.threads: 2 over node:dgram', { timeout: 30_000 }, () => {
  let pair: TynePair;
  before(async () => {
    pair = await TynePair.create('tyne-threads-dgram-');
    pair.write('z.zone', version(1));
    pair.write('t.yaml', tyneYaml({ listen: [`127.0.0.1:${pair.p1}`], server: ['threads: 2', 'udp-io: dgram'], control: false, primaries: [{ name: ZONE, file: 'z.zone' }] }));
  });
  after(async () => pair.close());

  if (dgramHasReusePort()) {
    it('serves from two threads with node:dgram\'s reusePort', async () => {
      const t = await startTyne(pair.path('t.yaml'));
      try {
        const rounds = await serialRounds(pair.p1, ZONE, 1, { clients: 16, maxRounds: 2 });
        assert.ok(rounds.flat().filter((s) => s === 1).length >= 30, JSON.stringify(rounds));
        // Relayed through node:dgram too: the main thread refuses the IXFR (no allow-transfer), and the answer comes back.
        const m = decodeMessage(await queryUdp(pair.p1, ixfrQuery(0x2e2e, ZONE, 1)));
        assert.equal(m.id, 0x2e2e);
        assert.equal(m.rcode, Rcode.REFUSED);
      } finally {
        await t.stop();
      }
    });
  } else {
    it(`on Node ${process.versions.node} (no reusePort in node:dgram) the start fails with one line that says what to do`, async () => {
      const r = await runTyneToExit(pair.path('t.yaml'));
      assert.equal(r.code, 1);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0]!, /server\.threads is 2.*Node 22\.12.*set threads: 1 \[UDP_IO_NO_REUSEPORT\]$/);
    });
  }
});
