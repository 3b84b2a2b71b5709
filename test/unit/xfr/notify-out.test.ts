/** NOTIFY out over real UDP on 127.0.0.1: message format, retries with backoff, ack matching, TSIG (notify-send.ts, tsig/notify-signer.ts), the Notifier queue (notify-queue.ts). */
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { after, describe, it } from 'node:test';
import { sleep } from '../../support/wait.js';
import { Name, Opcode, Rcode, RRClass, RRType, decodeMessage, encodeMessageToBytes, rdataFromText, tokenize, type Message } from '../../../src/wire/index.js';
import { sendNotify, type SendNotifyOptions, type SendNotifyResult } from '../../../src/xfr/notify-send.js';
import { Notifier } from '../../../src/xfr/notify-queue.js';
import { tsigNotifySigner } from '../../../src/tsig/index.js';
import type { Peer } from '../../../src/xfr/peer.js';
import type { TsigKey } from '../../../src/tsig/tsig-key.js';
import { tsigSign, tsigVerify } from '../../../src/tsig/tsig.js';

const origin = Name.fromText('example.com.');
const soa = rdataFromText(RRType.SOA, tokenize('ns1 hostmaster 42 3600 900 604800 300'), origin);

interface FakePeer {
  port: number;
  received: { msg: Message; bytes: Buffer; at: number }[];
  close(): Promise<void>;
}

