/**
 * The metrics endpoint (issue 15 §3) against live servers:
 *
 * - counters: exact deltas of tyne_dns_requests_total{proto,family,type}
 *   and tyne_dns_responses_total{rcode} for queries sent over UDP and TCP,
 *   and the duration histogram's count; tyne_zone_serial equals the
 *   served serial and follows an edit; `promtool check metrics` passes
 *   (exit 0, nothing written); /health 200, /ready 200, 404 otherwise;
 * - a reload with `per-zone: false` drops every zone-labelled series, and
 *   a new `metrics.listen` moves the endpoint;
 * - /ready answers 503 with the reason while the zones load, then 200;
 * - an ns1 → ns2 pair: tyne_secondary_in_sync 1 on ns1, tyne_xfr_out_total
 *   on ns1 and tyne_xfr_in_total on ns2 rising with each transfer,
 *   tyne_notify_sent_total{result="acked"} on ns1.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { RRType, decodeMessage } from '../../src/wire/index.js';
import { buildQuery, queryTcp, queryUdp } from '../support/dns-client.js';
import { httpGet, metricSamples, promtoolCheck, scrape } from '../support/metrics-scrape.js';
import { freePort } from '../support/ports.js';
import { toolPath } from '../support/tools.js';
import { tyneYaml, zoneText } from '../support/tyne-config.js';
import { TynePair } from '../support/tyne-pair.js';
import { startTyne, type TyneProcess } from '../support/tyne-process.js';
import { until } from '../support/wait.js';

const ZONE = 'metrics.example';
const promtool = toolPath('promtool');

/** The change of each series of `names` between two scrapes. */
function delta(before: Map<string, number>, after: Map<string, number>, series: string): number {
  return (after.get(series) ?? 0) - (before.get(series) ?? 0);
}

async function servedSerial(port: number): Promise<number | null> {
  const m = decodeMessage(await queryUdp(port, buildQuery({ id: 7, name: ZONE, type: RRType.SOA }), 1000));
  const soa = m.answers.find((r) => r.type === RRType.SOA);
  return soa === undefined ? null : Buffer.from(soa.rdata).readUInt32BE(soa.rdata.length - 20);
}

