/**
 * `npm run bench`: wire encode/decode throughput against dns-packet, then
 * zone loading against named-checkzone and nsd-checkzone, then serving
 * (dnsperf against Tyne, NSD and a bare Node UDP echo server), then zone
 * transfers (AXFR out of BIND, NSD and Tyne timed with dig; Tyne as a
 * secondary on NOTIFY), then propagation (an edit of a watched zone file
 * until a Tyne primary and its Tyne secondary serve it).
 *   node dist/test/bench/run.js               3 runs x 1 s per case, medians; 1,000,000-host zone
 *   node dist/test/bench/run.js --quick       smoke run (a few seconds, rough numbers; 50,000-host zone)
 *   node dist/test/bench/run.js --wire-only   only the wire benchmark (--zone-only: only the zone one)
 *   node dist/test/bench/run.js --serve-only  only the serving benchmark (10 s per server; with --quick 3 s)
 *   node dist/test/bench/run.js --transfer-only  only the transfer benchmark (median of 3 AXFRs of the
 *                                             1,000,000-host zone; with --quick 1 AXFR of a 100,000-host zone;
 *                                             with --secondary-only only Tyne as a secondary: AXFR in, then a
 *                                             one-record IXFR, a UDP prober at the secondary throughout)
 *   node dist/test/bench/run.js --propagation-only  only the propagation benchmark (20 edits each of a
 *                                             100-record and a 100,000-record zone; with --quick 5 edits,
 *                                             10,000 records)
 *   node dist/test/bench/run.js --cache-only  only the cache attack benchmark (issue 12 item 1)
 *   node dist/test/bench/run.js --transfers-out-only  only UDP latency while 10 AXFRs go out at once (and an 11th is refused)
 *   node dist/test/bench/run.js --reload-only  only the reload benchmark (a UDP prober of a small zone while the
 *                                             1,000,000-host zone is reloaded, then while a $GENERATE over the
 *                                             memory budget is abandoned; with --quick 100,000 hosts)
 *   node dist/test/bench/run.js --notify-only  only the NOTIFY flood at a secondary (10 s; with --quick 2 s)
 *   node dist/test/bench/run.js --rrl-only    only the rate-limit benchmark (amplification with and without RRL,
 *                                             and the limiter's qps cost; with --quick 1 round of 2 s)
 *   node dist/test/bench/run.js --cookie-only  only the DNS COOKIE cost (in process and through dnsperf)
 *   node dist/test/bench/run.js --metrics-only  only the metrics cost: qps with metrics off and on, both servers up, rounds alternating (issue 15 §3)
 *   node dist/test/bench/run.js --small-zones-only  only the small-zones benchmark: start-up time and memory of
 *                                             Tyne ns1 (zone directory), Tyne ns2 (first transfer, then saved
 *                                             copies), NSD and Knot with 1, 1,000 and 10,000 six-record zones
 *                                             (with --quick 1, 100, 1,000), then the provisioning part at the largest
 *   node dist/test/bench/run.js --provisioning-only  only the provisioning part (issue 14 §5): Tyne ns1 (zone
 *                                             directory, generated catalog) and ns2 (the catalog alone) with
 *                                             10,000 zones (--quick 1,000): edits, drops, a burst of 1,000 new
 *                                             files (--quick 200), and BIND and Knot as catalog consumers
 *   node dist/test/bench/run.js --zone-image-only  only the zone image benchmark (issue 16 §3: zoneImage, image octets,
 *                                             lookups, a worker's heap; 100,000 and 1,000,000 hosts, --quick 20,000;
 *                                             with node --expose-gc for heap figures after a full GC)
 *   npm run bench -- --serve-only --quick     the same through npm (builds first)
 */
