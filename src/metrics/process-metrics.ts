/**
 * The process metrics under their standard names (the Prometheus client
 * libraries' "process_*", prometheus.io "Writing client libraries":
 * process_cpu_seconds_total, process_resident_memory_bytes,
 * process_virtual_memory_bytes, process_heap_bytes,
 * process_start_time_seconds, process_open_fds, process_max_fds), and the
 * event loop's delay. On Linux the sizes and descriptors come from
 * /proc/self; where a file cannot be read its series is left out.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { MetricsText } from './metrics-text.js';

/** When the process started, epoch seconds. */
const START_SECONDS = Math.round(Date.now() / 1000 - process.uptime());

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** A `Vm...:  1234 kB` line of /proc/self/status, in octets. */
function statusBytes(status: string | null, key: string): number | null {
  const m = status === null ? null : new RegExp(`^${key}:\\s+(\\d+) kB$`, 'm').exec(status);
  return m === null ? null : Number(m[1]) * 1024;
}

function openFds(): number | null {
  try {
    // The listing's own descriptor is in it.
    return readdirSync('/proc/self/fd').length - 1;
  } catch {
    return null;
  }
}

function maxFds(): number | null {
  const m = /^Max open files\s+(\d+)/m.exec(readText('/proc/self/limits') ?? '');
  return m === null ? null : Number(m[1]);
}

/** The process series, and the event loop's delay since the previous scrape. */
export class ProcessMetrics {
  /** The event loop's delay, sampled every 10 ms by libuv (no JavaScript runs for it). */
  readonly #delay: IntervalHistogram;

  constructor() {
    this.#delay = monitorEventLoopDelay({ resolution: 10 });
    this.#delay.enable();
  }

  write(m: MetricsText): void {
    const cpu = process.cpuUsage();
    m.family('process_cpu_seconds_total', 'counter', 'Total user and system CPU time spent in seconds.')
      .sample('process_cpu_seconds_total', (cpu.user + cpu.system) / 1e6);
    m.family('process_resident_memory_bytes', 'gauge', 'Resident memory size in bytes.').sample('process_resident_memory_bytes', process.memoryUsage.rss());
    const status = readText('/proc/self/status');
    const vm = statusBytes(status, 'VmSize');
    if (vm !== null) m.family('process_virtual_memory_bytes', 'gauge', 'Virtual memory size in bytes.').sample('process_virtual_memory_bytes', vm);
    const data = statusBytes(status, 'VmData');
    if (data !== null) m.family('process_heap_bytes', 'gauge', 'Process heap size in bytes.').sample('process_heap_bytes', data);
    m.family('process_start_time_seconds', 'gauge', 'Start time of the process since unix epoch in seconds.').sample('process_start_time_seconds', START_SECONDS);
    const open = openFds();
    if (open !== null) m.family('process_open_fds', 'gauge', 'Number of open file descriptors.').sample('process_open_fds', open);
    const max = maxFds();
    if (max !== null) m.family('process_max_fds', 'gauge', 'Maximum number of open file descriptors.').sample('process_max_fds', max);
    const heap = process.memoryUsage();
    m.family('nodejs_heap_size_used_bytes', 'gauge', 'V8 heap in use in bytes.').sample('nodejs_heap_size_used_bytes', heap.heapUsed);
    m.family('nodejs_heap_size_total_bytes', 'gauge', 'V8 heap size in bytes.').sample('nodejs_heap_size_total_bytes', heap.heapTotal);
    // Since the previous scrape (each scrape starts a new window), as the monitor measures it (over 10 ms ticks).
    const d = this.#delay;
    const seconds = (ns: number): number => (Number.isFinite(ns) && d.count > 0 ? Math.max(0, ns - 10e6) / 1e9 : 0);
    m.family('nodejs_eventloop_lag_p99_seconds', 'gauge', 'The 99th percentile of the event loop delay since the previous scrape, in seconds.').sample('nodejs_eventloop_lag_p99_seconds', seconds(d.percentile(99)));
    m.family('nodejs_eventloop_lag_max_seconds', 'gauge', 'The largest event loop delay since the previous scrape, in seconds.').sample('nodejs_eventloop_lag_max_seconds', seconds(d.max));
    d.reset();
  }

  stop(): void {
    this.#delay.disable();
  }
}
