/**
 * A Tyne primary with a TSIG key and zones behind different
 * `allow-transfer` ACLs: who is refused and how (REFUSED, FORMERR over UDP,
 * NOTAUTH off the apex, NOTAUTH + BADKEY / BADSIG / BADTIME for bad TSIG),
 * and that signed transfers work with dig: AXFR, IXFR in the condensed
 * layout after two edits + SIGHUP, and IXFR over UDP for a current serial.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Name, RRType, Rcode, decodeMessage, type Message } from '../../src/wire/index.js';
import type { TsigKey } from '../../src/tsig/tsig-key.js';
import { TsigError, tsigSign, tsigVerify } from '../../src/tsig/tsig.js';
import { buildQuery, ixfrQuery, queryTcp, queryUdp } from '../support/dns-client.js';
import { freePort } from '../support/ports.js';
import { haveTool } from '../support/tools.js';
import { startTyne, type TyneProcess } from '../support/tyne-process.js';
import { readTransfer } from '../support/tcp-transfer.js';
import { digRaw, digRecords, type DigRun } from '../support/dig.js';

type Log = Record<string, unknown>;

const SECRET = Buffer.from(Array.from({ length: 32 }, (_, i) => (i * 29 + 7) & 0xff)).toString('base64');
const KEY: TsigKey = { name: Name.fromText('transfer.'), algorithm: 'hmac-sha256', secret: new Uint8Array(Buffer.from(SECRET, 'base64')) };
const WRONG_SECRET: TsigKey = { ...KEY, secret: new Uint8Array(32).fill(0x55) };
const UNKNOWN_KEY: TsigKey = { ...KEY, name: Name.fromText('no-such-key.') };

const simpleZone = (origin: string, serial = 1): string => `$ORIGIN ${origin}.
$TTL 300
@   SOA ns1 hostmaster ${serial} 7200 3600 1209600 300
@   NS  ns1
ns1 A   192.0.2.53
www A   192.0.2.80
`;

/** Filler, so that the differences are smaller than the zone (else Tyne rightly answers IXFR with the whole zone). */
const FILLER = Array.from({ length: 20 }, (_, i) => `f${i} TXT "filler ${i}"`).join('\n');
const KEYED_RECORDS = 5 + 20;

/** keyed.test in three versions: 1 -> 2 changes a and adds c; 2 -> 3 removes b and adds d. */
const keyedZone = (serial: 1 | 2 | 3): string => `$ORIGIN keyed.test.
$TTL 300
@   SOA ns1 hostmaster ${serial} 7200 3600 1209600 300
@   NS  ns1
ns1 A   192.0.2.53
a   A   ${serial === 1 ? '192.0.2.1' : '192.0.2.11'}
${serial < 3 ? 'b   A   192.0.2.2' : ''}
${serial >= 2 ? 'c   A   192.0.2.3' : ''}
${serial >= 3 ? 'd   TXT "three"' : ''}
${FILLER}
`;

const nowSec = (): number => Math.floor(Date.now() / 1000);

function axfrQuery(id: number, zone: string): Uint8Array {
  return buildQuery({ id, name: zone, type: RRType.AXFR });
}


/** The fields of a TSIG record's rdata (RFC 8945 §4.2). */
function tsigFields(m: Message): { mac: Uint8Array; error: number; other: Uint8Array } {
  assert.ok(m.tsig, 'the response carries a TSIG record');
  const r = m.tsig.rdata;
  let p = 0;
  while (r[p] !== 0) p += r[p]! + 1;
  p += 1 + 6 + 2;
  const macLen = (r[p]! << 8) | r[p + 1]!;
  const mac = r.slice(p + 2, p + 2 + macLen);
  p += 2 + macLen + 2;
  const error = (r[p]! << 8) | r[p + 1]!;
  const otherLen = (r[p + 2]! << 8) | r[p + 3]!;
  return { mac, error, other: r.slice(p + 4, p + 4 + otherLen) };
}

