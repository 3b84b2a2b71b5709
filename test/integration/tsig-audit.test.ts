/**
 * Issue 12 item 8 against a running daemon: TSIG failures leave a trace
 * (rate-limited lines naming the client and the key), a MAC truncated
 * below what the key allows gets BADTRUNC (as BIND: see tsig-bind.test.ts),
 * a key written as BIND's hmac-sha256-128 takes 16-octet MACs, and the
 * per-query debug log samples one query in `log.query-sample`.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Name, Rcode, decodeMessage } from '../../src/wire/index.js';
import type { TsigKey } from '../../src/tsig/tsig-key.js';
import { TsigError, tsigSign, tsigVerify } from '../../src/tsig/tsig.js';
import { buildQuery, queryUdp } from '../support/dns-client.js';
import { freePort } from '../support/ports.js';
import { tyneYaml, zoneText } from '../support/tyne-config.js';
import { startTyne, type TyneProcess } from '../support/tyne-process.js';
import { sprayUdp } from '../support/udp-spray.js';
import { sleep } from '../support/wait.js';

const ZONE = 'audit.test';
const SECRET = Uint8Array.from({ length: 32 }, (_, i) => (i * 13 + 5) & 0xff);
const FULL: TsigKey = { name: Name.fromText('transfer.'), algorithm: 'hmac-sha256', secret: SECRET };
const SHORT: TsigKey = { name: Name.fromText('short.'), algorithm: 'hmac-sha256', secret: SECRET, macLength: 16 };
const b64 = Buffer.from(SECRET).toString('base64');

describe('TSIG audit trail, BADTRUNC and query-log sampling', () => {
  let dir = '';
  let port = 0;
  let tyne: TyneProcess | null = null;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tyne-tsig-audit-'));
    port = await freePort();
    writeFileSync(join(dir, 'audit.test.zone'), zoneText(ZONE, 1));
    const cfg = join(dir, 'tyne.yaml');
    writeFileSync(cfg, tyneYaml({
      listen: [`127.0.0.1:${port}`],
      logLevel: 'debug',
      keys: [{ name: 'transfer', algorithm: 'hmac-sha256', secret: b64 }, { name: 'short', algorithm: 'hmac-sha256-128', secret: b64 }],
      primaries: [{ name: ZONE, file: 'audit.test.zone' }],
    }).replace('log:\n  level: debug', 'log:\n  level: debug\n  query-sample: 10'));
    tyne = await startTyne(cfg);
  });

  after(async () => {
    await tyne?.stop();
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it('a bad-MAC and unknown-key flood leaves one line per kind, naming the client and the key', async () => {
    const t = tyne!;
    const mark = t.mark();
    const badMac = tsigSign(buildQuery({ id: 1, name: ZONE, type: 6 }), { ...FULL, secret: new Uint8Array(32) }).bytes;
    const badKey = tsigSign(buildQuery({ id: 2, name: ZONE, type: 6 }), { ...FULL, name: Name.fromText('nobody.') }).bytes;
    const r = await sprayUdp(port, [badMac, badKey], { perSecond: 4000, durationMs: 1000 });
    const tsigLines = t.since(mark, (l) => typeof l.msg === 'string' && /TSIG/.test(l.msg));
    const text = tsigLines.map((l) => JSON.stringify(l)).join('\n');
    assert.ok(r.sent >= 3000, `${r.sent} sent`);
    assert.ok(r.answers > 0, 'answered');
    // Before the fix: none at all. Now the first of each kind at once (the counts follow after 10 s).
    const sig = tsigLines.find((l) => l.error === 'BADSIG');
    const key = tsigLines.find((l) => l.error === 'BADKEY');
    assert.ok(sig !== undefined && key !== undefined, text);
    assert.equal(sig.peer, '127.0.0.1');
    assert.equal(sig.key, 'transfer');
    assert.equal(key.key, 'nobody');
    assert.equal(sig.level, 40, 'warn');
    assert.ok(tsigLines.length <= 4, `${tsigLines.length} TSIG lines for ${r.sent} bad requests:\n${text}`);
    // Let the server work off what the flood left in its socket before the next tests.
    await sleep(1000);
  });

  it('answers a MAC cut to 16 octets with a full-length key: NOTAUTH, a signed BADTRUNC, logged', async () => {
    const mark = tyne!.mark();
    const req = tsigSign(buildQuery({ id: 0x4242, name: ZONE, type: 6 }), { ...FULL, macLength: 16 });
    const resp = await queryUdp(port, req.bytes, 5000);
    assert.equal(decodeMessage(resp).rcode, Rcode.NOTAUTH);
    const v = tsigVerify(resp, () => FULL, { requestMac: req.mac });
    assert.equal(v.error, TsigError.NOERROR, 'signed, with the whole MAC (as BIND)');
    assert.equal(v.tsigError, TsigError.BADTRUNC);
    assert.equal(v.mac.length, 32);
    await tyne!.waitAfter(mark, (l) => l.error === 'BADTRUNC' && l.key === 'transfer' && l.peer === '127.0.0.1');
  });

  it('takes 16-octet MACs from a key written hmac-sha256-128, and signs its answer with 16', async () => {
    const req = tsigSign(buildQuery({ id: 0x4343, name: ZONE, type: 6 }), SHORT);
    assert.equal(req.mac.length, 16);
    const resp = await queryUdp(port, req.bytes, 5000);
    const m = decodeMessage(resp);
    assert.equal(m.rcode, Rcode.NOERROR);
    assert.equal(m.answers.length, 1);
    const v = tsigVerify(resp, () => SHORT, { requestMac: req.mac });
    assert.equal(v.error, TsigError.NOERROR);
    assert.equal(v.mac.length, 16);
  });

  it('logs one query in query-sample (10) at debug level', async () => {
    const t = tyne!;
    const mark = t.mark();
    const q = buildQuery({ id: 7, name: `h1.${ZONE}`, type: 1 });
    for (let i = 0; i < 200; i++) await queryUdp(port, q);
    await sleep(200);
    const lines = t.since(mark, (l) => l.msg === 'query');
    assert.equal(lines.length, 20, `${lines.length} query lines for 200 queries`);
    assert.equal(lines[0]!.sample, 10, 'a sampled line says so');
  });
});
