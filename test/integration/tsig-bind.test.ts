/**
 * TSIG interop with BIND's named as the oracle (RFC 8945): named verifies
 * what src/tsig/tsig.ts signs, and tsig.ts verifies what named signs,
 * including a multi-message AXFR (§5.3.1) and the error responses (BADSIG,
 * BADKEY unsigned; BADTIME signed, with the server time).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Name, RRType, Rcode, decodeMessage } from '../../src/wire/index.js';
import { TSIG_ALGORITHMS, type TsigAlgorithm, type TsigKey } from '../../src/tsig/tsig-key.js';
import { TsigError, TsigStreamSigner, TsigStreamVerifier, tsigSign, tsigVerify } from '../../src/tsig/tsig.js';
import { buildQuery, messageId, queryTcp, queryUdp } from '../support/dns-client.js';
import { startNamed, type NamedProcess } from '../support/named-process.js';
import { haveTool } from '../support/tools.js';
import { readTransfer } from '../support/tcp-transfer.js';
import { FrameReader, frame } from '../support/tcp-framing.js';
import { digRaw, type DigRun } from '../support/dig.js';

const ZONE = 'tsig.example';
const TXT_RECORDS = 3000;

function secretFor(label: string): Uint8Array {
  // Deterministic, distinct per key; 32 octets.
  return Uint8Array.from({ length: 32 }, (_, i) => (i * 37 + label.length * 11 + label.charCodeAt(0)) & 0xff);
}

function key(name: string, algorithm: TsigAlgorithm): TsigKey {
  return { name: Name.fromText(`${name}.`), algorithm, secret: secretFor(name) };
}

const TRANSFER = key('transfer', 'hmac-sha256');
const ALG_KEYS = TSIG_ALGORITHMS.map((alg) => key(`k-${alg}`, alg));

function keyStatement(k: TsigKey): string {
  return `key "${k.name.toText().replace(/\.$/, '')}" { algorithm ${k.algorithm}; secret "${Buffer.from(k.secret).toString('base64')}"; };`;
}

function zoneText(): string {
  const lines = [
    `$ORIGIN ${ZONE}.`,
    '$TTL 300',
    '@ SOA ns1 hostmaster 2024010101 3600 900 604800 300',
    '@ NS ns1',
    'ns1 A 192.0.2.1',
  ];
  const filler = 'x'.repeat(120);
  for (let i = 0; i < TXT_RECORDS; i++) lines.push(`r${i} TXT "${i}-${filler}"`);
  return lines.join('\n') + '\n';
}

const nowSec = (): number => Math.floor(Date.now() / 1000);

/**
 * Sends one query over TCP and reads response messages until the zone's
 * closing SOA (second SOA of the stream), an error rcode, or a close.
 */
async function axfr(port: number, query: Uint8Array, timeoutMs = 15_000): Promise<Uint8Array[]> {
  const t = await readTransfer(port, query, { timeoutMs });
  if (t.end === 'closed' && t.raw.length === 0) throw new Error('AXFR: connection closed without an answer');
  return t.raw;
}

/** `dig +noall +stats +tcp AXFR` of the zone from 127.0.0.1:port, its query signed with `secret` (base64) as key `transfer`. */
const digSignedAxfr = (port: number, secret: string): Promise<DigRun> =>
  digRaw({ port, key: { algorithm: 'hmac-sha256', name: 'transfer', secret } }, ['+noall', '+stats', '+tcp', '+tries=1', '+time=5', ZONE, 'AXFR']);

/**
 * A one-shot TCP server that answers an AXFR query with `messages` (their
 * TSIGs stripped), re-signed by TsigStreamSigner after verifying the query.
 */
function replayServer(messages: Uint8Array[], key: TsigKey, signKey: TsigKey = key): Promise<{ server: Server; port: number; seen: number[] }> {
  const seen: number[] = [];
  const server = createServer((sock) => {
    const reader = new FrameReader();
    sock.on('error', () => {});
    sock.on('data', (chunk: Buffer) => {
      reader.push(chunk);
      const query = reader.next();
      if (query === null) return;
      const v = tsigVerify(query, (n) => (n.equals(key.name) ? key : undefined));
      seen.push(v.error);
      if (v.error !== TsigError.NOERROR) return void sock.destroy();
      const signer = new TsigStreamSigner(signKey, v.mac);
      const out: Buffer[] = [];
      for (const m of messages) {
        const body = tsigVerify(m, () => undefined).stripped.slice();
        body[0] = query[0]!;
        body[1] = query[1]!;
        out.push(frame(signer.sign(body)));
      }
      sock.end(Buffer.concat(out));
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as AddressInfo).port, seen }));
  });
}

