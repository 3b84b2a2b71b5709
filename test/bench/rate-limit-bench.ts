/**
 * Response rate limiting (issue 12 item 6), two numbers, each against a
 * control measured in the same run:
 *  - amplification: 20,000 identical DNSKEY+DO queries from one source at
 *    udp-payload 4096, octets back / octets sent, with `rate-limit: false`
 *    and with the default limit (200/s) with loopback not exempt;
 *  - the limiter's cost: dnsperf qps with `rate-limit: false` against
 *    `rate-limit: { responses-per-second: 1000000, exempt: [] }` (every
 *    answer goes through the table, none is limited) and against the
 *    default (loopback exempt), rounds interleaved; ratios printed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RRType } from '../../src/wire/index.js';
import { buildQuery } from '../support/dns-client.js';
import { freePort } from '../support/ports.js';
import { tyneYaml, zoneText } from '../support/tyne-config.js';
import { startTyne } from '../support/tyne-process.js';
import { udpFlood } from '../support/udp-amplification.js';
import { dnsperfQps, median, neededToolVersion } from './bench-servers.js';

const HOSTS = 1000;

async function withTyne<T>(dir: string, label: string, rateLimit: string, f: (port: number) => Promise<T>): Promise<T> {
  const port = await freePort();
  const conf = join(dir, `${label}.yaml`);
  writeFileSync(conf, tyneYaml({ listen: [`127.0.0.1:${port}`], server: ['udp-payload: 4096', `rate-limit: ${rateLimit}`], primaries: [{ name: 'example.com', file: 'example.com.zone' }] }));
  const tyne = await startTyne(conf);
  try {
    return await f(port);
  } finally {
    await tyne.stop();
  }
}

export async function runRateLimitBench(quick: boolean): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tyne-rrl-bench-'));
  try {
    const keys = [0, 1, 2, 3].map((i) => `@ DNSKEY ${i === 0 ? 257 : 256} 3 8 ${Buffer.alloc(256, i + 1).toString('base64')}`);
    writeFileSync(join(dir, 'example.com.zone'), zoneText('example.com', 1, { hosts: HOSTS, extra: keys }));
    console.log('Rate-limit benchmark (issue 12 item 6): tyne on 127.0.0.1, udp-payload 4096; each figure against a control from the same run');

    // Amplification.
    const query = buildQuery({ id: 1, name: 'example.com', type: RRType.DNSKEY, edns: { udpPayload: 4096, do: true } });
    const count = 20_000;
    const amp: Record<string, Awaited<ReturnType<typeof udpFlood>>> = {};
    for (const [label, rl] of [['off', 'false'], ['on', '{ exempt: [] }']] as const) {
      amp[label] = await withTyne(dir, `amp-${label}`, rl, (port) => udpFlood({ port, query, count, burst: 20 }));
    }
    const off = amp.off!;
    const on = amp.on!;
    console.log(`amplification, ${count.toLocaleString('en-US')} DNSKEY+DO queries from one source (${query.length} octets each):`);
    console.log(`  rate-limit: false             x${off.amplification.toFixed(2)}  (${off.received} answers, ${off.truncated} TC)`);
    console.log(`  rate-limit: { exempt: [] }    x${on.amplification.toFixed(3)}  (${on.received - on.truncated} full answers, ${on.truncated} TC; default 200/s, slip 2)`);
    console.log(`  ratio on/off                  ${(on.amplification / off.amplification).toFixed(4)}`);

    // The limiter's cost per query.
    const dnsperf = neededToolVersion('dnsperf', 'limiter cost');
    if (dnsperf === null) return;
    const queryPath = join(dir, 'queries.txt');
    const lines: string[] = [];
    for (let i = 0; i < 10_000; i++) lines.push(i % 10 === 9 ? `nohost${i}.example.com A` : `h${(i * 7919) % HOSTS}.example.com A`);
    writeFileSync(queryPath, lines.join('\n') + '\n');
    const seconds = quick ? 2 : 5;
    const rounds = quick ? 1 : 3;
    const configs = [
      ['rate-limit: false', 'false'],
      ['limiter on every answer (exempt: [], 1M/s)', '{ responses-per-second: 1000000, exempt: [] }'],
      ['default (on, loopback exempt)', 'true'],
    ] as const;
    const qps = new Map<string, number[]>(configs.map(([l]) => [l, []]));
    for (let r = 0; r < rounds; r++) {
      for (const [label, rl] of configs) {
        const q = await withTyne(dir, `qps-${r}`, rl, async (port) => {
          await dnsperfQps(port, queryPath, 1); // warm-up
          return dnsperfQps(port, queryPath, seconds);
        });
        qps.get(label)!.push(q);
      }
    }
    const control = median(qps.get(configs[0][0])!);
    console.log(`limiter cost: dnsperf ${dnsperf}, 90 % A / 10 % NXDOMAIN, ${rounds} round(s) x ${seconds} s per config, interleaved, median qps:`);
    for (const [label] of configs) {
      const m = median(qps.get(label)!);
      console.log(`  ${label.padEnd(44)} ${Math.round(m).toLocaleString('en-US').padStart(8)} qps  ratio ${(m / control).toFixed(3)}  (rounds: ${qps.get(label)!.map((x) => Math.round(x)).join(', ')})`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
