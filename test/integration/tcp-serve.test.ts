/**
 * DNS over TCP against a real `tyne serve` (RFC 7766): pipelining, frames
 * split at odd places, the idle timeout, the connection cap, clients that
 * stall or never read, and malformed queries over TCP and UDP (the
 * fairness rules past the cap: tcp-fairness.test.ts).
 */
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RRType, Rcode, decodeMessage } from '../../src/wire/index.js';
import { buildQuery, messageId, queryTcp, queryUdp } from '../support/dns-client.js';
import { freePort } from '../support/ports.js';
import { startTyne, type TyneProcess } from '../support/tyne-process.js';
import { sleep } from '../support/wait.js';
import { FrameReader, frame } from '../support/tcp-framing.js';

const ZONE = `$ORIGIN example.com.
$TTL 300
@ SOA ns1 hostmaster 2024010101 7200 3600 1209600 300
@ NS ns1
ns1 A 192.0.2.53
www A 192.0.2.80
www AAAA 2001:db8::80
${Array.from({ length: 40 }, (_, i) => `big TXT "${String(i).padStart(2, '0')}${'t'.repeat(200)}"`).join('\n')}
`;

function config(port: number, idle: string, max: number): string {
  return `listen: ["127.0.0.1:${port}"]
log:
  level: info
server:
  udp-payload: 1232
  identity: ns1.test
  tcp-idle-timeout: ${idle}
  tcp-max-connections: ${max}
zones:
  - name: example.com
    file: example.com.zone
`;
}

/** A raw TCP client: collects length-prefixed messages, notes when the server closes. */
class Conn {
  readonly sock: Socket;
  readonly messages: Uint8Array[] = [];
  closedAt: number | undefined;
  readonly closed: Promise<void>;
  readonly connected: Promise<void>;
  readonly #reader = new FrameReader();
  #waiters: (() => void)[] = [];