describe('metrics endpoint: one server', { timeout: 60_000 }, () => {
  let pair: TynePair | undefined;
  let tyne: TyneProcess | null = null;
  after(async () => pair?.close(tyne));

  it('counts queries exactly, follows an edit, passes promtool; health, ready, 404; per-zone: false and a new listen at reload', async (t) => {
    const pr = await TynePair.create('tyne-metrics-');
    pair = pr;
    const mport = await freePort();
    const yaml = (metrics: string[]): string => tyneYaml({
      listen: [`127.0.0.1:${pr.p1}`], server: ['watch: false'], control: false, metrics,
      primaries: [{ name: ZONE, file: 'z.zone', extra: ['serial-policy: file'] }],
    });
    pr.write('z.zone', zoneText(ZONE, 10, { hosts: 3 }));
    pr.write('tyne.yaml', yaml([`listen: 127.0.0.1:${mport}`]));
    tyne = await startTyne(pr.path('tyne.yaml'));
    await tyne.waitForLog((l) => l.msg === 'metrics endpoint ready (/metrics, /health, /ready)' && l.metrics === `127.0.0.1:${mport}`);

    const page = await httpGet(mport, '/metrics');
    assert.equal(page.status, 200);
    assert.equal(page.contentType, 'text/plain; version=0.0.4; charset=utf-8');
    const before = metricSamples(page.body);

    // UDP: 3 A of existing hosts, 1 TXT of a name that does not exist; TCP: 2 AAAA (NODATA).
    for (let i = 0; i < 3; i++) {
      const r = decodeMessage(await queryUdp(pr.p1, buildQuery({ id: 100 + i, name: `h${i}.${ZONE}`, type: RRType.A })));
      assert.equal(r.answers.length, 1);
    }
    assert.equal(decodeMessage(await queryUdp(pr.p1, buildQuery({ id: 200, name: `nope.${ZONE}`, type: RRType.TXT }))).rcode, 3);
    const tcp = await queryTcp(pr.p1, [buildQuery({ id: 300, name: `h0.${ZONE}`, type: RRType.AAAA }), buildQuery({ id: 301, name: `h1.${ZONE}`, type: RRType.AAAA })]);
    assert.equal(tcp.length, 2);
    const after1 = await scrape(mport);
    const d = (s: string): number => delta(before, after1, s);
    assert.equal(d('tyne_dns_requests_total{proto="udp",family="1",type="A"}'), 3);
    assert.equal(d('tyne_dns_requests_total{proto="udp",family="1",type="TXT"}'), 1);
    assert.equal(d('tyne_dns_requests_total{proto="udp",family="1",type="other"}'), 0, 'TXT is one of the types counted by name');
    assert.equal(d('tyne_dns_requests_total{proto="tcp",family="1",type="AAAA"}'), 2);
    assert.equal(d('tyne_dns_requests_total{proto="udp",family="2",type="A"}'), 0);
    assert.equal(d('tyne_dns_responses_total{rcode="NOERROR"}'), 5);
    assert.equal(d('tyne_dns_responses_total{rcode="NXDOMAIN"}'), 1);
    assert.equal(d('tyne_dns_request_duration_seconds_count'), 6);
    assert.equal(d('tyne_dns_request_duration_seconds_bucket{le="+Inf"}'), 6);
    assert.ok(d('tyne_dns_request_duration_seconds_sum') > 0);
    let total = 0;
    for (const [k, v] of after1) if (k.startsWith('tyne_dns_requests_total{')) total += v - (before.get(k) ?? 0);
    assert.equal(total, 6, 'no request counted twice or elsewhere');

    // The zone's gauges: the served serial, then the edited one.
    assert.equal(after1.get(`tyne_zone_serial{zone="${ZONE}."}`), await servedSerial(pr.p1));
    assert.equal(after1.get(`tyne_zone_serial{zone="${ZONE}."}`), 10);
    assert.equal(after1.get(`tyne_zone_records{zone="${ZONE}."}`), 6);
    const loaded = after1.get(`tyne_zone_loaded_timestamp_seconds{zone="${ZONE}."}`)!;
    assert.ok(Math.abs(loaded - Date.now() / 1000) < 60, `loaded at ${loaded}`);
    pr.write('z.zone', zoneText(ZONE, 11, { hosts: 4 }));
    tyne.child.kill('SIGHUP');
    await until('the gauge follows the edit', async () => (await scrape(mport)).get(`tyne_zone_serial{zone="${ZONE}."}`) === 11, { timeoutMs: 5000, everyMs: 50 });
    assert.equal(await servedSerial(pr.p1), 11);
    assert.equal((await scrape(mport)).get(`tyne_zone_records{zone="${ZONE}."}`), 7);

    // promtool's lint: exit 0 and nothing to say.
    if (promtool !== null) {
      const lint = await promtoolCheck(promtool, (await httpGet(mport, '/metrics')).body);
      assert.deepEqual(lint, { code: 0, output: '' });
    } else {
      t.diagnostic('promtool missing: lint not run');
    }

    assert.deepEqual(await httpGet(mport, '/health'), { status: 200, contentType: 'text/plain; charset=utf-8', body: 'OK\n' });
    assert.deepEqual(await httpGet(mport, '/ready'), { status: 200, contentType: 'text/plain; charset=utf-8', body: 'ready\n' });
    assert.equal((await httpGet(mport, '/nothing')).status, 404);

    // A reload: per-zone off (no series with a zone label), and the endpoint moved to another port.
    const mport2 = await freePort();
    pr.write('tyne.yaml', yaml([`listen: 127.0.0.1:${mport2}`, 'per-zone: false']));
    const mark = tyne.mark();
    tyne.child.kill('SIGHUP');
    await tyne.waitAfter(mark, (l) => l.msg === 'reloaded', 5000);
    const moved = await httpGet(mport2, '/metrics');
    assert.equal(moved.status, 200);
    assert.doesNotMatch(moved.body, /zone="/);
    assert.doesNotMatch(moved.body, /^tyne_zone_/m);
    assert.match(moved.body, /^tyne_dns_requests_total\{proto="udp",family="1",type="A"\} [1-9]/m, 'the counts carry on');
    await assert.rejects(httpGet(mport, '/health', '127.0.0.1', 1000), /ECONNREFUSED/, 'the old address is closed');
  });
});

describe('metrics endpoint: /ready while zones load', { timeout: 60_000 }, () => {
  let pair: TynePair | undefined;
  let tyne: TyneProcess | null = null;
  after(async () => pair?.close(tyne));

  it('503 with the reason until every zone has loaded, then 200', async () => {
    const pr = await TynePair.create('tyne-metrics-ready-');
    pair = pr;
    const mport = await freePort();
    // A zone of 400,000 records takes a second or more to load; the small one is in at once.
    pr.write('big.zone', [zoneText('big.example', 1), '$GENERATE 1-400000 h$ A 192.0.2.1', ''].join('\n'));
    pr.write('small.zone', zoneText('small.example', 1));
    pr.write('tyne.yaml', tyneYaml({
      listen: [`127.0.0.1:${pr.p1}`], server: ['watch: false'], control: false, metrics: [`listen: 127.0.0.1:${mport}`],
      primaries: [{ name: 'big.example', file: 'big.zone', extra: ['max-records: 500000'] }, { name: 'small.example', file: 'small.zone' }],
    }));
    const seen: { status: number; body: string }[] = [];
    let polling = true;
    let poller: Promise<void> = Promise.resolve();
    tyne = await startTyne(pr.path('tyne.yaml'), {
      timeoutMs: 30_000,
      onSpawn: (p) => {
        poller = (async () => {
          await p.waitForLog((l) => l.msg === 'metrics endpoint ready (/metrics, /health, /ready)', 15_000);
          // Bounded: at most 30 s of polls every 20 ms.
          for (let i = 0; polling && i < 1500; i++) {
            const a = await httpGet(mport, '/ready');
            seen.push({ status: a.status, body: a.body });
            if (a.status === 200) return;
            assert.equal((await httpGet(mport, '/health')).status, 200, '/health is 200 while zones load');
            await new Promise((r) => setTimeout(r, 20));
          }
        })();
      },
    });
    await poller;
    polling = false;
    const first = seen[0]!;
    assert.equal(first.status, 503, `the first /ready: ${JSON.stringify(first)}`);
    assert.match(first.body, /^not ready: zones loading: [01] of 2 loaded\n$/);
    assert.deepEqual(seen.at(-1), { status: 200, body: 'ready\n' });
    assert.ok(seen.slice(0, -1).every((s) => s.status === 503), 'never 200 before every zone loaded');
    // zoneText's SOA, NS, A of ns1 and 20 hosts, and the generated ones.
    assert.equal((await scrape(mport)).get('tyne_zone_records{zone="big.example."}'), 23 + 400_000);
  });
});

describe('metrics endpoint: ns1 → ns2', { timeout: 60_000 }, () => {
  let pair: TynePair | undefined;
  let ns1: TyneProcess | null = null;
  let ns2: TyneProcess | null = null;
  after(async () => pair?.close(ns1, ns2));

  it('ns1: secondary in sync, transfers out and NOTIFYs acked; ns2: transfers in; both rise with an edit', async () => {
    const pr = await TynePair.create('tyne-metrics-pair-', ['ns2']);
    pair = pr;
    const [m1, m2] = [await freePort(), await freePort()];
    const ns2Id = `127.0.0.1:${pr.p2}`;
    const z = `${ZONE}.`;
    pr.write('ns1.zone', zoneText(ZONE, 1, { hosts: 20 }));
    pr.write('ns1.yaml', tyneYaml({
      listen: [`127.0.0.1:${pr.p1}`], server: ['watch: false', 'secondary-probe-interval: 1s'], control: false, metrics: [`listen: 127.0.0.1:${m1}`],
      primaries: [{ name: ZONE, file: 'ns1.zone', notify: [ns2Id], extra: ['serial-policy: file'] }],
    }));
    pr.write('ns2.yaml', tyneYaml({
      listen: [ns2Id], control: false, metrics: [`listen: 127.0.0.1:${m2}`],
      secondaries: [{ name: ZONE, primaries: [`127.0.0.1:${pr.p1}`], file: 'ns2/copy.zone' }],
    }));
    ns1 = await startTyne(pr.path('ns1.yaml'));
    ns2 = await startTyne(pr.path('ns2.yaml'));
    const inSync = `tyne_secondary_in_sync{zone="${z}",secondary="${ns2Id}"}`;
    await until('ns1 says ns2 is in sync', async () => (await scrape(m1)).get(inSync) === 1, { timeoutMs: 15_000, everyMs: 100 });
    const a1 = await scrape(m1);
    const a2 = await scrape(m2);
    assert.equal(a1.get(`tyne_secondary_serial{zone="${z}",secondary="${ns2Id}"}`), 1);
    assert.equal(a1.get(`tyne_secondary_lag_seconds{zone="${z}",secondary="${ns2Id}"}`), 0);
    assert.equal(a1.get(`tyne_xfr_out_total{zone="${z}",kind="axfr",result="success"}`), 1);
    assert.equal(a2.get(`tyne_xfr_in_total{zone="${z}",kind="axfr",result="success"}`), 1);
    assert.equal(a2.get(`tyne_zone_serial{zone="${z}"}`), 1);
    const expires = a2.get(`tyne_zone_expire_timestamp_seconds{zone="${z}"}`)!;
    assert.ok(Math.abs(expires - (Date.now() / 1000 + 604_800)) < 60, `expires at ${expires}: a week from now (the SOA's EXPIRE)`);
    // The startup NOTIFY went out before ns2 was started: acknowledged or not, it is counted once it ends.
    const acked = a1.get('tyne_notify_sent_total{result="acked"}')!;

    // An edit: ns1 sends an IXFR, ns2 receives one; the view catches up.
    pr.write('ns1.zone', zoneText(ZONE, 2, { hosts: 20, extra: ['v2 TXT "two"'] }));
    ns1.child.kill('SIGHUP');
    await until('ns2 transferred serial 2', async () => (await scrape(m2)).get(`tyne_zone_serial{zone="${z}"}`) === 2, { timeoutMs: 10_000, everyMs: 50 });
    await until('ns1 says ns2 holds 2', async () => (await scrape(m1)).get(`tyne_secondary_serial{zone="${z}",secondary="${ns2Id}"}`) === 2, { timeoutMs: 10_000, everyMs: 50 });
    const b1 = await scrape(m1);
    const b2 = await scrape(m2);
    assert.equal(b1.get(`tyne_xfr_out_total{zone="${z}",kind="ixfr",result="success"}`), 1);
    assert.equal(b2.get(`tyne_xfr_in_total{zone="${z}",kind="ixfr",result="success"}`), 1);
    assert.equal(b1.get(inSync), 1);
    await until('the edit\'s NOTIFY acknowledged', async () => (await scrape(m1)).get('tyne_notify_sent_total{result="acked"}')! >= acked + 1, { timeoutMs: 5000, everyMs: 50 });
    if (promtool !== null) {
      for (const port of [m1, m2]) assert.deepEqual(await promtoolCheck(promtool, (await httpGet(port, '/metrics')).body), { code: 0, output: '' });
    }
  });
});
