/**
 * The batched UDP path (issue 16 §2) on wildcard addresses, in a network
 * namespace of the test's own (test/support/netns.ts): host `srv` has two
 * IPv4 addresses (10.53.N.1 and .11) and two IPv6 addresses (fd00:53:N::1
 * and ::11) on its LAN interface; the test is the client, from the host
 * namespace's end of the LAN (10.53.N.254, fd00:53:N::254), with
 * unconnected sockets, so it sees where each reply comes from.
 *
 * - The batched socket itself (test/support/udp-address-echo.ts, inside the
 *   namespace), bound to 0.0.0.0 and to `::`: each reply leaves from the
 *   address its query was sent to (IP_PKTINFO, IPV6_RECVPKTINFO); an IPv4
 *   client of the `::` socket (dual-stack: neither node:dgram nor the module
 *   sets IPV6_V6ONLY) is answered from the IPv4 address it asked, and is
 *   seen as `::ffff:10.53.N.254`, family 6, as node:dgram sees it. The same
 *   echo through node:dgram answers both addresses of a family from one
 *   (the routing table's choice): the check on the batched path can fail.
 * - Tyne (`server.udp-io: batched`, and a second one with `dgram`), each
 *   listening on `0.0.0.0:P` and `[::]:P+1` (both on one port cannot be
 *   bound: the `::` socket takes IPv4 too): every query to each address
 *   (and IPv4 ones to the `::` socket) is answered from that address; the
 *   query log's `peer` of a dual-stack client is `::ffff:10.53.N.254` for
 *   both; the answers of the two are byte-identical, query by query
 *   (truncation and EDNS included).
 *
 * Needs root (ip netns), `ip` and the built module: skipped loudly without
 * them, a failure under CI. The namespaces are deleted in the after hook.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadBatchModule } from '../../src/server/batched-udp-socket.js';
import { RRType, decodeMessage } from '../../src/wire/index.js';
import { buildQuery, queryUdpSeen, type QuerySpec, type SeenReply } from '../support/dns-client.js';
import { NetLab } from '../support/netns.js';
import { inCI } from '../support/paths.js';
import { loudSkip } from '../support/skip.js';
import { haveTool } from '../support/tools.js';
import { tyneYaml, zoneText } from '../support/tyne-config.js';
import { startTyne, tyneLogTail, type TyneProcess } from '../support/tyne-process.js';
import { seenSender, startAddressEcho, type AddressEcho } from '../support/udp-address-echo.js';

const ZONE = 'wild.example';
/** 20 TXT records of 200 octets: more than any UDP payload Tyne sends (truncated). */
const BIG = Array.from({ length: 20 }, (_, i) => `big TXT "${String(i).padStart(2, '0')}${'x'.repeat(198)}"`);
/** Tyne's ports inside the namespace (it is the test's own: nothing else binds there): 0.0.0.0 on P, :: on P + 1. */
const BATCHED_PORT = 5301;
const DGRAM_PORT = 5311;

/** Why this cannot run here, or null. */
function unavailable(): string | null {
  if (!haveTool('ip')) return 'ip is missing';
  const lab = NetLab.unavailable();
  if (lab !== null) return lab;
  const m = loadBatchModule();
  return m.module === null ? `the batched UDP module is not built (${m.reason}; npm run build:native)` : null;
}

/** The queries compared between the batched and the dgram Tyne (IDs distinct, so each reply is matched). */
const QUERIES: QuerySpec[] = [
  { id: 101, name: `h1.${ZONE}`, type: RRType.A },
  { id: 102, name: `H3.WiLd.ExAmPlE`, type: RRType.A },
  { id: 103, name: `h1.${ZONE}`, type: RRType.AAAA },
  { id: 104, name: `nope.${ZONE}`, type: RRType.A },
  { id: 105, name: `x.any.${ZONE}`, type: RRType.A },
  { id: 106, name: ZONE, type: RRType.SOA, edns: { udpPayload: 1232 } },
  { id: 107, name: `big.${ZONE}`, type: RRType.TXT },
  { id: 108, name: `big.${ZONE}`, type: RRType.TXT, edns: { udpPayload: 1232 } },
  { id: 109, name: `big.${ZONE}`, type: RRType.TXT, edns: { udpPayload: 4096 } },
  { id: 110, name: `h2.${ZONE}`, type: RRType.A, edns: { udpPayload: 1232, version: 1 } },
  { id: 111, name: 'elsewhere.example', type: RRType.A },
];

