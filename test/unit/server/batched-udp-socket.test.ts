/**
 * The batched UDP socket (src/server/batched-udp-socket.ts over
 * src/native/udp-batch.c): datagrams from real client sockets on loopback
 * answered in batches, the source address and port as node:dgram reports
 * them, IPv6, a datagram longer than a slot, replies from the address a
 * query came to on wildcard sockets (IP_PKTINFO / IPV6_PKTINFO), a full
 * send buffer (the native test hook), close() and bind errors; and the
 * choice of server.udp-io when the module is missing.
 */
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { after, describe, it } from 'node:test';
import { BatchedUdpSocket, ipv6Text, loadBatchModule, type BatchModule } from '../../../src/server/batched-udp-socket.js';
import { chooseUdpIo, UdpIoErrorCode } from '../../../src/server/udp-io-choice.js';
import { batchModuleOrSkip } from '../../support/batch-module.js';

const mod: BatchModule | null = batchModuleOrSkip('batched UDP socket tests');

/** A socket that answers every datagram with its octets, first octet flipped; records batch sizes and sources. */
function echo(m: BatchModule, host: string, opts: { recvStride?: number; sndbuf?: number } = {}) {
  const batches: number[] = [];
  const sources: { address: string; port: number; family: number }[] = [];
  const errors: Error[] = [];
  const s: BatchedUdpSocket = new BatchedUdpSocket(
    m,
    { host, port: 0, rcvbuf: 4 << 20, ...opts },
    (n) => {
      batches.push(n);
      for (let i = 0; i < n; i++) {
        const len = s.length(i);
        if (len < 0) continue;
        sources.push({ address: s.addressOf(i), port: s.sourcePort(i), family: s.family(i) });
        const d = s.data(i).slice(0, len);
        d[0] = d[0]! ^ 0xff;
        s.reply(i, d);
      }
    },
    (e) => errors.push(e),
  );
  return { s, batches, sources, errors };
}

/** A client socket connected to `host`:`port` (it then accepts replies from that address and port only). */
async function client(type: 'udp4' | 'udp6', host: string, port: number): Promise<Socket> {
  const c = createSocket(type);
  await new Promise<void>((res, rej) => {
    c.once('error', rej);
    c.connect(port, host, () => res());
  });
  // The replies of a burst must fit the client's buffer too (the kernel caps it at net.core.rmem_max).
  c.setRecvBufferSize(4 << 20);
  return c;
}

/** Sends `count` datagrams at once (datagram i = [i & 0xff, i >> 8, ...pad]) and collects replies for up to `ms`. */
async function burst(c: Socket, count: number, size = 16, ms = 2000): Promise<Buffer[]> {
  const got: Buffer[] = [];
  const done = new Promise<void>((res) => {
    const t = setTimeout(res, ms);
    c.on('message', (m) => {
      got.push(m);
      if (got.length === count) {
        clearTimeout(t);
        res();
      }
    });
  });
  for (let i = 0; i < count; i++) {
    const b = Buffer.alloc(size, 0x61);
    b[0] = i & 0xff;
    b[1] = i >> 8;
    c.send(b);
  }
  await done;
  return got;
}

const closeAll: (() => void)[] = [];
after(() => {
  for (const f of closeAll) f();
});

