/**
 * `tyne serve` with server.udp-io: batched (issue 16 §2) on 127.0.0.1 and
 * [::1]: the listeners say they are batched; answers over UDP, truncated
 * (TC) when too large for 512 octets without EDNS or for the client's EDNS
 * payload; the query counters by family; the send-drop series on /metrics
 * (0: nothing was dropped); a burst of queries all answered. With udp-io:
 * dgram the same server says dgram and has no such series.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RRType, decodeMessage } from '../../src/wire/index.js';
import { haveBatchModule } from '../support/batch-module.js';
import { buildQuery, queryUdp } from '../support/dns-client.js';
import { scrape } from '../support/metrics-scrape.js';
import { freePort } from '../support/ports.js';
import { tyneYaml, zoneText } from '../support/tyne-config.js';
import { startTyne, type TyneProcess } from '../support/tyne-process.js';

const ZONE = 'batch.example';
/** 20 TXT records of 200 octets: about 4.4 KB, more than any UDP payload Tyne sends. */
const BIG = Array.from({ length: 20 }, (_, i) => `big TXT "${String(i).padStart(2, '0')}${'x'.repeat(198)}"`);

async function serve(dir: string, udpIo: 'batched' | 'dgram'): Promise<{ t: TyneProcess; port: number; metricsPort: number }> {
  const port = await freePort();
  const metricsPort = await freePort();
  const zone = join(dir, `${ZONE}.zone`);
  writeFileSync(zone, zoneText(ZONE, 1, { hosts: 10, extra: BIG }));
  const conf = join(dir, `tyne-${udpIo}.yaml`);
  writeFileSync(conf, tyneYaml({
    listen: [`127.0.0.1:${port}`, `[::1]:${port}`],
    server: [`udp-io: ${udpIo}`, 'rate-limit: false', `data-dir: ${JSON.stringify(join(dir, `state-${udpIo}`))}`],
    control: false,
    metrics: [`listen: 127.0.0.1:${metricsPort}`],
    primaries: [{ name: ZONE, file: zone }],
  }));
  return { t: await startTyne(conf), port, metricsPort };
}

const listening = (t: TyneProcess): unknown[] => t.logs.filter((l) => l.msg === 'listening (udp, tcp)').map((l) => l.udpIo);

describe('tyne serve with udp-io: batched', { skip: !haveBatchModule('tyne serve with udp-io: batched') }, () => {
  let dir = '';
  let s: Awaited<ReturnType<typeof serve>> | undefined;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tyne-batched-'));
    s = await serve(dir, 'batched');
  });
  after(async () => {
    await s?.t.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('both listeners are batched', () => {
    assert.deepEqual(listening(s!.t), ['batched', 'batched']);
  });

  it('answers over IPv4 and IPv6, counted by family', async () => {
    const before = await scrape(s!.metricsPort);
    for (const host of ['127.0.0.1', '::1']) {
      const m = decodeMessage(await queryUdp(s!.port, buildQuery({ id: 11, name: `h3.${ZONE}`, type: RRType.A }), 2000, host));
      assert.equal(m.rcode, 0);
      assert.equal(m.answers.length, 1, host);
    }
    const afterS = await scrape(s!.metricsPort);
    const d = (k: string): number => (afterS.get(k) ?? 0) - (before.get(k) ?? 0);
    assert.equal(d('tyne_dns_requests_total{proto="udp",family="1",type="A"}'), 1);
    assert.equal(d('tyne_dns_requests_total{proto="udp",family="2",type="A"}'), 1);
  });

  it('truncates: 512 octets without EDNS, the client\'s payload with it (TC set, answer cut)', async () => {
    for (const [edns, limit] of [[undefined, 512], [{ udpPayload: 1232 }, 1232], [{ udpPayload: 600 }, 600]] as const) {
      const b = await queryUdp(s!.port, buildQuery({ id: 12, name: `big.${ZONE}`, type: RRType.TXT, ...(edns === undefined ? {} : { edns }) }));
      const m = decodeMessage(b);
      assert.ok(m.tc, `TC with ${limit}`);
      assert.ok(b.length <= limit, `${b.length} > ${limit}`);
    }
  });

  it('answers a burst of 2,000 queries sent at once, and drops none (tyne_udp_send_dropped_total 0)', async () => {
    const ids = Array.from({ length: 2000 }, (_, i) => i + 1);
    const got = await Promise.all(ids.map((id) => queryUdp(s!.port, buildQuery({ id, name: `h${id % 10}.${ZONE}`, type: RRType.A }), 5000)));
    assert.equal(got.length, 2000);
    const m = await scrape(s!.metricsPort);
    assert.equal(m.get('tyne_udp_send_dropped_total'), 0);
    assert.equal(m.get('tyne_udp_send_retried_total'), 0);
    assert.equal(m.get('tyne_udp_truncated_dropped_total'), 0);
  });
});

describe('tyne serve with udp-io: dgram', () => {
  let dir = '';
  let s: Awaited<ReturnType<typeof serve>> | undefined;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tyne-dgram-'));
    s = await serve(dir, 'dgram');
  });
  after(async () => {
    await s?.t.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves through node:dgram, without the batched series', async () => {
    assert.deepEqual(listening(s!.t), ['dgram', 'dgram']);
    const m = decodeMessage(await queryUdp(s!.port, buildQuery({ id: 13, name: `h1.${ZONE}`, type: RRType.A })));
    assert.equal(m.answers.length, 1);
    assert.equal((await scrape(s!.metricsPort)).has('tyne_udp_send_dropped_total'), false);
  });
});
