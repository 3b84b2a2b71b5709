/**
 * `tyne check-zone --diff ORIGIN FILE --against HOST:PORT`: a real
 * `tyne serve` serves a zone, an edited copy of its file is compared with
 * what is served (by AXFR), and the +/- lines and the serial verdict are
 * checked exactly; refusals, unreachable servers and bad files exit 1.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot } from '../support/paths.js';
import { freePort } from '../support/ports.js';
import { startTyne, type TyneProcess } from '../support/tyne-process.js';

const SECRET = Buffer.from(Array.from({ length: 32 }, (_, i) => (i * 37 + 11) & 0xff)).toString('base64');

interface ZoneOpts {
  serial?: number;
  wwwTtl?: number;
  mail?: boolean;
  extra?: string;
  origin?: string;
}

const zoneText = ({ serial = 10, wwwTtl = 300, mail = true, extra = '', origin = 'diff.test' }: ZoneOpts = {}): string => `$ORIGIN ${origin}.
$TTL 300
@    SOA  ns1 hostmaster ${serial} 7200 3600 1209600 300
@    NS   ns1
ns1  A    192.0.2.53
www  ${wwwTtl} A 192.0.2.80
${mail ? 'mail A    192.0.2.25' : ''}
@    MX   10 mail
${extra}
`;

/** Runs `bin/tyne` as a child process (without blocking the test's event loop). */
function tyne(...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(repoRoot, 'bin', 'tyne'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, out, err }));
  });
}

