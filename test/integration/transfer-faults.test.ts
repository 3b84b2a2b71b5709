/**
 * A Tyne secondary against a fake primary (the kit's scripted one: UDP for
 * SOA queries, TCP for transfers, on 127.0.0.1). The fake serves a
 * good AXFR once, then announces a newer serial and breaks the transfer:
 * the connection closed halfway (inside a message, and between messages),
 * a closing SOA with another serial, an out-of-zone record. Each time the
 * refresh is started by a NOTIFY from the test, and the secondary must
 * keep serving its old copy, leave its saved file untouched (bytes and
 * mtime), and log `transfer failed` naming the peer and the reason.
 * Finally a good transfer of the newer serial goes through (so the faults
 * above were really tried).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadZoneText } from '../../src/zone/load-zone.js';
import {
  Name, Opcode, RRType, Rcode, decodeMessage, encodeMessageToBytes, type Message, type ResourceRecord,
} from '../../src/wire/index.js';
import { buildNotify } from '../../src/xfr/notify-send.js';
import { buildQuery, queryUdp } from '../support/dns-client.js';
import { freePort } from '../support/ports.js';
import { startTyne, type TyneProcess } from '../support/tyne-process.js';
import { sleep } from '../support/wait.js';
import { primaryReply, startScriptedPrimary, type ScriptedPrimary, type TcpScript, type UdpScript } from '../support/fake-primary.js';
import { frame } from '../support/tcp-framing.js';

const ORIGIN = Name.fromText('fault.test.');

const zoneText = (serial: number, www: string): string => `$ORIGIN fault.test.
$TTL 300
@   SOA ns1 hostmaster ${serial} 7200 3600 1209600 300
@   NS  ns1
ns1 A   192.0.2.53
www A   ${www}
${Array.from({ length: 30 }, (_, i) => `t${i} TXT "record ${i} ${'x'.repeat(100)}"`).join('\n')}
`;

type Fault = 'good' | 'cut-inside' | 'cut-between' | 'bad-soa' | 'out-of-zone';

/** The fake primary's behaviour: the zone it serves and how it breaks the AXFR. */
interface FakeState {
  serial: number;
  www: string;
  fault: Fault;
  /** Queries seen, as "UDP SOA", "TCP IXFR", "TCP AXFR". */
  seen: string[];
}

/** The AXFR as messages of 10 records each: SOA, the rest, SOA again, with the fault applied. */
function axfrMessages(q: Message, st: FakeState): Uint8Array[] {
  const zone = loadZoneText(zoneText(st.serial, st.www), ORIGIN);
  const recs = zone.canonicalRecords();
  const soa = recs.find((r) => r.type === RRType.SOA)!;
  let body = recs.filter((r) => r !== soa);
  let closing: ResourceRecord = soa;
  if (st.fault === 'bad-soa') {
    const rdata = new Uint8Array(soa.rdata);
    Buffer.from(rdata.buffer, rdata.byteOffset, rdata.byteLength).writeUInt32BE(st.serial + 1, rdata.length - 20);
    closing = { ...soa, rdata };
  }
  if (st.fault === 'out-of-zone') {
    const evil: ResourceRecord = { name: Name.fromText('www.elsewhere.example.'), type: RRType.A, class: 1, ttl: 300, rdata: Uint8Array.of(203, 0, 113, 66) };
    body = [...body.slice(0, 5), evil, ...body.slice(5)];
  }
  const all = [soa, ...body, closing];
  const out: Uint8Array[] = [];
  for (let i = 0; i < all.length; i += 10) {
    const m = primaryReply(q);
    m.answers = all.slice(i, i + 10);
    out.push(encodeMessageToBytes(m));
  }
  return out;
}

