/**
 * The page `/metrics` serves: every series of issue 15 §3, rendered when
 * scraped from the counters (src/server/query-counters.ts,
 * transfer-counters.ts) and from what the daemon knows at that moment (the
 * zones served, the replication view). Names and labels follow CoreDNS's
 * metrics plugin where it has them (coredns_dns_requests_total{proto,
 * family,type}, coredns_dns_responses_total{rcode},
 * coredns_dns_request_duration_seconds), with the prefix `tyne_`.
 */
import { COUNTED_RCODES, DURATION_BUCKETS, requestSlotLabels, type QueryCounters } from '../server/query-counters.js';
import { rcodeToText } from '../wire/index.js';
import type { SecondaryReplication } from '../xfr/replication-view.js';
import { MetricsText } from './metrics-text.js';
import type { ProcessMetrics } from './process-metrics.js';
import { NOTIFY_RESULTS, type TransferCounters, type ZoneTransferCounts } from './transfer-counters.js';

/** One zone served, at scrape time. Times are epoch ms. */
export interface ZoneGauge {
  /** As served: `example.com.` */
  zone: string;
  type: 'primary' | 'secondary' | 'catalog';
  /** Null: no data yet (loading, failed, waiting for a first transfer, expired). */
  serial: number | null;
  records: number | null;
  /** When the version served was loaded (a secondary: its last successful refresh). */
  loadedAt: number | null;
  /** A secondary's expiry (RFC 1035 §3.3.13 EXPIRE from its last refresh); null otherwise. */
  expiresAt: number | null;
}

/** What the page is made from; read at each scrape. */
export interface MetricsSource {
  queries: QueryCounters;
  transfers: TransferCounters;
  process: ProcessMetrics;
  /** `metrics.per-zone`: false leaves out every series with a zone label (the transfer counters are summed over zones). */
  perZone(): boolean;
  zones(): ZoneGauge[];
  replication(): SecondaryReplication[];
  /** The batched UDP sockets' counters (src/server/batched-udp-listener.ts); left out: no such series. */
  udpBatch?: () => UdpBatchCounts;
  /** With serving threads (issue 16 §3): the UDP requests each thread answered itself, by thread; left out: no such series. */
  threadRequests?: () => number[];
}

/** Replies of the batched UDP path the kernel did not take at once, and datagrams too long for a slot. */
export interface UdpBatchCounts {
  sendRetried: number;
  sendDropped: number;
  truncated: number;
}

const PROTO = (tcp: boolean): string => (tcp ? 'tcp' : 'udp');
const FAMILY = (v6: boolean): string => (v6 ? '2' : '1');

/** The text of `/metrics`. */
export function renderMetrics(src: MetricsSource): string {
  const m = new MetricsText();
  const q = src.queries;
  m.family('tyne_dns_requests_total', 'counter', 'Counter of DNS requests made per protocol, family and query type.');
  for (let i = 0; i < q.requests.length; i++) {
    const l = requestSlotLabels(i);
    m.sample('tyne_dns_requests_total', q.requests[i]!, { proto: PROTO(l.tcp), family: FAMILY(l.v6), type: l.type });
  }
  m.family('tyne_dns_responses_total', 'counter', 'Counter of responses per response code.');
  for (let r = 0; r <= COUNTED_RCODES; r++) {
    const n = q.responses[r]!;
    // NOERROR, NXDOMAIN and SERVFAIL always; the other codes once seen (CoreDNS writes only those seen).
    if (n > 0 || r === 0 || r === 2 || r === 3) m.sample('tyne_dns_responses_total', n, { rcode: r < COUNTED_RCODES ? rcodeToText(r) : 'other' });
  }
  m.family('tyne_dns_request_duration_seconds', 'histogram', 'Histogram of the time (in seconds) each request took.')
    .histogram('tyne_dns_request_duration_seconds', DURATION_BUCKETS, q.durations, q.durationSumMs / 1000);

  const perZone = src.perZone();
  if (perZone) zoneSeries(m, src.zones());
  transferSeries(m, 'tyne_xfr_out_total', 'Zone transfers out (AXFR, IXFR) per zone, kind and result.', src.transfers.out, perZone);
  transferSeries(m, 'tyne_xfr_in_total', 'Zone transfers in from primaries per zone, kind and result.', src.transfers.in, perZone);
  m.family('tyne_notify_sent_total', 'counter', 'NOTIFY messages sent to secondaries, per result.');
  NOTIFY_RESULTS.forEach((result, i) => m.sample('tyne_notify_sent_total', src.transfers.notify[i]!, { result }));
  if (perZone) secondarySeries(m, src.replication());
  if (src.udpBatch !== undefined) udpBatchSeries(m, src.udpBatch());
  if (src.threadRequests !== undefined) {
    // How the kernel spreads clients over the threads' SO_REUSEPORT sockets (by address and port): an imbalance shows here.
    m.family('tyne_thread_requests_total', 'counter', 'UDP requests answered by each serving thread (server.threads); those it relays to the main thread are counted there.');
    src.threadRequests().forEach((n, i) => m.sample('tyne_thread_requests_total', n, { thread: String(i) }));
  }
  src.process.write(m);
  return m.toString();
}