describe('BatchedUdpSocket', { skip: mod === null }, () => {
  const m = mod!;

  it('answers a burst of 200 datagrams in batches of more than one, each reply to its own datagram', async () => {
    const e = echo(m, '127.0.0.1');
    closeAll.push(() => e.s.close());
    const c = await client('udp4', '127.0.0.1', e.s.port);
    closeAll.push(() => c.close());
    const got = await burst(c, 200);
    assert.equal(got.length, 200);
    const seen = new Set(got.map((b) => (b[0]! ^ 0xff) | (b[1]! << 8)));
    assert.equal(seen.size, 200, 'every datagram answered once');
    assert.ok(got.every((b) => b.length === 16 && b[2] === 0x61));
    assert.ok(Math.max(...e.batches) > 1, `batches of one only: ${e.batches.join(',')}`);
    assert.ok(e.batches.every((n) => n >= 1 && n <= 64));
    const me = c.address();
    assert.ok(e.sources.every((x) => x.address === '127.0.0.1' && x.port === me.port && x.family === 4));
    const st = e.s.stats();
    assert.equal(st.received, 200);
    assert.equal(st.sent, 200);
    assert.equal(st.batches, e.batches.length);
  });

  it('serves IPv6 (::1) with the address and port node:dgram would report', async () => {
    const e = echo(m, '::1');
    closeAll.push(() => e.s.close());
    const c = await client('udp6', '::1', e.s.port);
    closeAll.push(() => c.close());
    const got = await burst(c, 20);
    assert.equal(got.length, 20);
    assert.deepEqual(new Set(e.sources.map((x) => `${x.address} ${x.port} ${x.family}`)), new Set([`::1 ${c.address().port} 6`]));
  });

  // Sockets bound to a wildcard address (0.0.0.0, ::: the dual-stack and PKTINFO cases) are not tested
  // here: tests bind only loopback addresses or addresses inside network namespaces they make, and these
  // cases wait for a version run inside a namespace of their own (issue 16, left open).

  it('a datagram longer than a slot is dropped and counted (MSG_TRUNC); the rest are answered', async () => {
    const e = echo(m, '127.0.0.1', { recvStride: 64 });
    closeAll.push(() => e.s.close());
    const c = await client('udp4', '127.0.0.1', e.s.port);
    closeAll.push(() => c.close());
    const replies: Buffer[] = [];
    c.on('message', (b) => replies.push(b));
    c.send(Buffer.alloc(100, 1));
    c.send(Buffer.alloc(64, 2));
    c.send(Buffer.alloc(20, 3));
    for (let i = 0; i < 40 && replies.length < 2; i++) await new Promise((r) => setTimeout(r, 25));
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(replies.map((b) => b.length), [64, 20]);
    assert.equal(e.s.stats().truncated, 1);
  });

  it('a full send buffer: the batch is sent again once writable; full again at the retry, it is dropped and counted', async () => {
    const e = echo(m, '127.0.0.1');
    closeAll.push(() => e.s.close());
    const c = await client('udp4', '127.0.0.1', e.s.port);
    closeAll.push(() => c.close());
    e.s.testFullSendBuffer(1);
    const first = await burst(c, 1, 16, 1000);
    assert.equal(first.length, 1, 'retried when writable and sent');
    let st = e.s.stats();
    assert.deepEqual([st.sendRetried, st.sendDropped, st.sent], [1, 0, 1]);
    c.removeAllListeners('message');
    e.s.testFullSendBuffer(2);
    const second = await burst(c, 1, 16, 500);
    assert.equal(second.length, 0, 'dropped at the retry');
    st = e.s.stats();
    assert.deepEqual([st.sendRetried, st.sendDropped, st.sent], [2, 1, 1]);
    // And the socket serves on.
    c.removeAllListeners('message');
    assert.equal((await burst(c, 5)).length, 5);
  });

  it('close() is idempotent, also from inside the batch callback (that batch gets no replies)', async () => {
    const e = echo(m, '127.0.0.1');
    e.s.close();
    e.s.close();
    let calls = 0;
    const s: BatchedUdpSocket = new BatchedUdpSocket(m, { host: '127.0.0.1', port: 0 }, (n) => {
      calls++;
      for (let i = 0; i < n; i++) s.reply(i, s.data(i).slice(0, s.length(i)));
      s.close();
      s.close();
    }, () => {});
    const c = await client('udp4', '127.0.0.1', s.port);
    closeAll.push(() => c.close());
    const got = await burst(c, 3, 16, 300);
    assert.equal(calls, 1);
    assert.equal(got.length, 0);
    s.close();
    assert.equal(s.stats().received >= 1, true);
  });

  it('a port in use fails with node:dgram\'s error code (EADDRINUSE) and syscall', async () => {
    const d = createSocket('udp4');
    await new Promise<void>((r) => d.bind(0, '127.0.0.1', () => r()));
    closeAll.push(() => d.close());
    assert.throws(() => new BatchedUdpSocket(m, { host: '127.0.0.1', port: d.address().port }, () => {}, () => {}), (err: NodeJS.ErrnoException) => {
      assert.equal(err.code, 'EADDRINUSE');
      assert.equal(err.syscall, 'bind');
      return true;
    });
  });

  it('reusePort (issue 16 §3): sockets of one port each bind, and none without it', () => {
    const a = new BatchedUdpSocket(m, { host: '127.0.0.1', port: 0, reusePort: true }, () => {}, () => {});
    closeAll.push(() => a.close());
    const b = new BatchedUdpSocket(m, { host: '127.0.0.1', port: a.port, reusePort: true }, () => {}, () => {});
    closeAll.push(() => b.close());
    assert.equal(b.port, a.port);
    assert.throws(() => new BatchedUdpSocket(m, { host: '127.0.0.1', port: a.port }, () => {}, () => {}), (err: NodeJS.ErrnoException) => err.code === 'EADDRINUSE');
  });

  it('peer + sendPeer: a reply sent after the batch (a relayed query) reaches the client, from the port it asked', async () => {
    const kept: Uint8Array[] = [];
    const s: BatchedUdpSocket = new BatchedUdpSocket(m, { host: '127.0.0.1', port: 0 }, (n) => {
      for (let i = 0; i < n; i++) if (s.length(i) >= 0) kept.push(s.peer(i));
    }, () => {});
    closeAll.push(() => s.close());
    const c = await client('udp4', '127.0.0.1', s.port);
    closeAll.push(() => c.close());
    const got = new Promise<Buffer>((res) => c.once('message', (msg) => res(msg)));
    c.send(Buffer.from('relayed?'));
    const deadline = Date.now() + 2000;
    while (kept.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    assert.equal(kept.length, 1, 'the datagram arrived');
    assert.equal(kept[0]!.length, m.peerBytes);
    // Later, outside the batch callback (the main thread's answer comes back a moment after).
    await new Promise((r) => setTimeout(r, 20));
    s.sendPeer(kept[0]!, Buffer.from('answered'));
    assert.equal((await got).toString(), 'answered');
  });
});

describe('ipv6Text: as inet_ntop (and so node:dgram) writes IPv6 addresses', () => {
  const cases: [string, string][] = [
    ['00000000000000000000000000000001', '::1'],
    ['00000000000000000000000000000000', '::'],
    ['20010db8000000000000000000000001', '2001:db8::1'],
    ['20010db8000000010000000000000001', '2001:db8:0:1::1'],
    ['20010db8000000000001000000000001', '2001:db8::1:0:0:1'],
    ['20010db8000000010000000100000000', '2001:db8:0:1:0:1::'],
    ['fe800000000000000000000000000000', 'fe80::'],
    ['00000000000000000000ffff7f000001', '::ffff:127.0.0.1'],
    ['000000000000000000000000c0000201', '::192.0.2.1'],
    ['20010db8aaaabbbbccccddddeeeeffff', '2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff'],
    ['20010000000000010000000000000000', '2001:0:0:1::'],
    // Seven zero groups: ::2, as node's net.SocketAddress writes it (not dotted).
    ['00000000000000000000000000000002', '::2'],
  ];
  for (const [hex, text] of cases) {
    it(`${hex} -> ${text}`, () => assert.equal(ipv6Text(Buffer.from(hex, 'hex'), 0), text));
  }
});

describe('server.udp-io: which UDP I/O is used', () => {
  const missing = (): ReturnType<typeof loadBatchModule> => loadBatchModule('/nonexistent/udp_batch.node');

  it('auto without the module: node:dgram and one warning that says why and what fixes it', () => {
    const c = chooseUdpIo('auto', false, missing);
    assert.equal(c.module, null);
    assert.equal(c.error, null);
    assert.equal(c.warning?.code, UdpIoErrorCode.FALLBACK);
    assert.match(c.warning!.message, /batched UDP I\/O is not available \(\/nonexistent\/udp_batch\.node was not built\); serving UDP through node:dgram/);
    assert.match(c.warning!.message, /install g\+\+, make and python3, then run `npm run build:native`/);
    assert.ok(!c.warning!.message.includes('\n'));
  });

  it('batched without the module: an error (the start fails)', () => {
    const c = chooseUdpIo('batched', false, missing);
    assert.equal(c.module, null);
    assert.equal(c.error?.code, UdpIoErrorCode.UNAVAILABLE);
    assert.match(c.error!.message, /^server\.udp-io is batched, but the native UDP module cannot be used/);
  });

  it('dgram, and auto with workers, never load the module', () => {
    let loads = 0;
    const counting = (): ReturnType<typeof loadBatchModule> => {
      loads++;
      return missing();
    };
    assert.deepEqual(chooseUdpIo('dgram', false, counting), { module: null, warning: null, error: null });
    assert.deepEqual(chooseUdpIo('auto', true, counting), { module: null, warning: null, error: null });
    assert.equal(loads, 0);
  });

  it('auto with the module built: batched', { skip: mod === null }, () => {
    const c = chooseUdpIo('auto', false);
    assert.equal(c.module, mod);
    assert.equal(c.warning, null);
  });

  it('a file that is not a Node-API module: the reason names it', () => {
    const r = loadBatchModule('/etc/hostname');
    assert.equal(r.module, null);
    assert.match(r.reason!, /^\/etc\/hostname does not load: /);
  });
});