/** The fake primary's TCP answers: NOTIMP to IXFR, the AXFR with the fault applied. */
function tcpScript(st: FakeState): TcpScript {
  return (q) => {
    const qtype = q.questions[0]?.type;
    if (qtype === RRType.IXFR) {
      // RFC 1995 lets a server not do IXFR: NOTIMP sends the client to AXFR (on a new connection).
      st.seen.push('TCP IXFR');
      const m = primaryReply(q);
      m.aa = false;
      m.rcode = Rcode.NOTIMP;
      return [encodeMessageToBytes(m), 'close'];
    }
    if (qtype !== RRType.AXFR) return ['reset'];
    st.seen.push('TCP AXFR');
    const msgs = axfrMessages(q, st);
    if (st.fault === 'cut-inside') {
      // The first message, then half of the second, then the connection is closed.
      const second = frame(msgs[1]!);
      return [msgs[0]!, { raw: second.subarray(0, second.length >> 1) }, 'close'];
    }
    if (st.fault === 'cut-between') return [...msgs.slice(0, 2), 'close'];
    return [...msgs, 'close'];
  };
}

/** Answers SOA queries over UDP with the fake's current serial. */
function udpScript(st: FakeState): UdpScript {
  return (q) => {
    if (q.qr || q.questions[0]?.type !== RRType.SOA) return null;
    st.seen.push('UDP SOA');
    const zone = loadZoneText(zoneText(st.serial, st.www), ORIGIN);
    const m = primaryReply(q);
    m.answers = [{ name: ORIGIN, type: RRType.SOA, class: 1, ttl: zone.soa.ttl, rdata: zone.soa.rdatas[0]! }];
    return encodeMessageToBytes(m);
  };
}