/** Sends a query over TCP and reads the whole answer: until the closing SOA for AXFR, the first message otherwise. */
async function tcpTransfer(port: number, query: Uint8Array, timeoutMs = 5000): Promise<Message[]> {
  const t = await readTransfer(port, query, { timeoutMs });
  if (t.end === 'closed') throw new Error(`closed after ${t.messages.length} messages`);
  return t.messages;
}

async function tcpOne(port: number, query: Uint8Array): Promise<{ bytes: Uint8Array; msg: Message }> {
  const [bytes] = await queryTcp(port, [query], 3000);
  return { bytes: bytes!, msg: decodeMessage(bytes!) };
}

describe('transfer refusals and signed transfers (Tyne primary with keys and ACLs)', () => {
  let dir = '';
  let port = 0;
  let tyne: TyneProcess | undefined;
  const dig = haveTool('dig');

  const zones: [string, string, string][] = [
    ['open.test', simpleZone('open.test'), 'allow-transfer: ["127.0.0.1/32"]'],
    ['closed.test', simpleZone('closed.test'), 'allow-transfer: ["10.0.0.0/8", "::1"]'],
    ['nobody.test', simpleZone('nobody.test'), ''],
    ['keyed.test', keyedZone(1), 'allow-transfer: [{ key: transfer }]'],
    ['addrkey.test', simpleZone('addrkey.test'), 'allow-transfer: [{ address: "127.0.0.1", key: transfer }]'],
  ];

  const digRun = (args: string[]): Promise<DigRun> => digRaw({ port }, ['+time=2', '+tries=1', ...args], 10_000);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tyne-xfr-refusals-'));
    port = await freePort();
    for (const [name, text] of zones) writeFileSync(join(dir, `${name}.zone`), text);
    writeFileSync(join(dir, 'tyne.yaml'), `listen: ["127.0.0.1:${port}"]
keys:
  - name: transfer
    algorithm: hmac-sha256
    secret: "${SECRET}"
zones:
${zones.map(([name, , acl]) => `  - name: ${name}\n    file: ${name}.zone\n${acl === '' ? '' : `    ${acl}\n`}`).join('')}`);
    tyne = await startTyne(join(dir, 'tyne.yaml'));
  });

  after(async () => {
    try {
      await tyne?.stop();
    } finally {
      if (dir !== '') rmSync(dir, { recursive: true, force: true });
    }
  });

  it('AXFR from an address (or without the key) that allow-transfer does not admit: REFUSED', async () => {
    for (const zone of ['closed.test', 'nobody.test', 'keyed.test', 'addrkey.test']) {
      const { msg } = await tcpOne(port, axfrQuery(11, zone));
      assert.equal(msg.rcode, Rcode.REFUSED, zone);
      assert.equal(msg.answers.length, 0, zone);
    }
    // The same zones transfer where the ACL admits the requester: the refusals are the ACL's doing.
    const open = await tcpTransfer(port, axfrQuery(12, 'open.test'));
    assert.equal(open[0]!.rcode, Rcode.NOERROR);
    const signed = tsigSign(axfrQuery(13, 'addrkey.test'), KEY);
    const keyed = await tcpTransfer(port, signed.bytes);
    assert.equal(keyed[0]!.rcode, Rcode.NOERROR);
    assert.equal(keyed.flatMap((m) => m.answers).length, 5, 'SOA, NS, 2 A, SOA');
  });

  it('AXFR over UDP: FORMERR', async () => {
    const m = decodeMessage(await queryUdp(port, axfrQuery(21, 'open.test'), 2000));
    assert.equal(m.rcode, Rcode.FORMERR);
    assert.equal(m.answers.length, 0);
  });

  it('AXFR of a name that is not a zone apex: NOTAUTH', async () => {
    for (const name of ['www.open.test', 'no-such-name.open.test', 'not-served.example']) {
      const { msg } = await tcpOne(port, axfrQuery(31, name));
      assert.equal(msg.rcode, Rcode.NOTAUTH, name);
      assert.equal(msg.answers.length, 0, name);
    }
  });

  it('signed with a key name the server does not know: NOTAUTH, TSIG error BADKEY (unsigned)', async () => {
    const { msg } = await tcpOne(port, tsigSign(axfrQuery(41, 'keyed.test'), UNKNOWN_KEY).bytes);
    assert.equal(msg.rcode, Rcode.NOTAUTH);
    const t = tsigFields(msg);
    assert.equal(t.error, TsigError.BADKEY);
    assert.equal(t.mac.length, 0, 'BADKEY answers carry no MAC');
    assert.equal(msg.tsig!.name.toText(), 'no-such-key.');
  });

  it('signed with the right key name but a wrong secret: NOTAUTH, TSIG error BADSIG (unsigned)', async () => {
    const { msg } = await tcpOne(port, tsigSign(axfrQuery(51, 'keyed.test'), WRONG_SECRET).bytes);
    assert.equal(msg.rcode, Rcode.NOTAUTH);
    const t = tsigFields(msg);
    assert.equal(t.error, TsigError.BADSIG);
    assert.equal(t.mac.length, 0, 'BADSIG answers carry no MAC');
  });

  it('signed an hour ago: NOTAUTH, TSIG error BADTIME, signed, with the server time', async () => {
    const then = nowSec() - 3600;
    const signed = tsigSign(axfrQuery(61, 'keyed.test'), KEY, { now: then });
    const { bytes, msg } = await tcpOne(port, signed.bytes);
    assert.equal(msg.rcode, Rcode.NOTAUTH);
    const t = tsigFields(msg);
    assert.equal(t.error, TsigError.BADTIME);
    assert.ok(t.mac.length > 0, 'BADTIME answers are signed');
    // RFC 8945 §5.2.3: signed with the request's time signed; Other Data is the server's time.
    const v = tsigVerify(bytes, (n) => (n.equals(KEY.name) ? KEY : undefined), { requestMac: signed.mac, now: then });
    assert.equal(v.error, TsigError.NOERROR, 'the BADTIME answer verifies with our key');
    assert.equal(v.tsigError, TsigError.BADTIME);
    assert.equal(t.other.length, 6);
    const serverTime = Buffer.from(t.other).readUIntBE(0, 6);
    assert.ok(Math.abs(serverTime - nowSec()) <= 5, `server time ${serverTime}`);
  });

  it('dig axfr -y works against a { key: transfer } ACL', { skip: !dig }, async () => {
    const r = await digRun(['-y', `hmac-sha256:transfer:${SECRET}`, 'keyed.test', 'AXFR']);
    assert.equal(r.status, 0, r.stderr + r.stdout);
    assert.doesNotMatch(r.stdout, /failed|failure|REFUSED|NOTAUTH/i);
    const recs = digRecords(r.stdout);
    assert.equal(recs.length, KEYED_RECORDS + 1, `SOA, NS, 3 A, 20 TXT, SOA:\n${r.stdout}`);
    assert.equal(recs[0]![3], 'SOA');
    assert.equal(recs.at(-1)![3], 'SOA');
    // Every message was signed: dig prints the TSIG of each and verified them.
    assert.match(r.stdout, /TSIG\s+hmac-sha256\./);
    // Without the key, dig's AXFR is refused.
    const bare = await digRun(['keyed.test', 'AXFR']);
    assert.match(bare.stdout, /Transfer failed/);
  });

  it('dig ixfr=SERIAL -y after two edits + SIGHUP: the condensed IXFR layout', { skip: !dig }, async () => {
    for (const serial of [2, 3] as const) {
      writeFileSync(join(dir, 'keyed.test.zone'), keyedZone(serial));
      const from = tyne!.logs.length;
      tyne!.child.kill('SIGHUP');
      // Journaled, then recorded, then served ('zone reloaded'): IXFR answers from the version served.
      await tyne!.waitAfter(from, (l) => l.msg === 'journal updated' && l.zone === 'keyed.test.' && l.to === serial);
      await tyne!.waitAfter(from, (l) => l.msg === 'zone reloaded' && l.zone === 'keyed.test.' && (l.serial as { to?: number } | undefined)?.to === serial);
    }
    const soa = (s: number): string => `keyed.test. 300 IN SOA ns1.keyed.test. hostmaster.keyed.test. ${s} 7200 3600 1209600 300`;
    const line = (f: string[]): string => f.join(' ');
    const sorted = (xs: string[]): string[] => [...xs].sort();

    // From 1: one difference sequence 1 -> 3 (not 1 -> 2, 2 -> 3).
    const r1 = await digRun(['-y', `hmac-sha256:transfer:${SECRET}`, 'keyed.test', 'IXFR=1']);
    assert.equal(r1.status, 0, r1.stderr + r1.stdout);
    assert.doesNotMatch(r1.stdout, /failed|failure/i);
    const l1 = digRecords(r1.stdout).map(line);
    const soaAt = l1.flatMap((l, i) => (l.includes(' SOA ') ? [i] : []));
    assert.equal(soaAt.length, 4, `four SOAs:\n${l1.join('\n')}`);
    assert.equal(l1[0], soa(3), 'SOA new');
    assert.equal(l1[1], soa(1), 'SOA old');
    const removed = l1.slice(2, soaAt[2]);
    assert.equal(l1[soaAt[2]!], soa(3), 'SOA new before the additions');
    const added = l1.slice(soaAt[2]! + 1, soaAt[3]);
    assert.equal(soaAt[3], l1.length - 1);
    assert.equal(l1.at(-1), soa(3), 'SOA new at the end');
    assert.deepEqual(sorted(removed), sorted(['a.keyed.test. 300 IN A 192.0.2.1', 'b.keyed.test. 300 IN A 192.0.2.2']));
    assert.deepEqual(sorted(added), sorted(['a.keyed.test. 300 IN A 192.0.2.11', 'c.keyed.test. 300 IN A 192.0.2.3', 'd.keyed.test. 300 IN TXT "three"']));

    // From 2: just the second edit.
    const r2 = await digRun(['-y', `hmac-sha256:transfer:${SECRET}`, 'keyed.test', 'IXFR=2']);
    assert.equal(r2.status, 0, r2.stderr + r2.stdout);
    assert.deepEqual(digRecords(r2.stdout).map(line), [
      soa(3), soa(2), 'b.keyed.test. 300 IN A 192.0.2.2', soa(3), 'd.keyed.test. 300 IN TXT "three"', soa(3),
    ]);
    // Signed IXFR over UDP for the current serial: the single SOA.
    const r3 = await digRun(['+notcp', '-y', `hmac-sha256:transfer:${SECRET}`, 'keyed.test', 'IXFR=3']);
    assert.equal(r3.status, 0, r3.stderr + r3.stdout);
    assert.deepEqual(digRecords(r3.stdout).map(line), [soa(3)]);

    // The primary logs each IXFR out as complete (lines may come a moment after dig is done; checked last).
    const ixfrOut = (from: number) => (l: Log): boolean => l.msg === 'transfer out' && l.zone === 'keyed.test.' && l.kind === 'IXFR' && (l.serial as { from: number }).from === from;
    const out1 = await tyne!.waitAfter(0, ixfrOut(1), 3000);
    assert.equal(out1.reason, 'condensed 2 journal entries');
    assert.equal(out1.key, 'transfer');
    const out2 = await tyne!.waitAfter(0, ixfrOut(2), 3000);
    assert.equal(out2.key, 'transfer');
  });

  it('IXFR over UDP for the current serial: a single SOA', async () => {
    const m = decodeMessage(await queryUdp(port, ixfrQuery(71, 'open.test', 1), 2000));
    assert.equal(m.rcode, Rcode.NOERROR);
    assert.equal(m.aa, true);
    assert.equal(m.answers.length, 1);
    assert.equal(m.answers[0]!.type, RRType.SOA);
    assert.equal(Buffer.from(m.answers[0]!.rdata).readUInt32BE(m.answers[0]!.rdata.length - 20), 1);
    // And over UDP for a zone the ACL closes: REFUSED.
    const closed = decodeMessage(await queryUdp(port, ixfrQuery(72, 'closed.test', 1), 2000));
    assert.equal(closed.rcode, Rcode.REFUSED);
  });
});
