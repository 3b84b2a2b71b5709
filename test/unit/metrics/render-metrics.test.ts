/**
 * The /metrics page (src/metrics/render-metrics.ts, metrics-text.ts): the
 * text format's HELP/TYPE lines, label escaping, cumulative histogram
 * buckets with +Inf equal to the count, the per-zone series and what
 * `per-zone: false` leaves out or sums.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { escapeLabelValue, MetricsText, ProcessMetrics, renderMetrics, TransferCounters, type MetricsSource, type ZoneGauge } from '../../../src/metrics/index.js';
import { QueryCounters } from '../../../src/server/query-counters.js';
import { Rcode, RRType } from '../../../src/wire/index.js';
import type { SecondaryReplication } from '../../../src/xfr/replication-view.js';

const proc = new ProcessMetrics();
after(() => proc.stop());

/** The value of the sample `line` (name with labels, as written), or undefined. */
function value(text: string, line: string): number | undefined {
  const l = text.split('\n').find((x) => x.startsWith(`${line} `));
  return l === undefined ? undefined : Number(l.slice(line.length + 1));
}

function source(over: Partial<MetricsSource> = {}): MetricsSource {
  const zones: ZoneGauge[] = [
    { zone: 'example.com.', type: 'primary', serial: 2026120301, records: 4, loadedAt: 1_700_000_000_500, expiresAt: null },
    { zone: 'copy.example.', type: 'secondary', serial: 7, records: 3, loadedAt: 1_700_000_000_000, expiresAt: 1_700_604_800_000 },
    { zone: 'loading.example.', type: 'primary', serial: null, records: null, loadedAt: null, expiresAt: null },
  ];
  const repl = [{ zone: 'example.com.', secondary: '127.0.0.1:5301', serial: 2026120301, state: 'in-sync', lagSeconds: 0 }] as SecondaryReplication[];
  return { queries: new QueryCounters(), transfers: new TransferCounters(), process: proc, perZone: () => true, zones: () => zones, replication: () => repl, ...over };
}

describe('metrics text', () => {
  it('escapes backslash, double quote and line feed in label values', () => {
    assert.equal(escapeLabelValue('a\\b"c\nd'), 'a\\\\b\\"c\\nd');
    const t = new MetricsText().family('x_total', 'counter', 'help with \\ and\nnewline').sample('x_total', 1, { zone: 'we"ird\\\n.' }).toString();
    assert.equal(t, '# HELP x_total help with \\\\ and\\nnewline\n# TYPE x_total counter\nx_total{zone="we\\"ird\\\\\\n."} 1\n');
  });

  it('writes histogram buckets cumulative, +Inf equal to _count', () => {
    const t = new MetricsText().family('h_seconds', 'histogram', 'h').histogram('h_seconds', [0.1, 1], [2, 3, 4], 12.5).toString();
    assert.match(t, /^h_seconds_bucket\{le="0\.1"\} 2$/m);
    assert.match(t, /^h_seconds_bucket\{le="1"\} 5$/m);
    assert.match(t, /^h_seconds_bucket\{le="\+Inf"\} 9$/m);
    assert.match(t, /^h_seconds_sum 12\.5$/m);
    assert.match(t, /^h_seconds_count 9$/m);
  });
});