describe('transfer faults from a fake primary', () => {
  let dir = '';
  let fakePort = 0;
  let port = 0;
  let fake: ScriptedPrimary | undefined;
  let tyne: TyneProcess | undefined;
  const st: FakeState = { serial: 1, www: '192.0.2.80', fault: 'good', seen: [] };
  const file = (): string => join(dir, 'data', 'fault.test.zone');
  let savedBytes: Buffer = Buffer.alloc(0);
  let savedMtime = 0;
  let savedState = '';
  let notifyId = 100;

  /** Sends a NOTIFY for fault.test with the fake's serial from 127.0.0.1 (the default allow-notify: the primary's address). */
  async function notify(): Promise<void> {
    const zone = loadZoneText(zoneText(st.serial, st.www), ORIGIN);
    const m = decodeMessage(await queryUdp(port, buildNotify(notifyId++, ORIGIN, zone.soa.rdatas[0]!, zone.soa.ttl), 2000));
    assert.equal(m.rcode, Rcode.NOERROR, 'NOTIFY accepted');
    assert.equal(m.opcode, Opcode.NOTIFY);
  }

  async function wwwAddress(): Promise<string> {
    const m = decodeMessage(await queryUdp(port, buildQuery({ id: 5, name: 'www.fault.test', type: RRType.A }), 2000));
    assert.equal(m.rcode, Rcode.NOERROR);
    assert.equal(m.aa, true);
    return m.answers.map((r) => [...r.rdata].join('.')).join(',');
  }

  async function servedSerial(): Promise<number> {
    const m = decodeMessage(await queryUdp(port, buildQuery({ id: 6, name: 'fault.test', type: RRType.SOA }), 2000));
    assert.equal(m.rcode, Rcode.NOERROR);
    return Buffer.from(m.answers[0]!.rdata).readUInt32BE(m.answers[0]!.rdata.length - 20);
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tyne-xfr-faults-'));
    fake = await startScriptedPrimary(tcpScript(st), udpScript(st));
    fakePort = fake.port;
    port = await freePort();
    while (port === fakePort) port = await freePort();
    writeFileSync(join(dir, 'secondary.yaml'), `listen: ["127.0.0.1:${port}"]
zones:
  - name: fault.test
    type: secondary
    primaries: ["127.0.0.1:${fakePort}"]
    file: data/fault.test.zone
`);
    tyne = await startTyne(join(dir, 'secondary.yaml'));
  });

  after(async () => {
    try {
      await tyne?.stop();
      await fake?.close();
    } finally {
      if (dir !== '') rmSync(dir, { recursive: true, force: true });
    }
  });

  it('first takes a good copy from the fake primary', async () => {
    const from = tyne!.logs.length;
    await notify();
    const line = await tyne!.waitAfter(from, (l) => typeof l.msg === 'string' && l.msg.startsWith('transfer of fault.test. from '));
    assert.equal(line.kind, 'AXFR');
    assert.equal(line.to, 1);
    assert.equal(await wwwAddress(), '192.0.2.80');
    // The copy is saved just after the transfer is logged.
    const end = Date.now() + 3000;
    while (!existsSync(`${file()}.state.json`) && Date.now() < end) await sleep(10);
    assert.ok(existsSync(`${file()}.state.json`), 'saved');
    savedBytes = readFileSync(file());
    savedMtime = statSync(file()).mtimeMs;
    savedState = readFileSync(`${file()}.state.json`, 'utf8');
  });

  const faults: [Exclude<Fault, 'good'>, string, RegExp][] = [
    ['cut-inside', 'XFR_CONNECTION', /closed in the middle of a message/],
    ['cut-between', 'XFR_CONNECTION', /closed before the transfer was complete/],
    ['bad-soa', 'XFR_MALFORMED', /closing SOA has serial 3, the opening one 2/],
    ['out-of-zone', 'XFR_INVALID_ZONE', /out-of-zone record www\.elsewhere\.example\./],
  ];
  for (const [fault, code, reason] of faults) {
    it(`${fault}: keeps serving the old copy, the saved file untouched, and logs why`, async () => {
      assert.ok(savedBytes.length > 0, 'the good copy was taken');
      st.serial = 2;
      st.www = '192.0.2.99';
      st.fault = fault;
      const seen = st.seen.length;
      const from = tyne!.logs.length;
      await notify();
      const failed = await tyne!.waitAfter(from, (l) => l.msg === 'transfer failed');
      assert.equal(failed.zone, 'fault.test.');
      assert.equal(failed.peer, `127.0.0.1:${fakePort}`, 'names the peer');
      assert.equal(failed.code, code);
      assert.match(String((failed.err as { message?: string }).message), reason);
      assert.match(String((failed.err as { message?: string }).message), new RegExp(`^127\\.0\\.0\\.1:${fakePort}: `));
      // One warning for the failed refresh (issue 15 §5): each primary's reason, and when it retries.
      const warned = await tyne!.waitAfter(from, (l) => typeof l.msg === 'string' && l.msg.startsWith('refresh of fault.test. failed from every primary'));
      assert.equal(warned.level, 40);
      assert.match(String(warned.msg), new RegExp(`\\(127\\.0\\.0\\.1:${fakePort}: transfer failed: .*\\); will retry in \\d+ s, at \\d{4}-\\d\\d-\\d\\dT`));
      assert.equal(typeof warned.retryInSec, 'number');
      assert.equal(failed.level, 30, 'the primary\'s own failure is an info line: one warning per event');
      assert.deepEqual(st.seen.slice(seen), ['UDP SOA', 'TCP IXFR', 'TCP AXFR'], 'SOA query, IXFR (NOTIMP), then the broken AXFR');
      assert.equal(await wwwAddress(), '192.0.2.80', 'old data still served');
      assert.equal(await servedSerial(), 1);
      await sleep(50); // anything written late would show now
      assert.ok(readFileSync(file()).equals(savedBytes), 'saved file unchanged');
      assert.equal(statSync(file()).mtimeMs, savedMtime, 'saved file not rewritten');
      assert.equal(readFileSync(`${file()}.state.json`, 'utf8'), savedState, 'state file unchanged');
      assert.ok(!tyne!.logs.slice(from).some((l) => l.msg === 'secondary zone changed'), 'no zone change');
    });
  }

  it('then a good transfer of the newer serial goes through', async () => {
    st.fault = 'good';
    const from = tyne!.logs.length;
    await notify();
    const line = await tyne!.waitAfter(from, (l) => typeof l.msg === 'string' && l.msg.startsWith('transfer of fault.test. from '));
    assert.equal(line.to, 2);
    assert.equal(await wwwAddress(), '192.0.2.99');
    const end = Date.now() + 3000;
    while (readFileSync(file()).equals(savedBytes) && Date.now() < end) await sleep(10);
    assert.ok(!readFileSync(file()).equals(savedBytes), 'the new copy is saved');
  });
});
