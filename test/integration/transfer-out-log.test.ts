/**
 * The `transfer out` log line of a real `tyne serve` describes the transfer
 * it is about, even when other queries are answered while it streams: a
 * signed AXFR of a zone spanning many messages is read slowly, UDP queries
 * are answered in the middle, and the line's fields are checked against
 * what the client received.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Name, RRType, Rcode, decodeMessage } from '../../src/wire/index.js';
import type { TsigKey } from '../../src/tsig/tsig-key.js';
import { TsigStreamVerifier, tsigSign } from '../../src/tsig/tsig.js';
import { buildQuery, openTcp, queryUdp } from '../support/dns-client.js';
import { freePort } from '../support/ports.js';
import { startTyne, type TyneProcess } from '../support/tyne-process.js';
import { sleep } from '../support/wait.js';

const ORIGIN = 'bulk.example.';
const SERIAL = 2026120201;
/**
 * 3000 TXT records of 4000 octets: about 12 MB of AXFR, far more than the
 * socket buffers on both sides hold while the client does not read (about
 * 4 MB on Linux loopback), in few records so that loading is quick.
 */
const TXT_RECORDS = 3000;
function bulkZone(): string {
  const lines = [`$ORIGIN ${ORIGIN}`, '$TTL 3600', `@ SOA ns1 hostmaster ${SERIAL} 3600 900 604800 300`, '@ NS ns1', 'ns1 A 192.0.2.1'];
  for (let i = 0; i < TXT_RECORDS; i++) {
    const strings = Array.from({ length: 16 }, (_, j) => `"${String(i).padStart(5, '0')}-${String(j).padStart(2, '0')}${'x'.repeat(240)}"`);
    lines.push(`t${i} TXT ${strings.join(' ')}`);
  }
  return `${lines.join('\n')}\n`;
}
/** SOA, NS, A and the TXT records. */
const RECORDS = 3 + TXT_RECORDS;
const SECRET = Buffer.from(Array.from({ length: 32 }, (_, i) => (i * 37 + 11) & 0xff)).toString('base64');
const KEY: TsigKey = { name: Name.fromText('xfr-log.'), algorithm: 'hmac-sha256', secret: new Uint8Array(Buffer.from(SECRET, 'base64')) };

describe('tyne serve: the transfer out line while other queries are answered', () => {
  let dir: string;
  let port = 0;
  let proc: TyneProcess | undefined;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tyne-xfrlog-'));
    writeFileSync(join(dir, 'bulk.zone'), bulkZone());
    port = await freePort();
    writeFileSync(join(dir, 'tyne.yaml'), `listen: ["127.0.0.1:${port}"]
keys:
  - name: xfr-log
    algorithm: hmac-sha256
    secret: "${SECRET}"
zones:
  - name: ${ORIGIN.slice(0, -1)}
    file: bulk.zone
    allow-transfer: [{ key: xfr-log }]
`);
    proc = await startTyne(join(dir, 'tyne.yaml'), { timeoutMs: 30_000 });
  });

  after(async () => {
    await proc?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('an AXFR read slowly, with UDP queries answered meanwhile, is logged as that AXFR', async () => {
    const p = proc!;
    const mark = p.mark();
    const outLines = (): Record<string, unknown>[] => p.since(mark, (l) => typeof l.msg === 'string' && l.msg.startsWith('transfer out'));
    const conv = await openTcp(port);
    try {
      const signed = tsigSign(buildQuery({ id: 0x5151, name: ORIGIN, type: RRType.AXFR }), KEY);
      const verifier = new TsigStreamVerifier(KEY, signed.mac);
      // Not reading at all until the UDP queries are answered: the socket buffers stay small,
      // the server fills them and then waits for the client.
      conv.pause();
      conv.send(signed.bytes);
      await sleep(300);
      assert.deepEqual(outLines(), [], 'the transfer must still be under way here (else this test proves nothing)');

      // Other queries, answered while the transfer waits.
      const asked = [
        { name: `ns1.${ORIGIN}`, type: RRType.A, rcode: Rcode.NOERROR, answers: 1 },
        { name: ORIGIN, type: RRType.SOA, rcode: Rcode.NOERROR, answers: 1 },
        { name: `nohost.${ORIGIN}`, type: RRType.TXT, rcode: Rcode.NXDOMAIN, answers: 0 },
        { name: `ns1.${ORIGIN}`, type: RRType.AAAA, rcode: Rcode.NOERROR, answers: 0 },
      ];
      for (const [i, q] of asked.entries()) {
        const m = decodeMessage(await queryUdp(port, buildQuery({ id: 0x6000 + i, name: q.name, type: q.type }), 2000));
        assert.equal(m.rcode, q.rcode, `${q.name} ${q.type}`);
        assert.equal(m.answers.length, q.answers, `${q.name} ${q.type}`);
      }
      assert.deepEqual(outLines(), [], 'still under way after the UDP queries');

      // Now read the rest: up to the closing SOA.
      conv.resume();
      const messages: Uint8Array[] = [];
      let soas = 0;
      while (soas < 2) {
        assert.ok(messages.length < 10_000, 'too many messages');
        const m = await conv.next(10_000);
        messages.push(m);
        soas += decodeMessage(m).answers.filter((r) => r.type === RRType.SOA).length;
      }
      for (const [i, m] of messages.entries()) assert.equal(verifier.verify(m).error, 0, `message ${i + 1} is signed`);
      const got = messages.reduce((n, m) => n + decodeMessage(m).answers.length, 0);
      assert.equal(got, RECORDS + 1, 'every record and the closing SOA');
      assert.ok(messages.length > 10, `the AXFR spans many messages (${messages.length})`);

      const line = await p.waitAfter(mark, (l) => typeof l.msg === 'string' && l.msg.startsWith('transfer out'), 10_000);
      assert.deepEqual(
        {
          msg: line.msg, zone: line.zone, peer: line.peer, kind: line.kind, reason: line.reason, serial: line.serial,
          records: line.records, messages: line.messages, bytes: line.bytes, key: line.key,
        },
        {
          msg: 'transfer out', zone: ORIGIN, peer: '127.0.0.1', kind: 'AXFR', reason: null, serial: { from: null, to: SERIAL },
          records: RECORDS + 1, messages: messages.length, bytes: messages.reduce((n, m) => n + m.length, 0), key: 'xfr-log',
        },
      );
      assert.equal(outLines().length, 1, 'one line for one transfer');
    } finally {
      conv.close();
    }
  });
});
