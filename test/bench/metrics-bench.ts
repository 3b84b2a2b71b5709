/**
 * The metrics endpoint's cost on the query path (issue 15 §3; goal: at most
 * 3 % apart): two `tyne serve` processes with the same zone, one with
 * `metrics:` off and one with it on (counting every query), both running
 * the whole time, loaded one at a time by the same dnsperf run (`-c 4
 * -q 200`, 95 % existing hosts, 5 % NXDOMAIN) in 7 alternating rounds (off,
 * on, on, off, off, on, ...: each ordering as often), median qps of each
 * and their ratio. The server with metrics is scraped at the end: what it
 * counted must be every query dnsperf sent it, so the figure is that of
 * counting, not of a server that counted nothing.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { httpGet, metricSamples } from '../support/metrics-scrape.js';
import { freePort } from '../support/ports.js';
import { tyneYaml, zoneText } from '../support/tyne-config.js';
import { startTyne, type TyneProcess } from '../support/tyne-process.js';
import { dnsperfQps, median, neededToolVersion } from './bench-servers.js';

const HOSTS = 10_000;

export async function runMetricsBench(quick: boolean): Promise<void> {
  const dnsperf = neededToolVersion('dnsperf', 'metrics cost');
  if (dnsperf === null) return;
  const dir = mkdtempSync(join(tmpdir(), 'tyne-metrics-bench-'));
  const procs: TyneProcess[] = [];
  try {
    writeFileSync(join(dir, 'example.com.zone'), zoneText('example.com', 1, { hosts: HOSTS }));
    const queryPath = join(dir, 'queries.txt');
    const lines: string[] = [];
    for (let i = 0; i < 20_000; i++) lines.push(i % 20 === 19 ? `nohost${i}.example.com A` : `h${(i * 7919) % HOSTS}.example.com A`);
    writeFileSync(queryPath, lines.join('\n') + '\n');
    const mport = await freePort();
    const servers: { label: string; port: number }[] = [];
    for (const [label, metrics] of [['metrics off', undefined], ['metrics on', [`listen: 127.0.0.1:${mport}`]]] as const) {
      const port = await freePort();
      const conf = join(dir, `${label.replace(' ', '-')}.yaml`);
      writeFileSync(conf, tyneYaml({ listen: [`127.0.0.1:${port}`], server: ['watch: false'], control: false, ...(metrics === undefined ? {} : { metrics: [...metrics] }), primaries: [{ name: 'example.com', file: 'example.com.zone' }] }));
      procs.push(await startTyne(conf));
      servers.push({ label, port });
    }
    const seconds = quick ? 2 : 5;
    const rounds = quick ? 2 : 7;
    console.log(`Metrics cost (issue 15 §3; goal: within 3 %): dnsperf ${dnsperf}, ${HOSTS.toLocaleString('en-US')} hosts, 95 % A / 5 % NXDOMAIN, both servers up throughout, ${rounds} round(s) x ${seconds} s each, alternating`);
    for (const s of servers) await dnsperfQps(s.port, queryPath, quick ? 1 : 5); // warm-up: both JIT-compiled and their heaps grown before the first round
    const qps = new Map<string, number[]>(servers.map((s) => [s.label, []]));
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? servers : [...servers].reverse();
      for (const s of order) qps.get(s.label)!.push(await dnsperfQps(s.port, queryPath, seconds));
    }
    const off = median(qps.get('metrics off')!);
    for (const s of servers) {
      const m = median(qps.get(s.label)!);
      console.log(`  ${s.label.padEnd(12)} ${Math.round(m).toLocaleString('en-US').padStart(8)} qps  ratio ${(m / off).toFixed(3)}  (rounds: ${qps.get(s.label)!.map((x) => Math.round(x)).join(', ')})`);
    }
    const page = metricSamples((await httpGet(mport, '/metrics')).body);
    let counted = 0;
    for (const [k, v] of page) if (k.startsWith('tyne_dns_requests_total{')) counted += v;
    const histogramCount = page.get('tyne_dns_request_duration_seconds_count') ?? 0;
    // Each round runs both servers back to back, so the ratio within a round cancels the machine's drift between rounds.
    const on = qps.get('metrics on')!;
    const offs = qps.get('metrics off')!;
    const paired = on.map((x, i) => x / offs[i]!);
    console.log(`  the server with metrics counted ${Math.round(counted).toLocaleString('en-US')} requests (histogram count ${Math.round(histogramCount).toLocaleString('en-US')}); on/off ${(median(on) / off).toFixed(3)}, median of the rounds' on/off ${median(paired).toFixed(3)} (${paired.map((x) => x.toFixed(3)).join(', ')})`);
  } finally {
    await Promise.allSettled(procs.map((p) => p.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
}
