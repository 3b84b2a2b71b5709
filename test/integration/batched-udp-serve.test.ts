/**
 * `tyne serve` with server.udp-io: batched (issue 16 §2) on 127.0.0.1 and
 * [::1]: the listeners say they are batched; answers over UDP, truncated
 * (TC) when too large for 512 octets without EDNS or for the client's EDNS
 * payload; the query counters by family; the send-drop series on /metrics
 * (0: nothing was dropped); a burst of queries all answered. With udp-io:
 * dgram the same server says dgram and has no such series. Without the
 * module (TYNE_UDP_BATCH_MODULE naming a file that is missing or is no
 * module): udp-io: batched fails the start with one line
 * (UDP_IO_UNAVAILABLE), udp-io: auto serves through node:dgram with one
 * warning (UDP_IO_FALLBACK), not repeated at a reload. The wildcard and
 * dual-stack cases are in batched-udp-wildcard.test.ts.
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
import { runTyneToExit, startTyne, type TyneProcess } from '../support/tyne-process.js';

const ZONE = 'batch.example';
/** 20 TXT records of 200 octets: about 4.4 KB, more than any UDP payload Tyne sends. */
const BIG = Array.from({ length: 20 }, (_, i) => `big TXT "${String(i).padStart(2, '0')}${'x'.repeat(198)}"`);

/** Writes the zone and a configuration with `udpIo` on 127.0.0.1 and [::1] (a free port), metrics on another. */
async function configure(dir: string, udpIo: 'auto' | 'batched' | 'dgram'): Promise<{ conf: string; port: number; metricsPort: number }> {
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
  return { conf, port, metricsPort };
}

async function serve(dir: string, udpIo: 'auto' | 'batched' | 'dgram', env?: NodeJS.ProcessEnv): Promise<{ t: TyneProcess; port: number; metricsPort: number }> {
  const c = await configure(dir, udpIo);
  return { t: await startTyne(c.conf, env === undefined ? {} : { env }), port: c.port, metricsPort: c.metricsPort };
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

/** The daemon's test-only switch to another module file (src/daemon/serve.ts). */
const MODULE_ENV = 'TYNE_UDP_BATCH_MODULE';

describe('tyne serve without a loadable batched UDP module', () => {
  let dir = '';
  /** A path where no module is. */
  let missing = '';
  /** A file that is not a Node-API module. */
  let garbage = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tyne-nomodule-'));
    missing = join(dir, 'missing', 'udp_batch.node');
    garbage = join(dir, 'udp_batch.node');
    writeFileSync(garbage, 'not an ELF object\n');
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  for (const [what, file, reason] of [
    ['missing', () => missing, () => `${missing} was not built`],
    ['not a module', () => garbage, () => `${garbage} does not load: `],
  ] as const) {
    it(`udp-io: batched, the module ${what}: the start fails with one line that names the fix (UDP_IO_UNAVAILABLE), exit 1, nothing served`, async () => {
      const c = await configure(dir, 'batched');
      const r = await runTyneToExit(c.conf, { env: { [MODULE_ENV]: file() } });
      assert.equal(r.code, 1, r.stderr);
      const lines = r.stderr.split('\n').filter((l) => l !== '');
      assert.equal(lines.length, 1, `one line on stderr, got: ${r.stderr}`);
      const line = lines[0]!;
      assert.ok(line.startsWith(`tyne serve: server.udp-io is batched, but the native UDP module cannot be used (${reason()}`), line);
      assert.match(line, /install g\+\+, make and python3, then run `npm run build:native` in the Tyne folder, or set udp-io: auto \[UDP_IO_UNAVAILABLE\]$/);
      assert.doesNotMatch(r.stderr, /^\s+at /m, 'no stack trace');
      assert.deepEqual(r.logs.filter((l) => l.msg === 'listening (udp, tcp)' || l.msg === 'serving'), []);
    });
  }

  it('udp-io: auto, the module missing: serves through node:dgram, with exactly one warning (UDP_IO_FALLBACK), not repeated at a reload', async () => {
    const s = await serve(dir, 'auto', { [MODULE_ENV]: missing });
    try {
      assert.deepEqual(listening(s.t), ['dgram', 'dgram']);
      for (const host of ['127.0.0.1', '::1']) {
        const m = decodeMessage(await queryUdp(s.port, buildQuery({ id: 14, name: `h2.${ZONE}`, type: RRType.A }), 2000, host));
        assert.equal(m.answers.length, 1, host);
      }
      // node:dgram: the batched path's series are not on /metrics.
      assert.equal((await scrape(s.metricsPort)).has('tyne_udp_send_dropped_total'), false);
      const mark = s.t.mark();
      s.t.child.kill('SIGHUP');
      await s.t.waitAfter(mark, (l) => l.msg === 'reloaded', 10_000);
      const warnings = s.t.logs.filter((l) => l.code === 'UDP_IO_FALLBACK');
      assert.equal(warnings.length, 1, JSON.stringify(warnings));
      const w = warnings[0]!;
      assert.equal(w.level, 40, 'a warning');
      const text = String(w.msg);
      assert.ok(text.startsWith(`batched UDP I/O is not available (${missing} was not built); serving UDP through node:dgram, which is slower: `), text);
      assert.ok(text.includes('install g++, make and python3, then run `npm run build:native`'), text);
      assert.equal(s.t.logs.filter((l) => typeof l.msg === 'string' && l.msg.includes('batched UDP I/O')).length, 1);
    } finally {
      await s.t.stop();
    }
  });
});
