/**
 * The transfer client against BIND 9.18 `named` as a real primary: AXFR of
 * the serving test zones and of a 20,000-record zone (many messages), IXFR
 * after an edit (`ixfr-from-differences yes` and a reload by SIGHUP), TSIG,
 * and the SOA serial query.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadZoneFile } from '../../src/zone/load-zone.js';
import { Name } from '../../src/wire/index.js';
import type { Zone } from '../../src/zone/index.js';
import { formatRecord } from '../../src/zonefile/index.js';
import type { Peer } from '../../src/xfr/peer.js';
import { TransferError } from '../../src/xfr/transfer-error.js';
import { querySoaSerial } from '../../src/xfr/soa-query.js';
import { transferZone } from '../../src/xfr/transfer-client.js';
import type { TsigKey } from '../../src/tsig/tsig-key.js';
import { startNamed, type NamedProcess } from '../support/named-process.js';
import { repoRoot } from '../support/paths.js';
import { haveTool } from '../support/tools.js';
import { sleep } from '../support/wait.js';

const HAVE_NAMED = haveTool('named');
const SERVE = resolve(repoRoot, 'test', 'zones', 'serve');

const texts = (z: Zone): string[] => z.canonicalRecords().map(formatRecord);
const nameOf = (s: string): Name => Name.fromText(s.endsWith('.') ? s : `${s}.`);

function fileZone(path: string, origin: string): Zone {
  const r = loadZoneFile(path, nameOf(origin));
  assert.deepEqual(r.errors, [], `${path} should load`);
  return r.zone!;
}

function bigZone(serial: number, n: number): string {
  const lines = [
    '$TTL 300',
    `@ SOA ns1 hostmaster ${serial} 3600 600 86400 300`,
    '@ NS ns1',
    'ns1 A 192.0.2.1',
  ];
  for (let i = 0; i < n; i++) lines.push(`h${i} A 10.${(i >>> 16) & 0xff}.${(i >>> 8) & 0xff}.${i & 0xff}`);
  return lines.join('\n') + '\n';
}

function ixfrZone(serial: number, variant: 'a' | 'b'): string {
  const lines = [
    '$TTL 300',
    `@ SOA ns1 hostmaster ${serial} 3600 600 86400 300`,
    '@ NS ns1',
    '@ NS ns2',
    'ns1 A 192.0.2.1',
    'ns2 A 192.0.2.2',
    '@ MX 10 mail',
    'mail A 192.0.2.25',
    'txt TXT "same"',
  ];
  for (let i = 0; i < 200; i++) lines.push(`k${i} A 198.51.100.${i}`);
  if (variant === 'a') {
    lines.push('www A 192.0.2.10', 'old CNAME www', 'ttl 300 A 192.0.2.40');
  } else {
    lines.push('www A 192.0.2.11', 'www AAAA 2001:db8::11', 'new CNAME www', 'ttl 60 A 192.0.2.40', 'k7 TXT "added"');
  }
  return lines.join('\n') + '\n';
}

const TSIG_SECRET = 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA==';
const key: TsigKey = { name: Name.fromText('xfr-key.'), algorithm: 'hmac-sha256', secret: Uint8Array.from(Buffer.from(TSIG_SECRET, 'base64')) };
const wrongKey: TsigKey = { ...key, secret: Uint8Array.from(Buffer.from('d3Jvbmctd3Jvbmctd3Jvbmc=', 'base64')) };

describe('transfer client against named', { skip: !HAVE_NAMED }, () => {
  let dir = '';
  let named: NamedProcess | null = null;
  let peer: Peer;
  const ixfrFile = () => join(dir, 'ixfr.test.zone');
  const bigFile = () => join(dir, 'big.test.zone');

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tyne-xfr-'));
    writeFileSync(bigFile(), bigZone(2024010101, 20_000));
    writeFileSync(ixfrFile(), ixfrZone(10, 'a'));
    named = await startNamed(
      [
        { name: 'example.com', file: join(SERVE, 'example.com.zone') },
        { name: 'example.net', file: join(SERVE, 'example.net.zone') },
        { name: 'big.test', file: bigFile() },
        { name: 'ixfr.test', file: ixfrFile() },
      ],
      {
        timeoutMs: 30_000,
        extraOptions: 'allow-transfer { any; };\n  ixfr-from-differences yes;',
      },
    );
    peer = { host: '127.0.0.1', port: named.port, family: 4, key: null };
  });

  after(async () => {
    await named?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const z of ['example.com', 'example.net']) {
    it(`AXFR of ${z} equals the zone file`, async () => {
      const r = await transferZone({ origin: nameOf(z), peer, key: null, current: null, timeoutMs: 20_000 });
      assert.equal(r.kind, 'AXFR');
      const want = fileZone(join(SERVE, `${z}.zone`), z);
      assert.equal(r.serial, want.serial);
      assert.deepEqual(texts(r.zone), texts(want));
    });
  }

  it('AXFR of a 20,000-record zone over many messages', async () => {
    const r = await transferZone({ origin: nameOf('big.test'), peer, key: null, current: null, timeoutMs: 30_000 });
    assert.equal(r.serial, 2024010101);
    assert.ok(r.messages > 1, `${r.messages} messages`);
    assert.equal(r.zone.recordCount, 20_003);
    assert.deepEqual(texts(r.zone), texts(fileZone(bigFile(), 'big.test')));
  });

  it('querySoaSerial reads named\'s serial; a zone named does not serve is refused', async () => {
    assert.equal(await querySoaSerial({ origin: nameOf('big.test'), peer, key: null }), 2024010101);
    await assert.rejects(querySoaSerial({ origin: nameOf('not-served.test'), peer, key: null, timeoutMs: 2000 }), (e: unknown) => e instanceof TransferError && e.code === 'XFR_REFUSED');
    await assert.rejects(
      transferZone({ origin: nameOf('not-served.test'), peer, key: null, current: null, timeoutMs: 5000 }),
      (e: unknown) => e instanceof TransferError && e.code === 'XFR_REFUSED' && /NOTAUTH|REFUSED/.test(e.message),
    );
  });

  it('IXFR after an edit (ixfr-from-differences, reload by SIGHUP) gives the new file\'s zone', async () => {
    const origin = nameOf('ixfr.test');
    const first = await transferZone({ origin, peer, key: null, current: null });
    assert.equal(first.serial, 10);

    // Up to date: named answers IXFR with its SOA alone.
    const same = await transferZone({ origin, peer, key: null, current: first.zone });
    assert.equal(same.upToDate, true);
    assert.equal(same.kind, 'IXFR');
    assert.equal(same.zone, first.zone);

    writeFileSync(ixfrFile(), ixfrZone(11, 'b'));
    // named reloads a zone only when the file's mtime changed; make sure it did.
    const later = new Date(Date.now() + 5000);
    utimesSync(ixfrFile(), later, later);
    named!.child.kill('SIGHUP');
    const deadline = Date.now() + 15_000;
    let serial = 10;
    while (serial !== 11 && Date.now() < deadline) {
      await sleep(100);
      serial = await querySoaSerial({ origin, peer, key: null, timeoutMs: 1000 }).catch(() => serial);
    }
    assert.equal(serial, 11, `named did not reload; log:\n${named!.log().slice(-3000)}`);

    const r = await transferZone({ origin, peer, key: null, current: first.zone });
    assert.equal(r.kind, 'IXFR', `fallback: ${r.fallback}`);
    assert.equal(r.fallback, null);
    assert.equal(r.fromSerial, 10);
    assert.equal(r.serial, 11);
    assert.deepEqual(texts(r.zone), texts(fileZone(ixfrFile(), 'ixfr.test')));
    assert.ok(r.diff !== null);
    assert.equal(r.diff.fromSerial, 10);
    assert.equal(r.diff.toSerial, 11);
    // Far fewer records than the zone's 200-odd: it really was incremental.
    assert.ok(r.records < 30, `${r.records} records`);
  });
});

describe('TSIG-signed transfers from named', { skip: !HAVE_NAMED }, () => {
  let named: NamedProcess | null = null;
  let peer: Peer;
  const origin = nameOf('big.test');
  let dir = '';

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tyne-xfr-tsig-'));
    writeFileSync(join(dir, 'big.test.zone'), bigZone(7, 5000));
    named = await startNamed([{ name: 'big.test', file: join(dir, 'big.test.zone') }], {
      extraOptions: 'allow-transfer { key "xfr-key"; };',
      extraConfig: `key "xfr-key" { algorithm hmac-sha256; secret "${TSIG_SECRET}"; };`,
    });
    peer = { host: '127.0.0.1', port: named.port, family: 4, key: 'xfr-key' };
  });

  after(async () => {
    await named?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('AXFR signed with the key: every message verified', async () => {
    const r = await transferZone({ origin, peer, key, current: null });
    assert.equal(r.serial, 7);
    assert.ok(r.messages > 1);
    assert.equal(r.zone.recordCount, 5003);
  });

  it('unsigned AXFR is refused; a wrong secret is XFR_TSIG', async () => {
    await assert.rejects(transferZone({ origin, peer, key: null, current: null }), (e: unknown) => e instanceof TransferError && e.code === 'XFR_REFUSED');
    await assert.rejects(transferZone({ origin, peer, key: wrongKey, current: null }), (e: unknown) => e instanceof TransferError && e.code === 'XFR_TSIG');
  });

  it('signed SOA query', async () => {
    assert.equal(await querySoaSerial({ origin, peer, key }), 7);
    await assert.rejects(querySoaSerial({ origin, peer, key: wrongKey, timeoutMs: 2000 }), (e: unknown) => e instanceof TransferError && e.code === 'XFR_TSIG');
  });
});