import { runCacheAttackBench } from './cache-attack-bench.js';
import { runNotifyFloodBench } from './notify-flood-bench.js';
import { runMetricsBench } from './metrics-bench.js';
import { runCookieBench } from './cookie-bench.js';
import { runPropagationBench } from './propagation-bench.js';
import { runProvisioningBench } from './provisioning-bench.js';
import { runReloadBench } from './reload-bench.js';
import { runRateLimitBench } from './rate-limit-bench.js';
import { runServeBench } from './serve-bench.js';
import { runSmallZonesBench } from './small-zones-bench.js';
import { runTransferBench } from './transfer-bench.js';
import { runTransfersOutBench } from './transfers-out-bench.js';
import { runZoneBench } from './zone-bench.js';
import { runZoneImageBench } from './zone-image-bench.js';
import { BASE_DECODE, BASE_ENCODE, FULL, QUICK, SCENARIO, measure, prepare, sinkValue, wireCases } from './wire-bench.js';

const quick = process.argv.includes('--quick');
const opts = quick ? QUICK : FULL;

/** Each benchmark and its `--<name>-only` flag, in the order a whole run takes them. */
const BENCHES: [flag: string, run: () => void | Promise<void>][] = [
  ['--wire-only', () => runWireBench()],
  ['--zone-only', () => runZoneBench(quick)],
  ['--zone-image-only', () => runZoneImageBench(quick)],
  ['--serve-only', () => runServeBench(quick)],
  ['--transfer-only', () => runTransferBench(quick, process.argv.includes('--secondary-only'))],
  ['--propagation-only', () => runPropagationBench(quick)],
  ['--cache-only', () => runCacheAttackBench(quick)],
  ['--transfers-out-only', () => runTransfersOutBench(quick)],
  ['--reload-only', () => runReloadBench(quick)],
  ['--notify-only', () => runNotifyFloodBench(quick)],
  ['--rrl-only', () => runRateLimitBench(quick)],
  ['--cookie-only', () => runCookieBench(quick)],
  ['--metrics-only', () => runMetricsBench(quick)],
  ['--small-zones-only', () => runSmallZonesBench(quick)],
  ['--provisioning-only', () => runProvisioningBench(quick)],
];
const chosen = BENCHES.filter(([flag]) => process.argv.includes(flag));
// A whole run has the provisioning part once, at the end of the small-zones one.
const all = BENCHES.filter(([flag]) => flag !== '--provisioning-only');
let first = true;
for (const [, run] of chosen.length > 0 ? chosen : all) {
  if (!first) console.log('');
  first = false;
  await run();
}

function runWireBench(): void {
  const fixture = prepare();
  console.log(SCENARIO.join('\n'));
  console.log(
    `  ${fixture.compressed.length} octets compressed, ${fixture.uncompressed.length} uncompressed ` +
      `(dns-packet, which never compresses, writes the same ${fixture.theirs.length} octets)`,
  );
  console.log(
    `node ${process.version}; per case ${opts.warmupMs} ms warm-up, then ${opts.runs} runs x ${opts.runMs} ms, interleaved; ` +
      `median ops/s${quick ? ' (--quick: rough numbers only)' : ''}`,
  );
  console.log('');

  const results = measure(wireCases(fixture), opts);
  const median = (label: string): number => results.get(label)!.median;
  const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
  const x = (n: number): string => `${n.toFixed(1)}x`;

  const rows: string[][] = [['case', 'median ops/s', 'runs (ops/s)', `vs dns-packet`]];
  for (const [label, t] of results) {
    const base = label.startsWith('encode') ? BASE_ENCODE : BASE_DECODE;
    rows.push([label, fmt(t.median), t.runs.map(fmt).join(' / '), x(t.median / median(base))]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) console.log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '));
  console.log(`(ratios against '${BASE_ENCODE}' and '${BASE_DECODE}')`);
  console.log('');
  const on = median('encode tyne (compression on)');
  const strict = on / median(BASE_ENCODE);
  const usual = on / median('encode dns-packet (allocating)');
  console.log(
    `encode with compression: ${x(strict)} dns-packet writing into a caller buffer, ${x(usual)} dns-packet allocating; ` +
      `goal 10x ${strict >= 10 ? 'met' : usual >= 10 ? 'met only against the allocating call' : 'NOT met'}`,
  );
  if (sinkValue() === 0.5) console.log(''); // never true; keeps the timed results observable
}
