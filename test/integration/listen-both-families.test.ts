/**
 * `listen` with an IPv4 and an IPv6 address: both serve UDP and TCP. On a
 * host without IPv6 loopback the IPv6 address cannot be bound: the daemon
 * must then refuse to start, exit 1 and say why in one line (that is what
 * this test checks there, so it never skips).
 */
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RRType, decodeMessage } from '../../src/wire/index.js';
import { buildQuery, queryTcp, queryUdp } from '../support/dns-client.js';
import { freePort } from '../support/ports.js';
import { haveTool } from '../support/tools.js';
import { runTyneToExit, startTyne, type TyneExit, type TyneProcess } from '../support/tyne-process.js';
import { digRaw } from '../support/dig.js';

const ZONE = `$ORIGIN example.com.
$TTL 3600
@ SOA ns1 hostmaster 1 7200 3600 1209600 300
@ NS ns1
ns1 A 192.0.2.1
www AAAA 2001:db8::80
`;

/** True when a UDP socket can be bound on ::1 here. */
function ipv6Loopback(): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createSocket('udp6');
    s.once('error', () => {
      s.close();
      resolve(false);
    });
    s.bind(0, '::1', () => s.close(() => resolve(true)));
  });
}

describe('tyne serve on an IPv4 and an IPv6 address', () => {
  let dir: string;
  let port = 0;
  let v6 = false;
  let proc: TyneProcess | undefined;
  /** Without IPv6 loopback: how the start that must fail ended. */
  let refused: TyneExit | undefined;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tyne-v6-'));
    v6 = await ipv6Loopback();
    port = await freePort();
    writeFileSync(join(dir, 'example.com.zone'), ZONE);
    writeFileSync(
      join(dir, 'tyne.yaml'),
      `listen: ["127.0.0.1:${port}", "[::1]:${port}"]\nzones:\n  - name: example.com\n    file: example.com.zone\n`,
    );
    if (v6) proc = await startTyne(join(dir, 'tyne.yaml'));
    else refused = await runTyneToExit(join(dir, 'tyne.yaml'));
  });

  after(async () => {
    await proc?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers on 127.0.0.1 over UDP and TCP', async (t) => {
    if (!v6) {
      t.diagnostic('no IPv6 loopback on this host: checking that the daemon refuses to start instead');
      assert.equal(refused!.code, 1, refused!.stderr);
      assert.match(refused!.stderr.trim(), new RegExp(`^tyne serve: cannot listen on \\[::1\\]:${port} \\(udp\\): [^\\n]+$`));
      return;
    }
    const q = buildQuery({ id: 7, name: 'www.example.com', type: RRType.AAAA });
    const udp = decodeMessage(await queryUdp(port, q, 2000));
    assert.equal(udp.answers.length, 1);
    const [tcp] = await queryTcp(port, [q], 2000);
    assert.equal(decodeMessage(tcp!).answers.length, 1);
  });

  it('answers on ::1 over UDP and TCP (or, without IPv6 loopback, nothing is served)', async (t) => {
    if (!v6) {
      t.diagnostic('no IPv6 loopback on this host: checked above that the daemon refuses to start');
      assert.ok(!refused!.logs.some((l) => l.msg === 'serving'), 'never serving');
      return;
    }
    const serving = proc!.logs.find((l) => l.msg === 'serving')!;
    const listening = serving.listen as string[];
    assert.deepEqual(listening, [`127.0.0.1:${port}`, `[::1]:${port}`]);
    if (!haveTool('dig')) return;
    for (const transport of ['+notcp', '+tcp']) {
      const r = await digRaw({ port, host: '::1' }, ['+norec', '+short', transport, 'www.example.com', 'AAAA'], 10_000);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout.trim(), '2001:db8::80', `dig ${transport} over ::1`);
    }
  });
});
