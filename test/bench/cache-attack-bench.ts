/**
 * The prepared-answer cache under the attacks of issue 12 item 1, against
 * one `tyne serve` (default answer-cache-size, and 8M): the qps of a normal
 * mix (existing hosts A/AAAA, www A through a CNAME, 5 % NXDOMAIN) measured
 * first as the control, then after many TYPEn questions at a CNAME owner and
 * a delegation point, then after many cacheable questions (some padded with
 * 60 KB EDNS options); the ratios to the control, the server's CPU per query
 * and its RSS. Load from one UDP socket (test/support/udp-flood.ts), so the
 * figures are this client's ceiling, comparable only within one run; each
 * window's qps and CPU per query are the medians of three runs.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildQuery } from '../support/dns-client.js';
import { freePort } from '../support/ports.js';
import { tyneYaml } from '../support/tyne-config.js';
import { startTyne } from '../support/tyne-process.js';
import { floodUdp, processCpuSeconds, processRssBytes } from '../support/udp-flood.js';

const HOSTS = 20_000;

function zone(): string {
  const lines = [
    '$ORIGIN example.com.', '$TTL 300', '@ SOA ns1 hostmaster 1 7200 3600 1209600 300', '@ NS ns1', 'ns1 A 192.0.2.53',
    'www CNAME web', 'web A 192.0.2.80', 'web AAAA 2001:db8::80', 'sub NS ns.sub', 'ns.sub A 192.0.2.99',
  ];
  for (let i = 0; i < HOSTS; i++) lines.push(`h${i} A 198.51.${(i >> 8) & 0xff}.${i & 0xff}`, `h${i} AAAA 2001:db8:1::${i.toString(16)}`, `h${i} TXT "host ${i}"`);
  return lines.join('\n') + '\n';
}

const q = (name: string, type: number, opts: { do?: boolean; pad?: number } = {}): Uint8Array =>
  buildQuery({ id: 1, name, type, edns: { udpPayload: 1232, do: opts.do ?? false, options: opts.pad ? [{ code: 65001, data: new Uint8Array(opts.pad) }] : [] } });

/** The normal mix: 1,000 hot hosts A/AAAA, www A (CNAME), 5 % NXDOMAIN. */
const MIX = Array.from({ length: 2000 }, (_, i) =>
  i % 20 === 0 ? q(`nx${i}.example.com`, 1) : i % 10 === 1 ? q('www.example.com', 1) : q(`h${i % 1000}.example.com`, i % 2 === 0 ? 1 : 28));

export async function runCacheAttackBench(quick: boolean): Promise<void> {
  const scale = quick ? 0.2 : 1;
  const n = (x: number): number => Math.round(x * scale);
  console.log(`Cache attack benchmark (issue 12 item 1): ${HOSTS.toLocaleString('en-US')} hosts, one UDP client socket, window 64${quick ? ' (--quick)' : ''}`);
  for (const size of ['256M', '8M']) {
    const dir = mkdtempSync(join(tmpdir(), 'tyne-cache-bench-'));
    const port = await freePort();
    writeFileSync(join(dir, 'example.com.zone'), zone());
    const cfg = join(dir, 'tyne.yaml');
    writeFileSync(cfg, tyneYaml({ listen: [`127.0.0.1:${port}`], server: [`answer-cache-size: ${size}`], primaries: [{ name: 'example.com', file: 'example.com.zone' }] }));
    const tyne = await startTyne(cfg, { timeoutMs: 60_000 });
    const pid = tyne.child.pid!;
    try {
      const once = async (): Promise<{ qps: number; cpuUs: number }> => {
        const c0 = processCpuSeconds(pid);
        const r = await floodUdp(port, (i) => MIX[i % MIX.length]!, { count: n(100_000), window: 64 });
        return { qps: (r.received / r.ms) * 1000, cpuUs: ((processCpuSeconds(pid) - c0) / Math.max(1, r.received)) * 1e6 };
      };
      // One window is about 1.5 s, with the client on the same 2 cores: the median of three, for qps and for CPU apart.
      const mix = async (): Promise<{ qps: number; cpuUs: number }> => {
        const runs = [await once(), await once(), await once()];
        const median = (xs: number[]): number => xs.sort((a, b) => a - b)[1]!;
        return { qps: median(runs.map((r) => r.qps)), cpuUs: median(runs.map((r) => r.cpuUs)) };
      };
      await once(); // warm
      const control = await mix();
      const row = (label: string, m: { qps: number; cpuUs: number }): void =>
        console.log(
          `  ${size.padEnd(5)} ${label.padEnd(44)} ${Math.round(m.qps).toLocaleString('en-US').padStart(7)} qps  ×${(m.qps / control.qps).toFixed(2)}  ` +
            `CPU ${m.cpuUs.toFixed(1)} µs/query ×${(m.cpuUs / control.cpuUs).toFixed(2)}  RSS ${(processRssBytes(pid) / 1048576).toFixed(0)} MiB`,
        );
      row('normal mix (control)', control);
      await floodUdp(port, (i) => (i % 2 === 0 ? q('www.example.com', 1000 + i, { do: (i & 2) !== 0 }) : q('sub.example.com', 1000 + i)), { count: n(60_000), window: 64 });
      row(`after ${n(60_000).toLocaleString('en-US')} TYPEn at a CNAME owner and a cut`, await mix());
      await floodUdp(port, (i) => q(`h${i % HOSTS}.example.com`, 1, { pad: 60_000 }), { count: n(5_000), window: 8 });
      const types = [1, 28, 16, 15];
      await floodUdp(port, (i) => q(`h${i % HOSTS}.example.com`, types[Math.floor(i / HOSTS) % 4]!, { do: i >= 4 * HOSTS }), { count: n(8 * HOSTS), window: 64 });
      row(`after ${n(5_000 + 8 * HOSTS).toLocaleString('en-US')} cacheable (some padded to 60 KB)`, await mix());
    } finally {
      await tyne.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
