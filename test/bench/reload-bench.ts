/**
 * The reload benchmark (issue 12 item 2): how much a reload of a big zone
 * costs the other zones. Tyne serves a 5-record zone and the benchmark
 * zone (1,000,000 hosts, 1,333,339 records; --quick: 100,000 hosts); a UDP
 * prober asks the small zone once a millisecond, first for a control
 * window with nothing happening (same run, same machine load), then while
 * the big zone's file is rewritten with one record changed and reloaded
 * (until its "zone reloaded" line), and then while a `$GENERATE
 * 1-3900000` version of the big zone (under max-records, 4,000,000; about
 * 870 MiB estimated) is abandoned by the memory budget
 * (`zone-memory-budget`, set here to 512 MiB) — the old version keeps
 * serving. The probe's p50/p99/max and its longest time without any
 * answer are the figures (the longest gap is the longest main-thread
 * stall seen from outside); ratios are against the control window. Then
 * the same reload with `threads: 2`, probed on each thread's socket
 * (reloadWithThreads).
 */
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { freePort } from '../support/ports.js';
import { tyneYaml, zoneText } from '../support/tyne-config.js';
import { startTyne, type TyneProcess } from '../support/tyne-process.js';
import { probersByThread } from '../support/thread-probers.js';
import { UdpProber, type ProbeStats } from '../support/udp-prober.js';
import { sleep } from '../support/wait.js';
import { BENCH_ORIGIN, writeBenchZone } from './zone-generator.js';

const CONTROL_MS = 2_000;
const RELOAD_TIMEOUT_MS = 300_000;

const HEADER = `  ${'window'.padEnd(34)} ${'sent'.padStart(7)} ${'lost'.padStart(5)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'max ms'.padStart(8)} ${'gap ms'.padStart(8)}`;

/** A control window of CONTROL_MS, then `edited` renamed over `big` and its reload (or its failure) waited for. */
async function controlThenReload(tyne: TyneProcess, edited: string, big: string): Promise<{ t0: number; t1: number; t2: number; reloaded: ReturnType<TyneProcess['since']>[number] | undefined }> {
  const t0 = performance.now();
  await sleep(CONTROL_MS);
  const t1 = performance.now();
  const mark = tyne.mark();
  renameSync(edited, big);
  await tyne.waitAfter(mark, (l) => l.msg === 'zone reloaded' || l.msg === 'zone not reloaded; still serving the previous version', RELOAD_TIMEOUT_MS);
  return { t0, t1, t2: performance.now(), reloaded: tyne.since(mark, (l) => l.msg === 'zone reloaded')[0] };
}

function row(label: string, s: ProbeStats, control: ProbeStats | null): string {
  const f = (n: number): string => n.toFixed(2).padStart(8);
  const x = (a: number, b: number): string => (b > 0 ? `${(a / b).toFixed(1)}x` : '-');
  const ratios = control === null ? '' : `   p99 ${x(s.p99, control.p99)}, longest gap ${x(s.longestGapMs, control.longestGapMs)} of the control`;
  return `  ${label.padEnd(34)} ${String(s.sent).padStart(7)} ${String(s.lost).padStart(5)} ${f(s.p50)} ${f(s.p99)} ${f(s.max)} ${f(s.longestGapMs)}${ratios}`;
}

/**
 * The same reload with `threads: 2` (issue 16 §3): the main thread answers
 * UDP as thread 0 and does the reload's work (the zone built in slices, its
 * image written ahead in slices, the publish), so a prober on its socket
 * sees what the main thread's share of the clients waits; a prober on the
 * worker's socket sees the other share. One prober per thread
 * (probersByThread), both at once.
 */
async function reloadWithThreads(dir: string, hosts: number): Promise<void> {
  const big = join(dir, 'bench.zone');
  writeBenchZone(big, hosts);
  const edited = `${big}.new`;
  writeBenchZone(edited, hosts, { serial: 2026112602, host0Address: '10.99.0.0' });
  const port = await freePort();
  const metricsPort = await freePort();
  writeFileSync(
    join(dir, 'threads.yaml'),
    tyneYaml({
      listen: [`127.0.0.1:${port}`],
      server: ['threads: 2', 'watch-settle: 50ms', 'watch-hold: 0s'],
      metrics: [`listen: 127.0.0.1:${metricsPort}`],
      primaries: [
        { name: 'small.example', file: 'small.zone', extra: ['serial-policy: file'] },
        { name: BENCH_ORIGIN.replace(/\.$/, ''), file: 'bench.zone', extra: ['serial-policy: file'] },
      ],
    }),
  );
  console.log(`reload with threads: 2 (the main thread answers as thread 0 and does the reload): one prober on each thread's socket, at once`);
  const tyne = await startTyne(join(dir, 'threads.yaml'), { timeoutMs: RELOAD_TIMEOUT_MS });
  let probers: UdpProber[] = [];
  try {
    probers = await probersByThread({ port, metricsPort, name: 'h0.small.example.', threads: 2 });
    for (const p of probers) p.start();
    const { t0, t1, t2, reloaded } = await controlThenReload(tyne, edited, big);
    await Promise.all(probers.map((p) => p.stop()));
    console.log(HEADER);
    probers.forEach((p, t) => {
      const who = t === 0 ? 'main thread' : `worker ${t}`;
      const control = p.stats(t0, t1);
      console.log(row(`${who}: control`, control, null));
      console.log(row(`${who}: reload (${reloaded === undefined ? 'NOT reloaded' : `${String(reloaded.ms)} ms`})`, p.stats(t1, t2), control));
    });
  } finally {
    for (const p of probers) p.close();
    const code = await tyne.stop();
    if (code !== 0) console.log(`  WARNING: tyne exited with code ${code}`);
  }
}

