/**
 * The transfer client against fake primaries: the kit's scripted TCP (and
 * UDP) servers on 127.0.0.1 (test/support/fake-primary.ts), answering with
 * crafted messages.
 */
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { after, describe, it } from 'node:test';
import { loadZoneText } from '../../../src/zone/load-zone.js';
import {
  Name, RRType, Rcode, emptyMessage, encodeMessageToBytes, type Message, type ResourceRecord,
} from '../../../src/wire/index.js';
import { encodedRecordBytes, estimatedZoneBytes, type Zone } from '../../../src/zone/index.js';
import { formatRecord, parseZoneText } from '../../../src/zonefile/index.js';
import { startScriptedPrimary, type PrimaryStep as Step, type ScriptedPrimary, type TcpScript as Handler, type UdpScript } from '../../support/fake-primary.js';
import { frame } from '../../support/tcp-framing.js';
import { applyDiffs } from '../../../src/xfr/apply-diff.js';
import { TransferError, type TransferErrorCode } from '../../../src/xfr/transfer-error.js';
import { querySoaSerial } from '../../../src/xfr/soa-query.js';
import { transferZone, type TransferOptions } from '../../../src/xfr/transfer-client.js';
import type { TsigKey } from '../../../src/tsig/tsig-key.js';
import { TsigStreamSigner, tsigVerify } from '../../../src/tsig/tsig.js';

const origin = Name.fromText('example.');

const BODY = `$TTL 300
@ NS ns1
@ NS ns2
ns1 A 192.0.2.1
ns2 A 192.0.2.2
www A 192.0.2.10
mail MX 10 www
txt TXT "hello"
`;

function soaText(serial: number): string {
  return `@ 300 SOA ns1 hostmaster ${serial} 3600 600 86400 300\n`;
}

function records(text: string): ResourceRecord[] {
  const out: ResourceRecord[] = [];
  const r = parseZoneText(`$TTL 300\n${text}`, { origin }, (rr) => out.push(rr));
  assert.deepEqual(r.errors, []);
  return out;
}

const soa = (serial: number): ResourceRecord => records(soaText(serial))[0]!;

function zoneOf(serial: number, body = BODY): Zone {
  return loadZoneText(soaText(serial) + body, origin);
}

const texts = (z: Zone): string[] => z.canonicalRecords().map(formatRecord);

/** Records of a full transfer: SOA, the rest, SOA. */
function axfrRecords(serial: number, body = BODY): ResourceRecord[] {
  const rest = records(body);
  return [soa(serial), ...rest, soa(serial)];
}

interface Reply {
  answers?: ResourceRecord[];
  rcode?: number;
  id?: number;
  question?: boolean;
  tc?: boolean;
  aa?: boolean;
}

function reply(q: Message, r: Reply): Uint8Array {
  const m = emptyMessage(r.id ?? q.id);
  m.qr = true;
  m.aa = r.aa ?? true;
  m.tc = r.tc ?? false;
  m.rcode = r.rcode ?? 0;
  if (r.question ?? true) m.questions.push(...q.questions);
  m.answers.push(...(r.answers ?? []));
  return encodeMessageToBytes(m);
}

const open: ScriptedPrimary[] = [];
after(async () => {
  for (const f of open) await f.close();
});

/** A TCP primary on 127.0.0.1 (and a UDP one on the same port when `udp` is given), closed after the tests. */
async function fakePrimary(handler: Handler, udp?: UdpScript): Promise<ScriptedPrimary> {
  const fake = await startScriptedPrimary(handler, udp);
  open.push(fake);
  return fake;
}

/** Splits records over messages of at most `per` answers. */
function messages(q: Message, rrs: ResourceRecord[], per: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < rrs.length; i += per) out.push(reply(q, { answers: rrs.slice(i, i + per), question: i === 0 }));
  return out;
}