describe('TSIG interop with BIND named', { skip: !haveTool('named') }, () => {
  let dir = '';
  let named: NamedProcess;
  const keys = (n: Name): TsigKey | undefined => [TRANSFER, ...ALG_KEYS].find((k) => k.name.equals(n));

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tyne-tsig-'));
    const file = join(dir, `${ZONE}.zone`);
    writeFileSync(file, zoneText());
    named = await startNamed([{ name: ZONE, file }], {
      extraOptions: '  allow-transfer { key transfer; };',
      extraConfig: [TRANSFER, ...ALG_KEYS].map(keyStatement).join('\n'),
    });
  });

  after(async () => {
    await named?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses an unsigned AXFR (the ACL needs the key)', async () => {
    const msgs = await axfr(named.port, buildQuery({ id: 1, name: ZONE, type: RRType.AXFR }));
    assert.equal(decodeMessage(msgs[0]!).rcode, Rcode.REFUSED);
  });

  it('serves a signed multi-message AXFR; every message verifies as a stream', async () => {
    const req = tsigSign(buildQuery({ id: 0x7001, name: ZONE, type: RRType.AXFR }), TRANSFER);
    const msgs = await axfr(named.port, req.bytes);
    assert.ok(msgs.length > 1, `expected several messages, got ${msgs.length}`);
    const ver = new TsigStreamVerifier(TRANSFER, req.mac);
    let records = 0;
    let signed = 0;
    for (const [i, msg] of msgs.entries()) {
      const m = decodeMessage(msg);
      assert.equal(m.rcode, Rcode.NOERROR, `message ${i}`);
      assert.equal(m.id, 0x7001);
      records += m.answers.length;
      const v = ver.verify(msg);
      assert.equal(v.malformed, false, `message ${i}`);
      assert.equal(v.error, TsigError.NOERROR, `message ${i}: ${named.log().slice(-2000)}`);
      assert.equal(v.tsigError, TsigError.NOERROR);
      if (v.present) signed++;
      // Our stream is strict: every message but unsigned intermediates verified.
    }
    assert.equal(ver.finish(), true);
    assert.equal(signed, msgs.length, 'BIND signs every message');
    // SOA, NS, A, the TXT records, closing SOA.
    assert.equal(records, TXT_RECORDS + 4);

    // A tampered middle message breaks the stream.
    const ver2 = new TsigStreamVerifier(TRANSFER, req.mac);
    assert.equal(ver2.verify(msgs[0]!).error, TsigError.NOERROR);
    const bad = msgs[1]!.slice();
    bad[40] = bad[40]! ^ 1;
    assert.equal(ver2.verify(bad).error, TsigError.BADSIG);
    assert.equal(ver2.finish(), false);
  });

  it('dig verifies a multi-message AXFR signed by TsigStreamSigner', { skip: !haveTool('dig') }, async () => {
    const req = tsigSign(buildQuery({ id: 0x7005, name: ZONE, type: RRType.AXFR }), TRANSFER);
    const msgs = await axfr(named.port, req.bytes);
    assert.ok(msgs.length > 1);
    const { server, port, seen } = await replayServer(msgs, TRANSFER);
    try {
      const secret = Buffer.from(TRANSFER.secret).toString('base64');
      const good = await digSignedAxfr(port, secret);
      assert.deepEqual(seen, [TsigError.NOERROR], 'dig\'s signed query verifies');
      assert.equal(good.status, 0, good.out.slice(-2000));
      assert.doesNotMatch(good.out, /verify|failure|error/i, good.out.slice(-2000));
      assert.match(good.out, new RegExp(`XFR size: ${TXT_RECORDS + 4} records \\(messages ${msgs.length},`), good.out.slice(-2000));

      // dig's query signed with another secret fails our verification.
      const bad = await digSignedAxfr(port, Buffer.from(secretFor('other')).toString('base64'));
      assert.equal(seen[1], TsigError.BADSIG);
      assert.doesNotMatch(bad.out, /XFR size/, bad.out.slice(-2000));
    } finally {
      server.close();
    }
    // Negative control for dig itself: responses signed with another secret are rejected.
    const wrongSigner = { ...TRANSFER, secret: secretFor('other') };
    const ctl = await replayServer(msgs, TRANSFER, wrongSigner);
    try {
      const secret = Buffer.from(TRANSFER.secret).toString('base64');
      const res = await digSignedAxfr(ctl.port, secret);
      assert.deepEqual(ctl.seen, [TsigError.NOERROR]);
      // dig warns per message and still prints the records, so the warning is what counts.
      assert.match(res.out, /Couldn't verify signature: tsig verify failure/, res.out.slice(-2000));
    } finally {
      ctl.server.close();
    }
  });

  it('answers a wrong secret with NOTAUTH and an unsigned BADSIG TSIG', async () => {
    const wrong = { ...TRANSFER, secret: secretFor('wrong-secret') };
    const req = tsigSign(buildQuery({ id: 0x7002, name: ZONE, type: RRType.AXFR }), wrong);
    const [resp] = await queryTcp(named.port, [req.bytes]);
    const m = decodeMessage(resp!);
    assert.equal(m.rcode, Rcode.NOTAUTH);
    const v = tsigVerify(resp!, keys, { requestMac: req.mac });
    assert.equal(v.present, true);
    assert.equal(v.malformed, false);
    assert.equal(v.tsigError, TsigError.BADSIG);
    assert.equal(v.mac.length, 0);
    assert.equal(v.error, TsigError.BADSIG); // nothing to verify
    assert.equal(v.keyName!.toText(), 'transfer.');
    assert.equal(v.originalId, 0x7002);
  });

  it('answers an unknown key with NOTAUTH and an unsigned BADKEY TSIG', async () => {
    const unknown = key('nobody', 'hmac-sha256');
    const req = tsigSign(buildQuery({ id: 0x7003, name: ZONE, type: RRType.SOA }), unknown);
    const resp = await queryUdp(named.port, req.bytes);
    assert.equal(decodeMessage(resp).rcode, Rcode.NOTAUTH);
    const v = tsigVerify(resp, () => unknown, { requestMac: req.mac });
    assert.equal(v.present, true);
    assert.equal(v.tsigError, TsigError.BADKEY);
    assert.equal(v.mac.length, 0);
    assert.equal(v.keyName!.toText(), 'nobody.');
  });

  it('answers a stale time with NOTAUTH and a signed BADTIME TSIG carrying its time', async () => {
    const then = nowSec() - 1000;
    const req = tsigSign(buildQuery({ id: 0x7004, name: ZONE, type: RRType.SOA }), TRANSFER, { now: then });
    const resp = await queryUdp(named.port, req.bytes);
    assert.equal(decodeMessage(resp).rcode, Rcode.NOTAUTH);
    // RFC 8945 §5.2.3: the response is signed; its time signed is the request's.
    const v = tsigVerify(resp, keys, { requestMac: req.mac, now: then });
    assert.equal(v.error, TsigError.NOERROR, `time ${v.time} vs ${then}`);
    assert.equal(v.time, then, 'BIND echoes the request time in a BADTIME response');
    assert.equal(v.tsigError, TsigError.BADTIME);
    assert.equal(v.otherData.length, 6);
    const serverTime = v.otherData.reduce((acc, b) => acc * 256 + b, 0);
    assert.ok(Math.abs(serverTime - nowSec()) < 30, `server time ${serverTime}`);
  });

  it('answers a MAC truncated to 16 octets with a full-length key with NOTAUTH and a BADTRUNC signed with the whole MAC', async () => {
    // What src/tsig/tsig.ts and the responder now do too (test/integration/tsig-audit.test.ts).
    const req = tsigSign(buildQuery({ id: 0x7005, name: ZONE, type: RRType.SOA }), { ...TRANSFER, macLength: 16 });
    const resp = await queryUdp(named.port, req.bytes);
    assert.equal(decodeMessage(resp).rcode, Rcode.NOTAUTH);
    const v = tsigVerify(resp, keys, { requestMac: req.mac });
    assert.equal(v.error, TsigError.NOERROR);
    assert.equal(v.tsigError, TsigError.BADTRUNC);
    assert.equal(v.mac.length, 32);
    // And our verifier, given the same request, says BADTRUNC.
    assert.equal(tsigVerify(req.bytes, keys).error, TsigError.BADTRUNC);
  });

  for (const k of ALG_KEYS) {
    it(`${k.algorithm}: BIND verifies our signed query and we verify its signed answer`, async () => {
      const req = tsigSign(buildQuery({ id: 0x7100, name: ZONE, type: RRType.SOA }), k);
      const resp = await queryUdp(named.port, req.bytes);
      const m = decodeMessage(resp);
      assert.equal(m.rcode, Rcode.NOERROR, named.log().slice(-2000));
      assert.equal(m.answers.length, 1);
      assert.equal(messageId(resp), 0x7100);
      const v = tsigVerify(resp, keys, { requestMac: req.mac });
      assert.equal(v.error, TsigError.NOERROR);
      assert.equal(v.key, k);
      assert.equal(v.tsigError, TsigError.NOERROR);
      assert.equal(v.mac.length, { 'hmac-sha1': 20, 'hmac-sha224': 28, 'hmac-sha256': 32, 'hmac-sha384': 48, 'hmac-sha512': 64 }[k.algorithm]);
      // Without the request MAC the response does not verify.
      assert.equal(tsigVerify(resp, keys).error, TsigError.BADSIG);
    });
  }

  it('BIND accepts a key name in another letter case (canonical MAC input)', async () => {
    const upper = { ...TRANSFER, name: Name.fromText('TRANSFER.') };
    const req = tsigSign(buildQuery({ id: 0x7200, name: ZONE, type: RRType.SOA }), upper);
    const resp = await queryUdp(named.port, req.bytes);
    assert.equal(decodeMessage(resp).rcode, Rcode.NOERROR);
    assert.equal(tsigVerify(resp, keys, { requestMac: req.mac }).error, TsigError.NOERROR);
  });
});