  constructor(port: number, opts: { read?: boolean } = {}) {
    this.sock = connect({ port, host: '127.0.0.1' });
    this.connected = new Promise((res, rej) => {
      this.sock.once('connect', () => res());
      this.sock.once('error', rej);
    });
    this.sock.on('error', () => {});
    this.closed = new Promise((res) => this.sock.once('close', () => {
      this.closedAt = Date.now();
      for (const w of this.#waiters) w();
      res();
    }));
    if (opts.read === false) {
      this.sock.pause();
      return;
    }
    this.sock.on('data', (chunk: Buffer) => {
      this.#reader.push(chunk);
      this.messages.push(...this.#reader.drain());
      for (const w of this.#waiters) w();
    });
  }

  get isClosed(): boolean {
    return this.closedAt !== undefined;
  }

  /** Resolves once `n` messages have arrived; rejects on close or after `timeoutMs`. */
  async waitFor(n: number, timeoutMs = 3000): Promise<Uint8Array[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.messages.length < n) {
      if (this.isClosed) throw new Error(`connection closed after ${this.messages.length}/${n} messages`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${this.messages.length}/${n} messages after ${timeoutMs} ms`);
      await new Promise<void>((res) => {
        const t = setTimeout(res, Math.min(left, 100));
        this.#waiters.push(() => { clearTimeout(t); res(); });
      });
      this.#waiters.length = 0;
    }
    return this.messages.slice(0, n);
  }

  /** Sends one query and resolves with its answer (the next message). */
  async ask(q: Uint8Array, timeoutMs = 3000): Promise<Uint8Array> {
    const n = this.messages.length + 1;
    this.sock.write(frame(q));
    return (await this.waitFor(n, timeoutMs))[n - 1]!;
  }

  /** Resolves true if the server closes the connection within `ms`. */
  async closesWithin(ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((res) => { timer = setTimeout(() => res(false), ms); });
    const result = await Promise.race([this.closed.then(() => true), timeout]);
    clearTimeout(timer);
    return result;
  }

  destroy(): void {
    this.sock.destroy();
  }
}

/** Sends one datagram and resolves with the reply, or null when none comes within `ms`. */
function udpMaybe(port: number, bytes: Uint8Array, ms: number): Promise<Uint8Array | null> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    const timer = setTimeout(() => { s.close(); resolve(null); }, ms);
    s.on('message', (m) => { clearTimeout(timer); s.close(); resolve(new Uint8Array(m)); });
    s.bind(0, '127.0.0.1', () => s.send(bytes, port, '127.0.0.1'));
  });
}

const A = (id: number, name = 'www.example.com', type: number = RRType.A): Uint8Array => buildQuery({ id, name, type });

describe('tyne serve over TCP', () => {
  let dir: string;
  let main: TyneProcess | undefined;
  let tight: TyneProcess | undefined;
  let mainPort = 0;
  let tightPort = 0;
  const conns: Conn[] = [];
  const open = (port: number, opts?: { read?: boolean }): Conn => {
    const c = new Conn(port, opts);
    conns.push(c);
    return c;
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tyne-tcp-'));
    writeFileSync(join(dir, 'example.com.zone'), ZONE);
    mainPort = await freePort();
    writeFileSync(join(dir, 'main.yaml'), config(mainPort, '10s', 100));
    tightPort = await freePort();
    writeFileSync(join(dir, 'tight.yaml'), config(tightPort, '1s', 3));
    [main, tight] = await Promise.all([startTyne(join(dir, 'main.yaml')), startTyne(join(dir, 'tight.yaml'))]);
  });

  after(async () => {
    for (const c of conns) c.destroy();
    await Promise.all([main?.stop(), tight?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers 100 queries pipelined in one write, each with its ID', async () => {
    const queries = Array.from({ length: 100 }, (_, i) =>
      buildQuery({ id: 1000 + i, name: i % 3 === 0 ? 'www.example.com' : i % 3 === 1 ? 'nope.example.com' : 'example.com', type: i % 2 === 0 ? RRType.A : RRType.AAAA }));
    const answers = await queryTcp(mainPort, queries, 5000);
    assert.equal(answers.length, 100);
    for (let i = 0; i < 100; i++) {
      const m = decodeMessage(answers[i]!);
      assert.equal(m.id, 1000 + i);
      assert.equal(m.qr, true);
      assert.equal(m.questions[0]!.type, i % 2 === 0 ? RRType.A : RRType.AAAA);
      assert.equal(m.rcode, i % 3 === 1 ? Rcode.NXDOMAIN : Rcode.NOERROR);
    }
  });

  it('answers queries split across writes at odd byte boundaries, the length prefix included', async () => {
    const c = open(mainPort);
    await c.connected;
    const stream = Buffer.concat(Array.from({ length: 12 }, (_, i) => frame(A(2000 + i, i % 2 ? 'www.example.com' : 'big.example.com', i % 2 ? RRType.A : RRType.TXT))));
    const sizes = [1, 1, 3, 7, 2, 13, 1, 29, 5, 61, 11];
    let p = 0;
    for (let k = 0; p < stream.length; k++) {
      const n = sizes[k % sizes.length]!;
      c.sock.write(stream.subarray(p, p + n));
      p += n;
      await sleep(k < 20 ? 5 : 0);
    }
    const got = await c.waitFor(12, 4000);
    assert.deepEqual(got.map(messageId), Array.from({ length: 12 }, (_, i) => 2000 + i));
    for (let i = 0; i < 12; i++) {
      const m = decodeMessage(got[i]!);
      assert.equal(m.tc, false);
      assert.equal(m.answers.length, i % 2 ? 1 : 40, 'big TXT whole over TCP');
    }
    c.destroy();
  });

  it('a stalled half query and a client that never reads do not delay anyone else', async () => {
    // One sends a single octet of a length prefix and stops.
    const half = open(mainPort);
    await half.connected;
    half.sock.write(Buffer.of(0));
    // One pipelines 3000 queries with ~8 kB answers and never reads.
    const deaf = open(mainPort, { read: false });
    await deaf.connected;
    const flood = Buffer.concat(Array.from({ length: 3000 }, (_, i) => frame(A(i, 'big.example.com', RRType.TXT))));
    await new Promise<void>((res) => deaf.sock.write(flood, () => res()));
    await sleep(50);
    // Another client must get every answer quickly, over TCP and over UDP.
    const other = open(mainPort);
    await other.connected;
    let worst = 0;
    for (let i = 0; i < 20; i++) {
      const t0 = performance.now();
      const a = await other.ask(A(3000 + i), 2000);
      worst = Math.max(worst, performance.now() - t0);
      assert.equal(messageId(a), 3000 + i);
      const u0 = performance.now();
      const u = await queryUdp(mainPort, A(4000 + i), 2000);
      worst = Math.max(worst, performance.now() - u0);
      assert.equal(decodeMessage(u).rcode, Rcode.NOERROR);
    }
    assert.ok(worst < 500, `slowest answer took ${worst.toFixed(0)} ms`);
    // And a new connection is accepted and answered just as fast.
    const t0 = performance.now();
    const [late] = await queryTcp(mainPort, [A(5000)], 2000);
    assert.ok(performance.now() - t0 < 500);
    assert.equal(messageId(late!), 5000);
    half.destroy();
    deaf.destroy();
    other.destroy();
  });

  it('malformed queries over TCP: FORMERR for a readable header, the connection closed for a non-query, and serving goes on', async () => {
    const c = open(mainPort);
    await c.connected;
    const two = A(6001);
    two[5] = 2; // QDCOUNT 2
    const formerr = decodeMessage(await c.ask(two));
    assert.equal(formerr.id, 6001);
    assert.equal(formerr.rcode, Rcode.FORMERR);
    assert.equal(formerr.questions.length, 0);
    const cut = decodeMessage(await c.ask(A(6002).subarray(0, 20)));
    assert.equal(cut.rcode, Rcode.FORMERR);
    // The same connection still answers.
    assert.equal(decodeMessage(await c.ask(A(6003))).rcode, Rcode.NOERROR);
    // A 5-octet message has no header: nothing to answer, and the server may close.
    c.sock.write(frame(Uint8Array.of(1, 2, 3, 4, 5)));
    assert.equal(await c.closesWithin(1000), true, 'connection closed after a headerless message');
    assert.equal(c.messages.length, 3);
    // A response sent as a query: no answer either.
    const r = open(mainPort);
    await r.connected;
    const resp = A(6004);
    resp[2] = resp[2]! | 0x80;
    r.sock.write(frame(resp));
    assert.equal(await r.closesWithin(1000), true);
    assert.equal(r.messages.length, 0);
    // The daemon keeps answering.
    const [ok] = await queryTcp(mainPort, [A(6005)], 2000);
    assert.equal(decodeMessage(ok!).rcode, Rcode.NOERROR);
  });

  it('malformed queries over UDP: FORMERR or no answer, and serving goes on', async () => {
    const two = A(7001);
    two[5] = 2;
    const f = await udpMaybe(mainPort, two, 1000);
    assert.ok(f !== null, 'FORMERR expected');
    assert.equal(decodeMessage(f).rcode, Rcode.FORMERR);
    assert.equal(f.length, 12);
    const trailing = await udpMaybe(mainPort, Uint8Array.from([...A(7002), 0, 0, 0]), 1000);
    assert.ok(trailing !== null);
    assert.equal(decodeMessage(trailing).rcode, Rcode.FORMERR);
    const pointer = Uint8Array.from([0x1b, 0x5b, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 3, 0x77, 0x77, 0x77, 0xc0, 12, 0, 1, 0, 1]);
    const p = await udpMaybe(mainPort, pointer, 1000);
    assert.ok(p !== null);
    assert.equal(decodeMessage(p).rcode, Rcode.FORMERR);
    assert.equal(await udpMaybe(mainPort, Uint8Array.of(1, 2, 3), 300), null, 'no answer to 3 octets');
    const resp = A(7003);
    resp[2] = resp[2]! | 0x80;
    assert.equal(await udpMaybe(mainPort, resp, 300), null, 'no answer to a response');
    assert.equal(await udpMaybe(mainPort, new Uint8Array(0), 300), null, 'no answer to an empty datagram');
    const ok = await queryUdp(mainPort, A(7004), 2000);
    assert.equal(decodeMessage(ok).rcode, Rcode.NOERROR);
  });

  it('connection cap: past 3 connections a new one is refused, and the established ones keep being served', async () => {
    const [a, b, c] = [open(tightPort), open(tightPort), open(tightPort)];
    for (const [i, x] of [a, b, c].entries()) {
      await x.connected;
      assert.equal(messageId(await x.ask(A(8000 + i))), 8000 + i);
    }
    // No one has been idle for 2 s (the idle timeout is 1 s here): the newcomer is the one closed.
    const d = open(tightPort);
    await d.connected.catch(() => undefined);
    assert.equal(await d.closesWithin(1000), true, 'the 4th connection is refused');
    assert.equal(d.messages.length, 0);
    for (const [i, x] of [a, b, c].entries()) assert.equal(messageId(await x.ask(A(8010 + i))), 8010 + i, 'established connections are still answered');
    for (const x of [a, b, c]) x.destroy();
    await Promise.all([a.closed, b.closed, c.closed]);
    await sleep(100);
  });

  it('idle timeout: a connection with nothing to do is closed after about 1 s', async () => {
    const quiet = open(tightPort);
    await quiet.connected;
    const t0 = Date.now();
    const after1 = open(tightPort);
    await after1.connected;
    assert.equal(messageId(await after1.ask(A(9001))), 9001);
    const t1 = Date.now();
    assert.equal(await quiet.closesWithin(3000), true, 'closed within 3 s');
    assert.equal(await after1.closesWithin(3000), true, 'closed within 3 s of its last answer');
    const idleQuiet = quiet.closedAt! - t0;
    const idleAnswered = after1.closedAt! - t1;
    assert.ok(idleQuiet >= 800 && idleQuiet <= 3000, `quiet connection closed after ${idleQuiet} ms`);
    assert.ok(idleAnswered >= 800 && idleAnswered <= 3000, `answered connection closed ${idleAnswered} ms after its answer`);
  });

  it('a query that trickles in a byte at a time is cut off after the idle timeout, though never idle', async () => {
    const slow = open(tightPort);
    await slow.connected;
    const t0 = Date.now();
    // A length prefix claiming 1000 octets, then one octet every 300 ms (each well within the 1 s idle timeout).
    slow.sock.write(Buffer.of(0x03, 0xe8));
    const drip = setInterval(() => {
      if (!slow.sock.destroyed) slow.sock.write(Buffer.of(0x61));
    }, 300);
    try {
      assert.equal(await slow.closesWithin(4000), true, 'closed while still sending');
    } finally {
      clearInterval(drip);
    }
    const took = slow.closedAt! - t0;
    assert.ok(took >= 900 && took <= 2500, `closed ${took} ms after the query began`);
  });
});