/** A UDP peer that hands each query to `answer` (null: stay silent). */
async function fakePeer(answer: (q: Message, n: number, bytes: Buffer) => Uint8Array | null): Promise<FakePeer> {
  const sock: Socket = createSocket('udp4');
  const received: FakePeer['received'] = [];
  sock.on('message', (bytes, rinfo) => {
    const msg = decodeMessage(bytes);
    received.push({ msg, bytes, at: Date.now() });
    const r = answer(msg, received.length, bytes);
    if (r !== null) sock.send(r, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', resolve));
  return { port: sock.address().port, received, close: () => new Promise((resolve) => sock.close(() => resolve())) };
}

function reply(q: Message, rcode = 0): Uint8Array {
  return encodeMessageToBytes({ ...q, qr: true, rcode, answers: [] });
}

function peerAt(port: number, key: string | null = null): Peer {
  return { host: '127.0.0.1', port, family: 4, key };
}

const peers: FakePeer[] = [];
after(async () => {
  for (const p of peers) await p.close();
});

async function peer(answer: (q: Message, n: number, bytes: Buffer) => Uint8Array | null): Promise<FakePeer> {
  const p = await fakePeer(answer);
  peers.push(p);
  return p;
}

describe('sendNotify', () => {
  it('sends RFC 1996 §3.7 NOTIFY: opcode 4, AA, question (zone, SOA, IN), the SOA in the answer', async () => {
    const p = await peer((q) => reply(q));
    const res = await sendNotify({ origin, serial: 42, soa, soaTtl: 300, peer: peerAt(p.port), firstTimeoutMs: 200 });
    assert.deepEqual(res, { acked: true, tries: 1, rcode: 0 });
    const m = p.received[0]!.msg;
    assert.equal(m.opcode, Opcode.NOTIFY);
    assert.equal(m.opcode, 4);
    assert.equal(m.aa, true);
    assert.equal(m.qr, false);
    assert.equal(m.rd, false);
    assert.equal(m.questions.length, 1);
    assert.ok(m.questions[0]!.name.equals(origin));
    assert.equal(m.questions[0]!.type, RRType.SOA);
    assert.equal(m.questions[0]!.class, RRClass.IN);
    assert.equal(m.answers.length, 1);
    assert.equal(m.answers[0]!.type, RRType.SOA);
    assert.equal(m.answers[0]!.ttl, 300);
    assert.ok(m.answers[0]!.name.equals(origin));
    assert.deepEqual([...m.answers[0]!.rdata], [...soa]);
    assert.equal(m.authorities.length + m.additionals.length, 0);
  });

  it('retries with the same ID and doubling waits; acked on the 3rd try', async () => {
    const p = await peer((q, n) => (n === 3 ? reply(q) : null));
    const res = await sendNotify({ origin, serial: 42, soa, peer: peerAt(p.port), firstTimeoutMs: 40 });
    assert.equal(res.acked, true);
    assert.equal(res.tries, 3);
    assert.equal(p.received.length, 3);
    const ids = new Set(p.received.map((r) => r.msg.id));
    assert.equal(ids.size, 1);
    // Waits of 40 then 80 ms before the 2nd and 3rd tries.
    const gap1 = p.received[1]!.at - p.received[0]!.at;
    const gap2 = p.received[2]!.at - p.received[1]!.at;
    assert.ok(gap1 >= 35 && gap2 >= 75, `gaps ${gap1} ${gap2}`);
  });

  it('gives up after 5 tries when the peer never answers', async () => {
    const p = await peer(() => null);
    const t0 = Date.now();
    const res = await sendNotify({ origin, serial: 42, soa, peer: peerAt(p.port), firstTimeoutMs: 20 });
    assert.deepEqual(res, { acked: false, tries: 5 });
    assert.equal(p.received.length, 5);
    assert.ok(Date.now() - t0 >= 20 + 40 + 80 + 160 + 320 - 10);
  });

  it('ignores answers with another ID, without QR, or with another opcode', async () => {
    const p = await peer((q, n) => {
      if (n === 1) return encodeMessageToBytes({ ...q, id: (q.id + 1) & 0xffff, qr: true });
      if (n === 2) return encodeMessageToBytes({ ...q, qr: false });
      if (n === 3) return encodeMessageToBytes({ ...q, qr: true, opcode: Opcode.QUERY });
      return reply(q);
    });
    const res = await sendNotify({ origin, serial: 42, soa, peer: peerAt(p.port), firstTimeoutMs: 20 });
    assert.equal(res.acked, true);
    assert.equal(res.tries, 4);
  });

  it('stops at an error RCODE (not acked, rcode given)', async () => {
    const p = await peer((q) => reply(q, Rcode.NOTAUTH));
    const res = await sendNotify({ origin, serial: 42, soa, peer: peerAt(p.port), firstTimeoutMs: 50 });
    assert.deepEqual(res, { acked: false, tries: 1, rcode: Rcode.NOTAUTH });
  });

  it('resolves (never throws) when the abort signal fires', async () => {
    const p = await peer(() => null);
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 30);
    const res = await sendNotify({ origin, serial: 42, soa, peer: peerAt(p.port), firstTimeoutMs: 1000, signal: ctl.signal });
    assert.equal(res.acked, false);
    assert.equal(res.aborted, true);
    assert.equal(res.tries, 1);
  });

  it('TSIG: signs each try and accepts only an answer signed with the key', async () => {
    const key: TsigKey = { name: Name.fromText('xfr-key.'), algorithm: 'hmac-sha256', secret: new Uint8Array(32).fill(7) };
    const keys = (n: Name): TsigKey | undefined => (n.equals(key.name) ? key : undefined);
    const p = await peer((q, n, bytes) => {
      const v = tsigVerify(bytes, keys);
      assert.equal(v.present, true);
      assert.equal(v.error, 0);
      const unsigned = reply({ ...q, tsig: null });
      // 1st try: answered without TSIG (ignored); 2nd: signed.
      return n === 1 ? unsigned : tsigSign(unsigned, key, { requestMac: v.mac }).bytes;
    });
    const res = await sendNotify({ origin, serial: 42, soa, peer: peerAt(p.port, 'xfr-key.'), firstTimeoutMs: 30, sign: tsigNotifySigner(key) });
    assert.equal(res.acked, true);
    assert.equal(res.tries, 2);
  });

  // Regression: the answer to a later try is checked against every earlier try's MAC first,
  // and each failed check used to rewrite the received packet's ID and ARCOUNT in place, so
  // the right check then saw a broken packet (Knot answered tries 3-5; Tyne gave up). With the
  // default 1 s first wait every try is signed in another second, so each has its own MAC;
  // these tries are 40 ms apart, so the signer is given a clock one second further for each.
  const key: TsigKey = { name: Name.fromText('notify-key.'), algorithm: 'hmac-sha256', secret: new Uint8Array(32).fill(9) };
  const otherKey: TsigKey = { ...key, secret: new Uint8Array(32).fill(10) };
  const keys = (n: Name): TsigKey | undefined => (n.equals(key.name) ? key : undefined);
  const cases: { name: string; answer: (n: number) => TsigKey | null; tries: number }[] = [
    { name: 'try 1 unanswered, try 2 answered', answer: (n) => (n === 2 ? key : null), tries: 2 },
    { name: 'try 1 answered with a MAC that fails, try 2 answered', answer: (n) => (n === 1 ? otherKey : n === 2 ? key : null), tries: 2 },
    { name: 'tries 1 and 2 unanswered, try 3 answered (as seen with Knot)', answer: (n) => (n >= 3 ? key : null), tries: 3 },
  ];
  for (const c of cases) {
    it(`TSIG: accepts a correctly signed answer to a later try: ${c.name}`, async () => {
      const p = await peer((q, n, bytes) => {
        // The request MAC of this very try: the answer's MAC covers it (RFC 8945 §5.3).
        const v = tsigVerify(Uint8Array.from(bytes), keys);
        assert.equal(v.error, 0);
        const signWith = c.answer(n);
        return signWith === null ? null : tsigSign(reply({ ...q, tsig: null }), signWith, { requestMac: v.mac }).bytes;
      });
      let signed = 0;
      const now = (): number => Math.floor(Date.now() / 1000) + signed++;
      const res = await sendNotify({ origin, serial: 42, soa, peer: peerAt(p.port, 'notify-key.'), firstTimeoutMs: 40, tries: 4, sign: tsigNotifySigner(key, { now }) });
      assert.deepEqual(res, { acked: true, tries: c.tries, rcode: 0 });
      assert.equal(p.received.length, c.tries, 'no try sent after the accepted answer');
    });
  }
  it('a try that cannot be signed: not acked, nothing sent, the error given as the reason', async () => {
    const p = await peer(() => null);
    const boom = new Error('no key material');
    const sign = (): never => {
      throw boom;
    };
    const res = await sendNotify({ origin, serial: 42, soa, peer: peerAt(p.port), firstTimeoutMs: 50, sign });
    assert.deepEqual(res, { acked: false, tries: 0, error: boom });
    assert.equal(p.received.length, 0);
  });
});

describe('Notifier', () => {
  const silent = { info: () => undefined, warn: () => undefined };

  it('logs a warning naming the target on giving up, and calls onGiveUp / onAck', async () => {
    const dead = await peer(() => null);
    const live = await peer((q) => reply(q));
    const warns: { o: object; msg: string }[] = [];
    const gaveUp: string[] = [];
    const acked: string[] = [];
    const n = new Notifier({
      log: { info: () => undefined, warn: (o, msg) => warns.push({ o, msg }) },
      tries: 2,
      firstTimeoutMs: 20,
      onGiveUp: (zone, p, tries) => gaveUp.push(`${zone.toText()} ${p.port} ${tries}`),
      onAck: (zone, p, tries) => acked.push(`${zone.toText()} ${p.port} ${tries}`),
    });
    n.notify({ origin, serial: 42, soa }, [peerAt(dead.port), peerAt(live.port)]);
    await n.idle();
    assert.deepEqual(gaveUp, [`example.com. ${dead.port} 2`]);
    assert.deepEqual(acked, [`example.com. ${live.port} 1`]);
    assert.equal(warns.length, 1);
    assert.match(warns[0]!.msg, new RegExp(`127\\.0\\.0\\.1:${dead.port}`));
    assert.equal((warns[0]!.o as { peer: string }).peer, `127.0.0.1:${dead.port}`);
  });

  it('a NOTIFY answered with an error: one warning, the rcode named (NOTAUTH, not 9)', async () => {
    const refusing = await peer((q) => reply(q, 9));
    const warns: { o: object; msg: string }[] = [];
    const n = new Notifier({ log: { info: () => undefined, warn: (o, msg) => warns.push({ o, msg }) }, tries: 2, firstTimeoutMs: 50 });
    n.notify({ origin, serial: 42, soa }, [peerAt(refusing.port)]);
    await n.idle();
    assert.equal(warns.length, 1, JSON.stringify(warns));
    assert.equal((warns[0]!.o as { rcode: unknown }).rcode, 'NOTAUTH');
    assert.match(warns[0]!.msg, /answered NOTAUTH; given up$/);
    assert.doesNotMatch(warns[0]!.msg, /\b9\b/);
  });

  it('a newer serial replaces one waiting and cuts short the one in flight', async () => {
    const calls: number[] = [];
    const results: string[] = [];
    const send = (o: SendNotifyOptions): Promise<SendNotifyResult> => {
      calls.push(o.serial);
      return new Promise((resolve) => {
        const t = setTimeout(() => resolve({ acked: true, tries: 1, rcode: 0 }), 30);
        o.signal?.addEventListener('abort', () => {
          clearTimeout(t);
          resolve({ acked: false, tries: 1, aborted: true });
        });
      });
    };
    const n = new Notifier({
      log: silent, send,
      onAck: (_z, _p, _t, serial) => results.push(`ack ${serial}`),
      onGiveUp: (_z, _p, _t, serial) => results.push(`gave up ${serial}`),
    });
    const p = peerAt(5300);
    n.notify({ origin, serial: 1, soa }, [p]);
    n.notify({ origin, serial: 2, soa }, [p]); // cuts 1 short, waits
    n.notify({ origin, serial: 3, soa }, [p]); // replaces 2
    n.notify({ origin, serial: 3, soa }, [p]); // same serial: nothing new
    await n.idle();
    assert.deepEqual(calls, [1, 3]);
    assert.deepEqual(results, ['ack 3']);
  });

  it('keeps at most maxInFlight notifies in flight', async () => {
    let inFlight = 0;
    let most = 0;
    const send = async (): Promise<SendNotifyResult> => {
      inFlight++;
      most = Math.max(most, inFlight);
      await sleep(5);
      inFlight--;
      return { acked: true, tries: 1, rcode: 0 };
    };
    const n = new Notifier({ log: silent, send, maxInFlight: 2 });
    n.notify({ origin, serial: 1, soa }, [5301, 5302, 5303, 5304, 5305].map((port) => peerAt(port)));
    await n.idle();
    assert.equal(most, 2);
  });
});