async function rejectsWith(p: Promise<unknown>, code: TransferErrorCode, match?: RegExp): Promise<TransferError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof TransferError, `expected a TransferError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (match) assert.match(e.message, match);
    return e;
  }
  assert.fail(`expected ${code}`);
}

const axfrHandler = (serial: number, body = BODY, per = 3): Handler => (q) => messages(q, axfrRecords(serial, body), per);

describe('transferZone: AXFR', () => {
  it('transfers a zone sent over several messages', async () => {
    const f = await fakePrimary(axfrHandler(7));
    try {
      const r = await transferZone({ origin, peer: f.peer, key: null, current: null });
      assert.equal(r.kind, 'AXFR');
      assert.equal(r.serial, 7);
      assert.equal(r.fromSerial, null);
      assert.equal(r.fallback, null);
      assert.equal(r.diff, null);
      assert.equal(r.upToDate, false);
      assert.deepEqual(texts(r.zone), texts(zoneOf(7)));
      assert.equal(r.records, axfrRecords(7).length);
      assert.equal(r.messages, Math.ceil(axfrRecords(7).length / 3));
      assert.ok(r.bytes > 0);
      const q = f.queries[0]!;
      assert.equal(q.questions[0]!.type, RRType.AXFR);
      assert.ok(q.questions[0]!.name.equals(origin));
    } finally {
      await f.close();
    }
  });

  it('accepts later messages that repeat the question', async () => {
    const f = await fakePrimary((q) => {
      const rrs = axfrRecords(3);
      return [reply(q, { answers: rrs.slice(0, 4) }), reply(q, { answers: rrs.slice(4) })];
    });
    try {
      const r = await transferZone({ origin, peer: f.peer, key: null, current: null });
      assert.equal(r.serial, 3);
    } finally {
      await f.close();
    }
  });

  /** One failing AXFR each: what the primary sends, the options beyond the defaults, the error code and what its message says. */
  const failures: { name: string; handler: Handler; opts?: Partial<TransferOptions>; code: TransferErrorCode; match?: RegExp; took?: [number, number] }[] = [
    { name: 'connection closed halfway: XFR_CONNECTION', handler: (q) => [...messages(q, axfrRecords(7), 3).slice(0, 2), 'close'], code: 'XFR_CONNECTION', match: /closed/ },
    {
      name: 'connection closed inside a message: XFR_CONNECTION',
      handler: (q) => {
        const m = frame(messages(q, axfrRecords(7), 100)[0]!);
        return [{ raw: m.subarray(0, 20) }, 'close'];
      },
      code: 'XFR_CONNECTION',
      match: /middle of a message/,
    },
    {
      name: 'first record not the SOA: XFR_MALFORMED',
      handler: (q) => {
        const rrs = axfrRecords(7);
        return messages(q, [rrs[1]!, ...rrs], 100);
      },
      code: 'XFR_MALFORMED',
      match: /first record/,
    },
    {
      name: 'closing SOA with another serial: XFR_MALFORMED',
      handler: (q) => {
        const rrs = axfrRecords(7);
        rrs[rrs.length - 1] = soa(8);
        return messages(q, rrs, 100);
      },
      code: 'XFR_MALFORMED',
      match: /closing SOA/,
    },
    {
      name: 'records after the closing SOA: XFR_MALFORMED',
      handler: (q) => messages(q, [...axfrRecords(7), records('extra A 192.0.2.9')[0]!], 100),
      code: 'XFR_MALFORMED',
      match: /after the closing SOA/,
    },
    {
      name: 'out-of-zone record: XFR_INVALID_ZONE',
      handler: (q) => {
        const rrs = axfrRecords(7);
        rrs.splice(2, 0, records('www.other. A 192.0.2.66')[0]!);
        return messages(q, rrs, 100);
      },
      code: 'XFR_INVALID_ZONE',
      match: /out-of-zone.*www\.other\./,
    },
    {
      name: 'a zone that fails the checks: XFR_INVALID_ZONE with the error',
      handler: axfrHandler(7, 'www A 192.0.2.1\nwww CNAME ns1\n'),
      code: 'XFR_INVALID_ZONE',
      match: /no NS records|CNAME and other data/,
    },
    { name: 'REFUSED: XFR_REFUSED naming the rcode', handler: (q) => [reply(q, { rcode: Rcode.REFUSED })], code: 'XFR_REFUSED', match: /REFUSED/ },
    {
      name: 'NOTAUTH in a later message: XFR_REFUSED',
      handler: (q) => [messages(q, axfrRecords(7), 3)[0]!, reply(q, { rcode: Rcode.NOTAUTH, question: false })],
      code: 'XFR_REFUSED',
      match: /NOTAUTH/,
    },
    { name: 'garbage message: XFR_MALFORMED', handler: () => [Uint8Array.from({ length: 40 }, (_, i) => (i * 37 + 11) & 0xff)], code: 'XFR_MALFORMED' },
    {
      name: 'wrong message ID: XFR_MALFORMED',
      handler: (q) => [reply(q, { answers: axfrRecords(7), id: (q.id + 1) & 0xffff })],
      code: 'XFR_MALFORMED',
      match: /ID/,
    },
    {
      name: 'missing question in the first message: XFR_MALFORMED',
      handler: (q) => [reply(q, { answers: axfrRecords(7), question: false })],
      code: 'XFR_MALFORMED',
      match: /question/,
    },
    { name: 'server never answers: XFR_TIMEOUT after idleTimeoutMs', handler: () => [], opts: { idleTimeoutMs: 200 }, code: 'XFR_TIMEOUT', took: [150, 3000] },
    {
      name: 'a trickle slower than the whole-transfer time: XFR_TIMEOUT',
      handler: (q) => messages(q, axfrRecords(7), 1).flatMap((m) => [m, { delayMs: 100 }] as Step[]),
      opts: { timeoutMs: 300, idleTimeoutMs: 1000 },
      code: 'XFR_TIMEOUT',
    },
    { name: 'more than maxBytes: refused before the end', handler: axfrHandler(7, BODY, 1), opts: { maxBytes: 200 }, code: 'XFR_MALFORMED', match: /limit/ },
  ];
  for (const c of failures) {
    it(c.name, async () => {
      const f = await fakePrimary(c.handler);
      const t0 = Date.now();
      await rejectsWith(transferZone({ origin, peer: f.peer, key: null, current: null, ...c.opts }), c.code, c.match);
      if (c.took !== undefined) {
        const took = Date.now() - t0;
        assert.ok(took >= c.took[0] && took < c.took[1], `took ${took} ms`);
      }
    });
  }

  it('over memoryBudget: XFR_MEMORY_BUDGET at the record that passes it; a budget the zone fits takes it', async () => {
    // The estimate counts the records held (the opening SOA and the body, not the closing SOA), as a zone file's load does.
    const held = axfrRecords(7).slice(0, -1);
    const estimate = estimatedZoneBytes(held.reduce((n, rr) => n + encodedRecordBytes(rr.name.wire.length, rr.rdata.length), 0), held.length);
    const f = await fakePrimary(axfrHandler(7));
    try {
      await rejectsWith(
        transferZone({ origin, peer: f.peer, key: null, current: null, memoryBudget: estimate - 1 }),
        'XFR_MEMORY_BUDGET',
        new RegExp(`after ${held.length} records; abandoned, the zone held is kept`),
      );
      const r = await transferZone({ origin, peer: f.peer, key: null, current: null, memoryBudget: estimate });
      assert.deepEqual(texts(r.zone), texts(zoneOf(7)));
    } finally {
      await f.close();
    }
  });

  it('nobody listening: XFR_CONNECTION', async () => {
    const f = await fakePrimary(() => []);
    await f.close();
    await rejectsWith(transferZone({ origin, peer: f.peer, key: null, current: null }), 'XFR_CONNECTION');
  });
});

describe('transferZone: IXFR', () => {
  const v1 = zoneOf(1);

  it('sends the current SOA in the authority section; a lone older-or-equal SOA means up to date', async () => {
    const f = await fakePrimary((q) => [reply(q, { answers: [soa(1)] })]);
    try {
      const r = await transferZone({ origin, peer: f.peer, key: null, current: v1 });
      assert.equal(r.upToDate, true);
      assert.equal(r.kind, 'IXFR');
      assert.equal(r.zone, v1);
      assert.equal(r.serial, 1);
      assert.equal(r.fromSerial, 1);
      const q = f.queries[0]!;
      assert.equal(q.questions[0]!.type, RRType.IXFR);
      assert.equal(q.authorities.length, 1);
      assert.equal(q.authorities[0]!.type, RRType.SOA);
      assert.deepEqual(formatRecord(q.authorities[0]!), formatRecord(soa(1)));
    } finally {
      await f.close();
    }
  });

  it('applies chained sequences and condenses them', async () => {
    // 1 -> 2: www changes address, new host a; 2 -> 3: a goes again, txt changes.
    const seq = [
      soa(3),
      soa(1), ...records('www A 192.0.2.10'), soa(2), ...records('www A 192.0.2.11\na A 192.0.2.20'),
      soa(2), ...records('a A 192.0.2.20\ntxt TXT "hello"'), soa(3), ...records('txt TXT "bye"'),
      soa(3),
    ];
    const f = await fakePrimary((q) => messages(q, seq, 4));
    try {
      const r = await transferZone({ origin, peer: f.peer, key: null, current: v1 });
      assert.equal(r.kind, 'IXFR');
      assert.equal(r.upToDate, false);
      assert.equal(r.fallback, null);
      assert.equal(r.fromSerial, 1);
      assert.equal(r.serial, 3);
      const want = zoneOf(3, BODY.replace('192.0.2.10', '192.0.2.11').replace('"hello"', '"bye"'));
      assert.deepEqual(texts(r.zone), texts(want));
      assert.equal(f.queries.length, 1);
      const d = r.diff!;
      assert.equal(d.fromSerial, 1);
      assert.equal(d.toSerial, 3);
      assert.deepEqual(d.removed.map(formatRecord).sort(), [soa(1), ...records('www A 192.0.2.10\ntxt TXT "hello"')].map(formatRecord).sort());
      assert.deepEqual(d.added.map(formatRecord).sort(), [soa(3), ...records('www A 192.0.2.11\ntxt TXT "bye"')].map(formatRecord).sort());
      assert.deepEqual(texts(applyDiffs(v1, [d])), texts(want));
    } finally {
      await f.close();
    }
  });

  it('an AXFR-style answer is taken as a full zone', async () => {
    const f = await fakePrimary(axfrHandler(5));
    try {
      const r = await transferZone({ origin, peer: f.peer, key: null, current: v1 });
      assert.equal(r.kind, 'AXFR');
      assert.equal(r.fallback, 'server sent a full zone');
      assert.equal(r.serial, 5);
      assert.deepEqual(texts(r.zone), texts(zoneOf(5)));
      assert.equal(f.queries.length, 1);
    } finally {
      await f.close();
    }
  });

  it('a deletion of a missing record falls back to AXFR on a new connection', async () => {
    const f = await fakePrimary((q, _raw, conn) => {
      if (q.questions[0]!.type === RRType.IXFR) {
        assert.equal(conn, 0);
        return messages(q, [soa(2), soa(1), ...records('nothere A 192.0.2.99'), soa(2), ...records('b A 192.0.2.30'), soa(2)], 100);
      }
      assert.equal(conn, 1);
      return axfrHandler(2, BODY + 'b A 192.0.2.30\n')(q, _raw, conn);
    });
    try {
      const r = await transferZone({ origin, peer: f.peer, key: null, current: v1 });
      assert.equal(r.kind, 'AXFR');
      assert.match(r.fallback ?? '', /nothere\.example\./);
      assert.equal(r.fromSerial, 1);
      assert.equal(r.serial, 2);
      assert.deepEqual(texts(r.zone), texts(zoneOf(2, BODY + 'b A 192.0.2.30\n')));
      assert.deepEqual(f.queries.map((q) => q.questions[0]!.type), [RRType.IXFR, RRType.AXFR]);
      assert.ok(r.messages >= 2);
    } finally {
      await f.close();
    }
  });

  it('a sequence from a serial we do not have falls back to AXFR', async () => {
    const f = await fakePrimary((q) => (q.questions[0]!.type === RRType.IXFR
      ? messages(q, [soa(3), soa(2), soa(3), soa(3)], 100)
      : axfrHandler(3)(q, new Uint8Array(0), 0)));
    try {
      const r = await transferZone({ origin, peer: f.peer, key: null, current: v1 });
      assert.equal(r.kind, 'AXFR');
      assert.match(r.fallback ?? '', /serial 2/);
    } finally {
      await f.close();
    }
  });

  it('NOTIMP to IXFR falls back to AXFR', async () => {
    const f = await fakePrimary((q) => (q.questions[0]!.type === RRType.IXFR ? [reply(q, { rcode: Rcode.NOTIMP })] : axfrHandler(4)(q, new Uint8Array(0), 0)));
    try {
      const r = await transferZone({ origin, peer: f.peer, key: null, current: v1 });
      assert.equal(r.kind, 'AXFR');
      assert.match(r.fallback ?? '', /NOTIMP/);
      assert.equal(r.serial, 4);
    } finally {
      await f.close();
    }
  });

  it('the IXFR stream cut short: XFR_CONNECTION, no fallback', async () => {
    const f = await fakePrimary((q) => [...messages(q, [soa(2), soa(1), ...records('www A 192.0.2.10'), soa(2)], 2).slice(0, 1), 'close']);
    await rejectsWith(transferZone({ origin, peer: f.peer, key: null, current: v1 }), 'XFR_CONNECTION');
    await f.close();
    assert.equal(f.queries.length, 1);
  });
});

describe('transferZone: TSIG', () => {
  const key: TsigKey = { name: Name.fromText('xfr-key.'), algorithm: 'hmac-sha256', secret: Uint8Array.from(Buffer.from('c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0', 'base64')) };
  const other: TsigKey = { ...key, secret: Uint8Array.from(Buffer.from('b3RoZXItb3RoZXItb3RoZXI=', 'base64')) };

  /** Signs the answer stream with `signKey`; `sign(i)` says which messages carry a TSIG. */
  const signed = (signKey: TsigKey, sign: (i: number, n: number) => boolean): Handler => (q, raw) => {
    const v = tsigVerify(raw, (n) => (n.equals(key.name) ? key : undefined));
    assert.equal(v.error, 0);
    const msgs = messages(q, axfrRecords(9), 2);
    const s = new TsigStreamSigner(signKey, v.mac);
    return msgs.map((m, i) => (sign(i, msgs.length) ? s.sign(m) : m));
  };

  // (TsigStreamSigner signs every message it is given, so unsigned messages in between are tsig.test.ts's to cover.)
  it('verifies every message and accepts the zone', async () => {
    const f = await fakePrimary(signed(key, () => true));
    try {
      const r = await transferZone({ origin, peer: f.peer, key, current: null });
      assert.equal(r.serial, 9);
      assert.ok(f.queries[0]!.tsig !== null);
    } finally {
      await f.close();
    }
  });

  it('the last message unsigned: XFR_TSIG', async () => {
    const f = await fakePrimary(signed(key, (i, n) => i < n - 1));
    await rejectsWith(transferZone({ origin, peer: f.peer, key, current: null }), 'XFR_TSIG', /last message/);
  });

  it('no TSIG at all: XFR_TSIG', async () => {
    const f = await fakePrimary(signed(key, () => false));
    await rejectsWith(transferZone({ origin, peer: f.peer, key, current: null }), 'XFR_TSIG', /not signed/);
  });

  it('signed with another secret: XFR_TSIG', async () => {
    const f = await fakePrimary(signed(other, () => true));
    await rejectsWith(transferZone({ origin, peer: f.peer, key, current: null }), 'XFR_TSIG');
  });
});

describe('querySoaSerial', () => {
  it('reads the serial from an authoritative UDP answer', async () => {
    const f = await fakePrimary(() => [], (q) => reply(q, { answers: [soa(42)] }));
    try {
      assert.equal(await querySoaSerial({ origin, peer: f.peer, key: null, timeoutMs: 2000 }), 42);
      assert.equal(f.queries[0]!.questions[0]!.type, RRType.SOA);
    } finally {
      await f.close();
    }
  });

  it('retries over TCP when the UDP answer is truncated', async () => {
    const f = await fakePrimary((q) => [reply(q, { answers: [soa(77)] })], (q) => reply(q, { tc: true }));
    try {
      assert.equal(await querySoaSerial({ origin, peer: f.peer, key: null, timeoutMs: 2000 }), 77);
      assert.equal(f.queries.length, 2);
    } finally {
      await f.close();
    }
  });

  it('retries over UDP when a datagram is lost', async () => {
    let n = 0;
    const f = await fakePrimary(() => [], (q) => (n++ === 0 ? null : reply(q, { answers: [soa(5)] })));
    try {
      assert.equal(await querySoaSerial({ origin, peer: f.peer, key: null, timeoutMs: 1500 }), 5);
    } finally {
      await f.close();
    }
  });

  it('not authoritative: XFR_REFUSED; no SOA: XFR_MALFORMED; error rcode: XFR_REFUSED; silence: XFR_TIMEOUT', async () => {
    const f1 = await fakePrimary(() => [], (q) => reply(q, { answers: [soa(5)], aa: false }));
    await rejectsWith(querySoaSerial({ origin, peer: f1.peer, key: null, timeoutMs: 1000 }), 'XFR_REFUSED', /AA/);
    const f2 = await fakePrimary(() => [], (q) => reply(q, { answers: records('www A 192.0.2.1') }));
    await rejectsWith(querySoaSerial({ origin, peer: f2.peer, key: null, timeoutMs: 1000 }), 'XFR_MALFORMED', /no SOA/);
    const f3 = await fakePrimary(() => [], (q) => reply(q, { rcode: Rcode.SERVFAIL }));
    await rejectsWith(querySoaSerial({ origin, peer: f3.peer, key: null, timeoutMs: 1000 }), 'XFR_REFUSED', /SERVFAIL/);
    const f4 = await fakePrimary(() => [], () => null);
    await rejectsWith(querySoaSerial({ origin, peer: f4.peer, key: null, timeoutMs: 300 }), 'XFR_TIMEOUT');
    for (const f of [f1, f2, f3, f4]) await f.close();
  });

  // BIND's try-tcp-refresh: a UDP SOA query that is refused or unanswered is asked again over TCP.
  const overTcp: {
    name: string;
    udp: ((q: Message) => Uint8Array | null) | null;
    tcp: (q: Message) => Step[];
    timeoutMs: number;
    tcpTimeoutMs?: number;
    /** The serial, or the error code and what its message must say. */
    want: number | { code: TransferErrorCode; match: RegExp };
    udpQueries: number;
    tcpQueries: number;
    /** Bounds on the time taken, ms. */
    minMs?: number;
    maxMs: number;
  }[] = [
    {
      name: 'REFUSED over UDP (Knot, for a catalog zone it generates), answered over TCP',
      udp: (q) => reply(q, { rcode: Rcode.REFUSED, aa: false }),
      tcp: (q) => [reply(q, { answers: [soa(31)] })],
      timeoutMs: 3000, want: 31, udpQueries: 1, tcpQueries: 1, maxMs: 2000,
    },
    {
      name: 'no answer over UDP, answered over TCP after the UDP tries',
      udp: () => null,
      tcp: (q) => [reply(q, { answers: [soa(32)] })],
      timeoutMs: 600, want: 32, udpQueries: 3, tcpQueries: 1, minMs: 550, maxMs: 2000,
    },
    {
      name: 'nothing listening on UDP (ICMP refusal), answered over TCP',
      udp: null,
      tcp: (q) => [reply(q, { answers: [soa(33)] })],
      timeoutMs: 3000, want: 33, udpQueries: 0, tcpQueries: 1, maxMs: 2000,
    },
    {
      name: 'REFUSED over both: XFR_REFUSED saying both',
      udp: (q) => reply(q, { rcode: Rcode.REFUSED, aa: false }),
      tcp: (q) => [reply(q, { rcode: Rcode.REFUSED, aa: false })],
      timeoutMs: 3000, want: { code: 'XFR_REFUSED', match: /over UDP: answered REFUSED.*; over TCP: answered REFUSED/ },
      udpQueries: 1, tcpQueries: 1, maxMs: 2000,
    },
    {
      name: 'silent over both: XFR_TIMEOUT within the UDP time plus the TCP time',
      udp: () => null,
      tcp: () => [],
      timeoutMs: 400, tcpTimeoutMs: 300,
      want: { code: 'XFR_TIMEOUT', match: /over UDP: no answer to the SOA query within 400 ms; over TCP: no answer within 300 ms$/ },
      udpQueries: 3, tcpQueries: 1, minMs: 650, maxMs: 2000,
    },
    {
      name: 'SERVFAIL over UDP is an answer: not asked again over TCP',
      udp: (q) => reply(q, { rcode: Rcode.SERVFAIL }),
      tcp: (q) => [reply(q, { answers: [soa(34)] })],
      timeoutMs: 3000, want: { code: 'XFR_REFUSED', match: /^127\.0\.0\.1:\d+: answered SERVFAIL/ }, udpQueries: 1, tcpQueries: 0, maxMs: 2000,
    },
  ];
  for (const c of overTcp) {
    it(c.name, async () => {
      let udpQueries = 0;
      let tcpQueries = 0;
      const udp = c.udp;
      const f = await fakePrimary(
        (q) => { tcpQueries++; return c.tcp(q); },
        udp === null ? undefined : (q) => { udpQueries++; return udp(q); },
      );
      try {
        const t0 = performance.now();
        const p = querySoaSerial({ origin, peer: f.peer, key: null, timeoutMs: c.timeoutMs, ...(c.tcpTimeoutMs ? { tcpTimeoutMs: c.tcpTimeoutMs } : {}) });
        if (typeof c.want === 'number') assert.equal(await p, c.want);
        else await rejectsWith(p, c.want.code, c.want.match);
        const ms = performance.now() - t0;
        assert.deepEqual({ udpQueries, tcpQueries }, { udpQueries: c.udpQueries, tcpQueries: c.tcpQueries });
        assert.ok(ms >= (c.minMs ?? 0) && ms <= c.maxMs, `took ${ms.toFixed(0)} ms, expected ${c.minMs ?? 0}..${c.maxMs}`);
      } finally {
        await f.close();
      }
    });
  }

  it('REFUSED over UDP, then a signed answer over TCP is verified with a fresh TSIG stream', async () => {
    const key: TsigKey = { name: Name.fromText('soa-key.'), algorithm: 'hmac-sha256', secret: Uint8Array.from(Buffer.from('c29hLWtleS1zb2Eta2V5LXNvYS1rZXk=', 'base64')) };
    const lookup = (n: Name): TsigKey | undefined => (n.equals(key.name) ? key : undefined);
    const signedAnswer = (serialNo: number, signKey: TsigKey): Handler => (q, raw) => {
      const v = tsigVerify(raw, lookup);
      assert.equal(v.error, 0, 'the TCP query is signed');
      return [new TsigStreamSigner(signKey, v.mac).sign(reply(q, { answers: [soa(serialNo)] }))];
    };
    const f = await fakePrimary(signedAnswer(35, key), (q) => reply(q, { rcode: Rcode.REFUSED, aa: false }));
    const other: TsigKey = { ...key, secret: Uint8Array.from(Buffer.from('b3RoZXItb3RoZXItb3RoZXI=', 'base64')) };
    const g = await fakePrimary(signedAnswer(36, other), (q) => reply(q, { rcode: Rcode.REFUSED, aa: false }));
    try {
      assert.equal(await querySoaSerial({ origin, peer: f.peer, key, timeoutMs: 2000 }), 35);
      assert.ok(f.queries.every((q) => q.tsig !== null), 'both queries signed');
      // A TCP answer signed with another secret is still refused.
      await rejectsWith(querySoaSerial({ origin, peer: g.peer, key, timeoutMs: 2000 }), 'XFR_TSIG', /over TCP/);
    } finally {
      await f.close();
      await g.close();
    }
  });
});

describe('applyDiffs', () => {
  const v1 = zoneOf(1);
  const diff = (from: number, to: number, del: string, add: string) => ({
    fromSerial: from, toSerial: to, removed: [soa(from), ...(del ? records(del) : [])], added: [soa(to), ...(add ? records(add) : [])],
  });

  it('matches deletions without regard to letter case or TTL', () => {
    const z = applyDiffs(v1, [diff(1, 2, 'WWW 60 A 192.0.2.10', '')]);
    assert.equal(z.serial, 2);
    assert.ok(!texts(z).some((t) => t.startsWith('www.')));
  });

  it('a deletion of a missing record: XFR_IXFR_MISMATCH', () => {
    assert.throws(() => applyDiffs(v1, [diff(1, 2, 'www A 192.0.2.99', '')]), (e: unknown) => e instanceof TransferError && e.code === 'XFR_IXFR_MISMATCH');
  });

  it('the same record deleted twice: XFR_IXFR_MISMATCH', () => {
    assert.throws(() => applyDiffs(v1, [diff(1, 2, 'www A 192.0.2.10', ''), diff(2, 3, 'www A 192.0.2.10', '')]), (e: unknown) => e instanceof TransferError && e.code === 'XFR_IXFR_MISMATCH');
  });

  it('must start at the zone serial and chain', () => {
    assert.throws(() => applyDiffs(v1, [diff(2, 3, '', '')]), (e: unknown) => e instanceof TransferError && e.code === 'XFR_IXFR_MISMATCH');
    assert.throws(() => applyDiffs(v1, [diff(1, 2, '', ''), diff(5, 6, '', '')]), (e: unknown) => e instanceof TransferError && e.code === 'XFR_IXFR_MISMATCH');
  });

  it('a result that fails the zone checks: XFR_INVALID_ZONE', () => {
    assert.throws(() => applyDiffs(v1, [diff(1, 2, '@ NS ns1\n@ NS ns2', '')]), (e: unknown) => e instanceof TransferError && e.code === 'XFR_INVALID_ZONE');
  });

  it('a TTL change (delete, re-add with another TTL)', () => {
    const z = applyDiffs(v1, [diff(1, 2, 'www A 192.0.2.10', 'www 60 A 192.0.2.10')]);
    assert.ok(texts(z).includes('www.example.\t60\tIN\tA\t192.0.2.10'));
  });
});