describe('renderMetrics', () => {
  it('renders the query counters with CoreDNS labels', () => {
    const q = new QueryCounters();
    for (let i = 0; i < 3; i++) q.count(false, false, RRType.A, Rcode.NOERROR, 0.1);
    q.count(true, true, RRType.MX, Rcode.NXDOMAIN, 2);
    q.count(false, false, RRType.A, Rcode.BADCOOKIE, 0.1);
    const t = renderMetrics(source({ queries: q }));
    assert.equal(value(t, 'tyne_dns_requests_total{proto="udp",family="1",type="A"}'), 4);
    assert.equal(value(t, 'tyne_dns_requests_total{proto="tcp",family="2",type="MX"}'), 1);
    assert.equal(value(t, 'tyne_dns_requests_total{proto="tcp",family="1",type="other"}'), 0);
    assert.equal(value(t, 'tyne_dns_responses_total{rcode="NOERROR"}'), 3);
    assert.equal(value(t, 'tyne_dns_responses_total{rcode="NXDOMAIN"}'), 1);
    assert.equal(value(t, 'tyne_dns_responses_total{rcode="SERVFAIL"}'), 0);
    assert.equal(value(t, 'tyne_dns_responses_total{rcode="BADCOOKIE"}'), 1);
    assert.equal(value(t, 'tyne_dns_request_duration_seconds_bucket{le="0.00025"}'), 4);
    assert.equal(value(t, 'tyne_dns_request_duration_seconds_bucket{le="0.002"}'), 5);
    assert.equal(value(t, 'tyne_dns_request_duration_seconds_bucket{le="+Inf"}'), 5);
    assert.equal(value(t, 'tyne_dns_request_duration_seconds_count'), 5);
    assert.ok(Math.abs(value(t, 'tyne_dns_request_duration_seconds_sum')! - 0.0024) < 1e-12);
    // Every family has its HELP and TYPE lines before its samples.
    for (const name of ['tyne_dns_requests_total', 'tyne_dns_responses_total', 'tyne_dns_request_duration_seconds', 'tyne_notify_sent_total', 'process_cpu_seconds_total', 'process_resident_memory_bytes', 'process_start_time_seconds']) {
      assert.match(t, new RegExp(`^# HELP ${name} .+\\n# TYPE ${name} (counter|gauge|histogram)$`, 'm'), name);
    }
  });

  it('renders the zone, transfer and secondary series per zone', () => {
    const x = new TransferCounters();
    x.out.add('example.com.', 'axfr', 'success');
    x.out.add('example.com.', 'ixfr', 'refused');
    x.out.add('other.example.', 'axfr', 'success');
    x.in.add('copy.example.', 'ixfr', 'uptodate');
    x.notified('acked');
    x.notified('timeout');
    const t = renderMetrics(source({ transfers: x }));
    assert.equal(value(t, 'tyne_zone_serial{zone="example.com."}'), 2026120301);
    assert.equal(value(t, 'tyne_zone_serial{zone="loading.example."}'), undefined);
    assert.equal(value(t, 'tyne_zone_records{zone="copy.example."}'), 3);
    assert.equal(value(t, 'tyne_zone_loaded_timestamp_seconds{zone="example.com."}'), 1_700_000_000.5);
    assert.equal(value(t, 'tyne_zone_expire_timestamp_seconds{zone="copy.example."}'), 1_700_604_800);
    assert.equal(value(t, 'tyne_zone_expire_timestamp_seconds{zone="example.com."}'), undefined);
    assert.equal(value(t, 'tyne_xfr_out_total{zone="example.com.",kind="axfr",result="success"}'), 1);
    assert.equal(value(t, 'tyne_xfr_out_total{zone="example.com.",kind="ixfr",result="refused"}'), 1);
    assert.equal(value(t, 'tyne_xfr_in_total{zone="copy.example.",kind="ixfr",result="uptodate"}'), 1);
    assert.equal(value(t, 'tyne_notify_sent_total{result="acked"}'), 1);
    assert.equal(value(t, 'tyne_notify_sent_total{result="timeout"}'), 1);
    assert.equal(value(t, 'tyne_notify_sent_total{result="refused"}'), 0);
    assert.equal(value(t, 'tyne_secondary_in_sync{zone="example.com.",secondary="127.0.0.1:5301"}'), 1);
    assert.equal(value(t, 'tyne_secondary_serial{zone="example.com.",secondary="127.0.0.1:5301"}'), 2026120301);
    assert.equal(value(t, 'tyne_secondary_lag_seconds{zone="example.com.",secondary="127.0.0.1:5301"}'), 0);
  });

  it('per-zone false: no zone series, transfers summed without the zone label', () => {
    const x = new TransferCounters();
    x.out.add('example.com.', 'axfr', 'success');
    x.out.add('other.example.', 'axfr', 'success');
    let asked = false;
    const t = renderMetrics(source({ transfers: x, perZone: () => false, zones: () => { asked = true; return []; } }));
    assert.equal(asked, false, 'the zones are not even gathered');
    assert.doesNotMatch(t, /zone="/);
    assert.doesNotMatch(t, /^tyne_(zone|secondary)_/m);
    assert.equal(value(t, 'tyne_xfr_out_total{kind="axfr",result="success"}'), 2);
  });
});