describe('batched UDP on wildcard addresses (0.0.0.0, ::) in a network namespace', { timeout: 120_000 }, () => {
  const why = unavailable();
  let lab: NetLab | null = null;
  let dir = '';
  let v4: string[] = [];
  let v6: string[] = [];
  let self6 = '';
  let batchedEcho: AddressEcho | null = null;
  let dgramEcho: AddressEcho | null = null;
  let batched: TyneProcess | null = null;
  let dgram: TyneProcess | null = null;

  before(async () => {
    if (why !== null) return;
    lab = NetLab.create(['srv']);
    v4 = [lab.host('srv').address, `${lab.net}.11`];
    v6 = [`${lab.net6}1`, `${lab.net6}11`];
    self6 = `${lab.net6}254`;
    lab.addHostAddress('srv', `${v4[1]}/24`);
    for (const a of v6) lab.addHostAddress('srv', `${a}/64`);
    lab.addSelfAddress(`${self6}/64`);
    const inside = lab.exec('srv');
    batchedEcho = await startAddressEcho(inside, 'batched', ['0.0.0.0', '::']);
    dgramEcho = await startAddressEcho(inside, 'dgram', ['0.0.0.0', '::']);
    dir = mkdtempSync(join(tmpdir(), 'tyne-wildcard-'));
    const zone = join(dir, `${ZONE}.zone`);
    writeFileSync(zone, zoneText(ZONE, 1, { hosts: 10, extra: [...BIG, '*.any A 192.0.2.7'] }));
    const start = (udpIo: 'batched' | 'dgram', port: number): Promise<TyneProcess> => {
      const conf = join(dir, `tyne-${udpIo}.yaml`);
      writeFileSync(conf, tyneYaml({
        listen: [`0.0.0.0:${port}`, `[::]:${port + 1}`],
        // debug: the query log's `peer` is the client address the responder was given.
        logLevel: 'debug',
        server: [`udp-io: ${udpIo}`, 'rate-limit: false', `data-dir: ${JSON.stringify(join(dir, `state-${udpIo}`))}`],
        control: false,
        primaries: [{ name: ZONE, file: zone }],
      }));
      return startTyne(conf, { wrap: inside, timeoutMs: 30_000 });
    };
    batched = await start('batched', BATCHED_PORT);
    dgram = await start('dgram', DGRAM_PORT);
  });

  after(async () => {
    await Promise.allSettled([batchedEcho?.stop(), dgramEcho?.stop(), batched?.stop(), dgram?.stop()]);
    lab?.close();
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  const skipped = (t: { skip: (m: string) => void }): boolean => {
    if (why === null) return false;
    if (inCI) throw new Error(`the wildcard-address test of the batched UDP path cannot run in CI: ${why}`);
    loudSkip(`${why}; the wildcard-address and dual-stack test of the batched UDP path (network namespace) did not run`);
    t.skip(why);
    return true;
  };

  /** The client's own address for a query to `host`. */
  const local = (host: string): string => (host.includes(':') ? self6 : lab!.self);
  /** One query to host:port from the client's address; the reply and where it came from. */
  const ask = (host: string, port: number, q: QuerySpec): Promise<SeenReply> => queryUdpSeen(host, port, buildQuery(q), 3000, local(host));

  /** Every address asked on the 0.0.0.0 socket (IPv4) and on the :: socket (IPv6, and IPv4 through dual-stack), as [host, which socket]. */
  const targets = (): [string, 0 | 1][] => [...v4.map((a): [string, 0 | 1] => [a, 0]), ...v6.map((a): [string, 0 | 1] => [a, 1]), ...v4.map((a): [string, 0 | 1] => [a, 1])];

  it('the batched socket answers each address of 0.0.0.0 and :: from that address (IP_PKTINFO, IPV6_RECVPKTINFO)', async (t) => {
    if (skipped(t)) return;
    for (const [host, socket] of targets()) {
      const port = batchedEcho!.ports[socket]!;
      const r = await ask(host, port, { id: 7, name: ZONE, type: RRType.A });
      assert.deepEqual(r.from, { address: host, port }, `a query to ${host}:${port} (${socket === 0 ? '0.0.0.0' : '::'}) answered from ${r.from.address}:${r.from.port}`);
    }
  });

  it('the batched socket sees each client as node:dgram does: 10.53.N.254 (family 4) on 0.0.0.0, ::ffff:10.53.N.254 (family 6) on ::, and the IPv6 client as itself', async (t) => {
    if (skipped(t)) return;
    for (const [host, socket] of targets()) {
      const viaBatched = seenSender((await ask(host, batchedEcho!.ports[socket]!, { id: 8, name: ZONE, type: RRType.A })).bytes);
      const viaDgram = seenSender((await ask(host, dgramEcho!.ports[socket]!, { id: 9, name: ZONE, type: RRType.A })).bytes);
      const expected = host.includes(':') ? { address: self6, family: 6 } : socket === 0 ? { address: lab!.self, family: 4 } : { address: `::ffff:${lab!.self}`, family: 6 };
      assert.deepEqual({ address: viaBatched.address, family: viaBatched.family }, expected, `batched, query to ${host}`);
      assert.deepEqual({ address: viaDgram.address, family: viaDgram.family }, expected, `node:dgram, query to ${host}`);
    }
  });

  it('control: through node:dgram both addresses of a family are answered from one, so the checks above can fail', async (t) => {
    if (skipped(t)) return;
    for (const [family, hosts, socket] of [['IPv4 on 0.0.0.0', v4, 0], ['IPv6 on ::', v6, 1], ['IPv4 on ::', v4, 1]] as const) {
      const port = dgramEcho!.ports[socket]!;
      const sources = new Set<string>();
      for (const host of hosts) sources.add((await ask(host, port, { id: 10, name: ZONE, type: RRType.A })).from.address);
      t.diagnostic(`node:dgram, ${family}: queries to ${hosts.join(' and ')} answered from ${[...sources].join(' and ')}`);
      assert.equal(sources.size, 1, `${family}: node:dgram has no PKTINFO, the kernel picks one source for both`);
      assert.ok(hosts.some((h) => !sources.has(h)));
    }
  });

  it('tyne with udp-io: batched on 0.0.0.0 and :: answers every query from the address it was sent to', async (t) => {
    if (skipped(t)) return;
    assert.deepEqual(batched!.logs.filter((l) => l.msg === 'listening (udp, tcp)').map((l) => l.udpIo), ['batched', 'batched']);
    for (const [host, socket] of targets()) {
      const port = BATCHED_PORT + socket;
      for (const q of QUERIES) {
        const r = await ask(host, port, q);
        assert.deepEqual(r.from, { address: host, port }, `${q.name} ${q.type} to ${host}:${port} answered from ${r.from.address}:${r.from.port}\n${tyneLogTail(batched, 10)}`);
      }
    }
  });

  it('tyne: the client of each socket is the one node:dgram gives (query log peer), ::ffff:10.53.N.254 for IPv4 on ::, with both udp-io', async (t) => {
    if (skipped(t)) return;
    for (const [tyne, base, name] of [[batched!, BATCHED_PORT, 'batched'], [dgram!, DGRAM_PORT, 'dgram']] as const) {
      for (const [host, socket] of targets()) {
        const qname = `h${socket === 0 ? 4 : 5}.${ZONE}`;
        const mark = tyne.mark();
        await ask(host, base + socket, { id: 12, name: qname, type: RRType.A });
        const line = await tyne.waitAfter(mark, (l) => l.msg === 'query' && l.qname === `${qname}.`);
        const expected = host.includes(':') ? self6 : socket === 0 ? lab!.self : `::ffff:${lab!.self}`;
        assert.equal(line.peer, expected, `${name}: query to ${host} on ${socket === 0 ? '0.0.0.0' : '::'}`);
      }
    }
  });

  it('tyne: the answers through batched and through dgram are byte-identical, on every address (truncation and EDNS included)', async (t) => {
    if (skipped(t)) return;
    let compared = 0;
    for (const [host, socket] of targets()) {
      for (const q of QUERIES) {
        const a = await ask(host, BATCHED_PORT + socket, q);
        const b = await ask(host, DGRAM_PORT + socket, q);
        assert.deepEqual(Buffer.from(a.bytes).toString('hex'), Buffer.from(b.bytes).toString('hex'), `${q.name} ${q.type} to ${host} (${socket === 0 ? '0.0.0.0' : '::'})`);
        compared++;
      }
    }
    assert.equal(compared, targets().length * QUERIES.length);
    // The set asks what it should: a truncated answer, an NXDOMAIN, a wildcard, BADVERS, REFUSED.
    const m = async (id: number): Promise<ReturnType<typeof decodeMessage>> => decodeMessage((await ask(v4[1]!, BATCHED_PORT, QUERIES.find((q) => q.id === id)!)).bytes);
    assert.ok((await m(107)).tc);
    assert.equal((await m(104)).rcode, 3);
    assert.equal((await m(105)).answers.length, 1);
    assert.equal((await m(110)).rcode, 16, 'BADVERS (RFC 6891 §6.1.3)');
    assert.equal((await m(111)).rcode, 5);
  });
});