export async function runReloadBench(quick: boolean): Promise<void> {
  const hosts = quick ? 100_000 : 1_000_000;
  const dir = mkdtempSync(join(tmpdir(), 'tyne-reload-bench-'));
  let tyne: TyneProcess | undefined;
  let prober: UdpProber | undefined;
  try {
    const big = join(dir, 'bench.zone');
    const records = writeBenchZone(big, hosts);
    writeFileSync(join(dir, 'small.zone'), zoneText('small.example.', 1, { hosts: 1 }));
    const port = await freePort();
    writeFileSync(
      join(dir, 'tyne.yaml'),
      tyneYaml({
        listen: [`127.0.0.1:${port}`],
        server: ['watch-settle: 50ms', 'watch-hold: 0s', 'zone-memory-budget: 512M'],
        primaries: [
          { name: 'small.example', file: 'small.zone', extra: ['serial-policy: file'] },
          { name: BENCH_ORIGIN.replace(/\.$/, ''), file: 'bench.zone', extra: ['serial-policy: file'] },
        ],
      }),
    );
    console.log(`reload: a ${records.toLocaleString('en-US')}-record zone reloaded while a UDP prober asks another zone once a ms (127.0.0.1)`);
    tyne = await startTyne(join(dir, 'tyne.yaml'), { timeoutMs: RELOAD_TIMEOUT_MS });
    // One record changed, the serial raised: a real edit, the whole file new. Written beside it before the
    // prober starts, in chunks, and renamed into place (as many editors save): reading and rewriting 60 MB
    // as one string here would stall this process, which is the prober's, for about 400 ms (and its garbage
    // later), and that stall would be counted as the server's.
    const edited = `${big}.new`;
    writeBenchZone(edited, hosts, { serial: 2026112602, host0Address: '10.99.0.0' });
    prober = await UdpProber.open({ port, name: 'h0.small.example.' });
    prober.start();
    const { t0, t1, t2, reloaded } = await controlThenReload(tyne, edited, big);
    // Over the budget: abandoned, the previous version keeps serving.
    const mark = tyne.mark();
    // Renamed into place too: the watch must not see the file empty, between its truncation and its write.
    writeFileSync(edited, `$ORIGIN ${BENCH_ORIGIN}\n$TTL 300\n@ SOA ns1 hostmaster 2026112603 3600 900 604800 300\n@ NS ns1\nns1 A 192.0.2.1\n$GENERATE 1-3900000 g$ A 10.0.0.1\n`);
    renameSync(edited, big);
    await tyne.waitAfter(mark, (l) => l.msg === 'zone not reloaded; still serving the previous version' || l.msg === 'zone reloaded', RELOAD_TIMEOUT_MS);
    const t3 = performance.now();
    const abandoned = tyne.since(mark, (l) => l.msg === 'zone not reloaded; still serving the previous version')[0];
    // The code of the error that stopped it: ZONE_MEMORY_BUDGET (on the line's err), or a zone file error's (on the line).
    const codeOf = (l: Record<string, unknown>): unknown => (l.err as { code?: unknown } | undefined)?.code ?? l.code;
    const why = codeOf(abandoned ?? {}) ?? tyne.since(mark, (l) => typeof codeOf(l) === 'string').map(codeOf)[0];
    await prober.stop();
    const control = prober.stats(t0, t1);
    console.log(HEADER);
    console.log(row('control (nothing happening)', control, null));
    console.log(row(`reload (${reloaded === undefined ? 'NOT reloaded' : `${String(reloaded.ms)} ms`})`, prober.stats(t1, t2), control));
    console.log(row(`$GENERATE over budget (${abandoned === undefined ? 'NOT abandoned' : `${Math.round(t3 - t2)} ms, ${String(why)}`})`, prober.stats(t2, t3), control));
    console.log(`  (gap: longest time without any answer; the prober's own longest send gap was ${prober.stats().longestSendGapMs.toFixed(1)} ms)`);
    const code = await tyne.stop();
    tyne = undefined;
    if (code !== 0) console.log(`  WARNING: tyne exited with code ${code}`);
    prober.close();
    prober = undefined;
    await reloadWithThreads(dir, hosts);
  } finally {
    if (prober !== undefined) {
      await prober.stop(0);
      prober.close();
    }
    await tyne?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