describe('tyne check-zone --diff (against a running tyne serve)', () => {
  let dir: string;
  let port: number;
  let server: TyneProcess;
  let n = 0;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tyne-check-diff-'));
    port = await freePort();
    writeFileSync(join(dir, 'diff.test.zone'), zoneText());
    writeFileSync(join(dir, 'closed.test.zone'), zoneText({ origin: 'closed.test' }));
    writeFileSync(join(dir, 'keyed.test.zone'), zoneText({ origin: 'keyed.test', serial: 3 }));
    writeFileSync(
      join(dir, 'tyne.yaml'),
      `listen: ["127.0.0.1:${port}"]
keys:
  - { name: transfer, algorithm: hmac-sha256, secret: "${SECRET}" }
zones:
  - name: diff.test
    file: diff.test.zone
    allow-transfer: ["127.0.0.1/32"]
  - name: closed.test
    file: closed.test.zone
  - name: keyed.test
    file: keyed.test.zone
    allow-transfer: [{ key: transfer }]
`,
    );
    server = await startTyne(join(dir, 'tyne.yaml'));
  });

  after(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Writes an edited copy of diff.test's file and runs check-zone --diff on it. */
  async function diff(opts: ZoneOpts, ...extraArgs: string[]): Promise<{ code: number | null; out: string; err: string }> {
    const file = join(dir, `edited-${++n}.zone`);
    writeFileSync(file, zoneText(opts));
    return tyne('check-zone', '--diff', opts.origin ?? 'diff.test', file, '--against', `127.0.0.1:${port}`, ...extraArgs);
  }

  const header = (file: number, served = 10, origin = 'diff.test'): string => `; ${origin}. served serial ${served} at 127.0.0.1:${port}, file serial ${file}`;

  it('lists added records in canonical order, and accepts a raised serial', async () => {
    const r = await diff({ serial: 11, extra: 'www AAAA 2001:db8::80\nnew A 192.0.2.99\nnew A 192.0.2.9' });
    assert.equal(r.code, 0, r.err);
    assert.equal(r.err, '');
    assert.deepEqual(r.out.split('\n'), [
      header(11),
      '+ new.diff.test.\t300\tIN\tA\t192.0.2.9',
      '+ new.diff.test.\t300\tIN\tA\t192.0.2.99',
      '+ www.diff.test.\t300\tIN\tAAAA\t2001:db8::80',
      '; 3 added, 0 removed',
      '; serial: file 11 is above served 10: OK',
      '',
    ]);
  });

  it('lists removed records', async () => {
    const r = await diff({ serial: 12, mail: false });
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(r.out.split('\n'), [
      header(12),
      '- mail.diff.test.\t300\tIN\tA\t192.0.2.25',
      '; 0 added, 1 removed',
      '; serial: file 12 is above served 10: OK',
      '',
    ]);
  });

  it('shows a changed TTL as the old record removed and the new one added', async () => {
    const r = await diff({ serial: 11, wwwTtl: 3600 });
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(r.out.split('\n'), [
      header(11),
      '- www.diff.test.\t300\tIN\tA\t192.0.2.80',
      '+ www.diff.test.\t3600\tIN\tA\t192.0.2.80',
      '; 1 added, 1 removed',
      '; serial: file 11 is above served 10: OK',
      '',
    ]);
  });

  it('says so when nothing changed', async () => {
    const r = await diff({});
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(r.out.split('\n'), [header(10), '; 0 added, 0 removed', '; no change', '']);
  });

  it('warns when the serial was not raised', async () => {
    const r = await diff({ serial: 10, extra: 'ftp CNAME www' });
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(r.out.split('\n'), [
      header(10),
      '+ ftp.diff.test.\t300\tIN\tCNAME\twww.diff.test.',
      '; 1 added, 0 removed',
      '; serial: file 10 is not above served 10: with serial-policy increment the server will serve 11; with file, secondaries will not see the change',
      '',
    ]);
    const lower = await diff({ serial: 9, mail: false });
    assert.equal(lower.out.split('\n').at(-2), '; serial: file 9 is not above served 10: with serial-policy increment the server will serve 11; with file, secondaries will not see the change');
  });

  it('reports an SOA that changed apart from its serial', async () => {
    const file = join(dir, 'soa-edit.zone');
    writeFileSync(file, zoneText({ serial: 11 }).replace('7200 3600', '7200 1800'));
    const r = await tyne('check-zone', '--diff', 'diff.test', file, '--against', `127.0.0.1:${port}`);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(r.out.split('\n'), [
      header(11),
      '; SOA served:  diff.test.\t300\tIN\tSOA\tns1.diff.test. hostmaster.diff.test. 10 7200 3600 1209600 300',
      '; SOA in file: diff.test.\t300\tIN\tSOA\tns1.diff.test. hostmaster.diff.test. 11 7200 1800 1209600 300',
      '; 0 added, 0 removed',
      '; serial: file 11 is above served 10: OK',
      '',
    ]);
  });

  it('signs the AXFR with --key', async () => {
    const r = await diff({ origin: 'keyed.test', serial: 3, mail: false }, '--key', `transfer:hmac-sha256:${SECRET}`);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(r.out.split('\n'), [
      header(3, 3, 'keyed.test'),
      '- mail.keyed.test.\t300\tIN\tA\t192.0.2.25',
      '; 0 added, 1 removed',
      '; serial: file 3 is not above served 3: with serial-policy increment the server will serve 4; with file, secondaries will not see the change',
      '',
    ]);
    const unsigned = await diff({ origin: 'keyed.test', serial: 4 });
    assert.equal(unsigned.code, 1);
    assert.match(unsigned.err, /^tyne check-zone: cannot get keyed\.test\. by AXFR: .*REFUSED/);
  });

  it('exits 1 with a clear message when the AXFR is refused', async () => {
    const r = await diff({ origin: 'closed.test', serial: 11 });
    assert.equal(r.code, 1);
    assert.equal(r.out, '');
    assert.match(r.err, new RegExp(`^tyne check-zone: cannot get closed\\.test\\. by AXFR: 127\\.0\\.0\\.1:${port}: .*REFUSED`));
  });

  it('exits 1 when the server cannot be reached', async () => {
    const nobody = await freePort();
    const file = join(dir, 'unreachable.zone');
    writeFileSync(file, zoneText());
    const r = await tyne('check-zone', '--diff', 'diff.test', file, '--against', `127.0.0.1:${nobody}`);
    assert.equal(r.code, 1);
    assert.equal(r.out, '');
    assert.match(r.err, new RegExp(`^tyne check-zone: cannot get diff\\.test\\. by AXFR: 127\\.0\\.0\\.1:${nobody}: `));
  });

  it('exits 1 with the file\'s errors, before asking the server', async () => {
    const file = join(dir, 'broken.zone');
    writeFileSync(file, zoneText({ extra: 'bad A 192.0.2.300' }));
    const r = await tyne('check-zone', '--diff', 'diff.test', file, '--against', '127.0.0.1:1');
    assert.equal(r.code, 1);
    assert.equal(r.out, '');
    assert.match(r.err, /broken\.zone:9:7: bad IPv4 address .192\.0\.2\.300./);
    assert.match(r.err, /zone diff\.test\/IN: not loaded due to errors\./);
  });

  it('exits 2 on bad usage', async () => {
    const file = join(dir, 'diff.test.zone');
    for (const args of [
      ['--diff', 'diff.test', file],
      ['diff.test', file, '--against', '127.0.0.1:53'],
      ['--diff', 'diff.test', file, '--against', 'localhost:53'],
      ['--diff', 'diff.test', file, '--against', '127.0.0.1:99999'],
      ['--diff', 'diff.test', file, '--against', '127.0.0.1:53', '--key', 'transfer:hmac-md5:AQ=='],
      ['--diff', 'diff.test', file, '--against', '127.0.0.1:53', '--key', 'transfer:hmac-sha256:not base64'],
      ['--diff', 'diff.test', file, '--against'],
    ]) {
      const r = await tyne('check-zone', ...args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
      assert.match(r.err, /tyne check-zone|usage/);
    }
  });
});