/** Issue 16 §2: a reply is never dropped silently; a full send buffer is retried once when writable, then dropped and counted. */
function udpBatchSeries(m: MetricsText, c: UdpBatchCounts): void {
  m.family('tyne_udp_send_retried_total', 'counter', 'UDP replies the kernel did not take at once (send buffer full), sent again once the socket was writable.');
  m.sample('tyne_udp_send_retried_total', c.sendRetried);
  m.family('tyne_udp_send_dropped_total', 'counter', 'UDP replies dropped because the send buffer was still full at the retry.');
  m.sample('tyne_udp_send_dropped_total', c.sendDropped);
  m.family('tyne_udp_truncated_dropped_total', 'counter', 'UDP datagrams dropped unanswered because they were longer than a receive slot.');
  m.sample('tyne_udp_truncated_dropped_total', c.truncated);
}

function zoneSeries(m: MetricsText, zones: ZoneGauge[]): void {
  const served = zones.filter((z) => z.serial !== null);
  m.family('tyne_zone_serial', 'gauge', 'SOA serial of the zone served.');
  for (const z of served) m.sample('tyne_zone_serial', z.serial!, { zone: z.zone });
  m.family('tyne_zone_loaded_timestamp_seconds', 'gauge', 'When the version served was loaded or transferred, in seconds since the epoch.');
  for (const z of served) if (z.loadedAt !== null) m.sample('tyne_zone_loaded_timestamp_seconds', z.loadedAt / 1000, { zone: z.zone });
  m.family('tyne_zone_records', 'gauge', 'Records in the zone served.');
  for (const z of served) if (z.records !== null) m.sample('tyne_zone_records', z.records, { zone: z.zone });
  m.family('tyne_zone_expire_timestamp_seconds', 'gauge', 'When a secondary zone expires unless refreshed, in seconds since the epoch.');
  for (const z of zones) if (z.type === 'secondary' && z.expiresAt !== null) m.sample('tyne_zone_expire_timestamp_seconds', z.expiresAt / 1000, { zone: z.zone });
}

function transferSeries(m: MetricsText, name: string, help: string, counts: ZoneTransferCounts, perZone: boolean): void {
  m.family(name, 'counter', help);
  if (perZone) {
    for (const [zone, kind, result, n] of counts.rows()) m.sample(name, n, { zone, kind, result });
    return;
  }
  const sums = new Map<string, number>();
  for (const [, kind, result, n] of counts.rows()) sums.set(`${kind} ${result}`, (sums.get(`${kind} ${result}`) ?? 0) + n);
  for (const [key, n] of [...sums].sort()) {
    const [kind, result] = key.split(' ') as [string, string];
    m.sample(name, n, { kind, result });
  }
}

function secondarySeries(m: MetricsText, rows: SecondaryReplication[]): void {
  m.family('tyne_secondary_serial', 'gauge', 'SOA serial each secondary holds, as the replication view knows it.');
  for (const r of rows) if (r.serial !== null) m.sample('tyne_secondary_serial', r.serial, { zone: r.zone, secondary: r.secondary });
  m.family('tyne_secondary_in_sync', 'gauge', '1 when the secondary holds the serial served now, else 0.');
  for (const r of rows) m.sample('tyne_secondary_in_sync', r.state === 'in-sync' ? 1 : 0, { zone: r.zone, secondary: r.secondary });
  m.family('tyne_secondary_lag_seconds', 'gauge', 'Seconds since the oldest version the secondary lacks was served (0 in sync).');
  for (const r of rows) if (r.lagSeconds !== null) m.sample('tyne_secondary_lag_seconds', r.lagSeconds, { zone: r.zone, secondary: r.secondary });
}
