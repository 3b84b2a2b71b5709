/**
 * Issue 12 item 1 against a real `tyne serve`: the prepared-answer cache is
 * no CPU or memory weapon. (1) Thousands of TYPEn questions at a CNAME owner
 * and at a delegation point leave the cost of `www A` where it was (the old
 * cache walked one list per name on every lookup). (2) Tens of thousands of
 * cacheable questions, some padded with 30 KB EDNS options, grow the
 * server's resident memory by no more than `answer-cache-size` (8M here)
 * over a control server with the cache off that got the same questions in
 * the same run, and the cache still answers. CPU costs are compared within
 * the run too: server CPU per query, before and after the attack.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RRType, Rcode, decodeMessage } from '../../src/wire/index.js';
import { buildQuery, queryUdp } from '../support/dns-client.js';
import { freePort } from '../support/ports.js';
import { tyneYaml } from '../support/tyne-config.js';
import { startTyne, type TyneProcess } from '../support/tyne-process.js';
import { floodUdp, processCpuSeconds, processRssBytes, type FloodResult } from '../support/udp-flood.js';

const HOSTS = 3000;
const CACHE = 8 * 1024 * 1024;

function zone(): string {
  const lines = [
    '$ORIGIN example.com.', '$TTL 300', '@ SOA ns1 hostmaster 1 7200 3600 1209600 300', '@ NS ns1', 'ns1 A 192.0.2.53',
    'www CNAME web', 'web A 192.0.2.80', 'web AAAA 2001:db8::80', 'out CNAME www.example.net.',
    'sub NS ns.sub', 'ns.sub A 192.0.2.99',
  ];
  for (let i = 0; i < HOSTS; i++) lines.push(`h${i} A 198.51.${(i >> 8) & 0xff}.${i & 0xff}`, `h${i} AAAA 2001:db8:1::${i.toString(16)}`, `h${i} TXT "host ${i}" ${`"${'t'.repeat(240)}" `.repeat(4)}`);
  return lines.join('\n') + '\n';
}

const q = (name: string, type: number, opts: { do?: boolean; pad?: number } = {}): Uint8Array =>
  buildQuery({ id: 1, name, type, edns: { udpPayload: 1232, do: opts.do ?? false, options: opts.pad ? [{ code: 65001, data: new Uint8Array(opts.pad) }] : [] } });

describe('answer cache under attack (issue 12 item 1)', { timeout: 90_000 }, () => {
  let dir: string;
  let tyne: TyneProcess;
  let port: number;
  let pid: number;
  /** The same zone with answer-cache-size: 0, the control for memory. */
  let control: TyneProcess;
  let controlPort: number;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tyne-cache-attack-'));
    port = await freePort();
    writeFileSync(join(dir, 'example.com.zone'), zone());
    const start = async (name: string, p: number, size: string): Promise<TyneProcess> => {
      const cfg = join(dir, name);
      writeFileSync(cfg, tyneYaml({ listen: [`127.0.0.1:${p}`], server: [`answer-cache-size: ${size}`], primaries: [{ name: 'example.com', file: 'example.com.zone' }] }));
      return startTyne(cfg, { timeoutMs: 30_000 });
    };
    tyne = await start('tyne.yaml', port, '8M');
    pid = tyne.child.pid!;
    controlPort = await freePort();
    control = await start('control.yaml', controlPort, '0');
  });

  after(async () => {
    await tyne?.stop();
    await control?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Server CPU seconds per query for `count` queries of `query`, and the flood's figures. */
  async function cost(count: number, query: (i: number) => Uint8Array): Promise<{ cpuPerQuery: number; flood: FloodResult }> {
    const c0 = processCpuSeconds(pid);
    const flood = await floodUdp(port, query, { count, window: 64 });
    return { cpuPerQuery: (processCpuSeconds(pid) - c0) / Math.max(1, flood.received), flood };
  }

  it('keeps the cost of www A after 15,000 TYPEn questions at a CNAME owner and a delegation point', async (t) => {
    const wwwA = q('www.example.com', RRType.A);
    await cost(1000, () => wwwA); // warm: the answer is prepared
    const before = await cost(4000, () => wwwA);
    const attack = await cost(15_000, (i) => (i % 3 === 2 ? q('sub.example.com', 1000 + i) : q(i % 3 === 0 ? 'www.example.com' : 'out.example.com', 1000 + i, { do: (i & 4) !== 0 })));
    assert.ok(attack.flood.received > 14_500, `attack answered: ${attack.flood.received}`);
    const afterAttack = await cost(4000, () => wwwA);
    const ratio = afterAttack.cpuPerQuery / before.cpuPerQuery;
    const us = (x: number): string => `${(x * 1e6).toFixed(1)} µs`;
    const msg = `www A: ${us(before.cpuPerQuery)} per query before, ${us(afterAttack.cpuPerQuery)} after (×${ratio.toFixed(2)}); attack ${us(attack.cpuPerQuery)} per query`;
    // Same-run ratio, generous for a shared 2-core machine; the old cache made it many times dearer.
    t.diagnostic(msg);
    assert.ok(ratio < 1.6, msg);
    assert.ok(attack.cpuPerQuery < before.cpuPerQuery * 6, msg);
    // Still correct: www A is the CNAME and the target's address.
    const r = decodeMessage(await queryUdp(port, wwwA));
    assert.equal(r.rcode, Rcode.NOERROR);
    assert.deepEqual(r.answers.map((a) => a.type), [RRType.CNAME, RRType.A]);
    const n = decodeMessage(await queryUdp(port, q('www.example.com', 4242)));
    assert.deepEqual(n.answers.map((a) => a.type), [RRType.CNAME]);
    assert.equal(n.authorities[0]?.type, RRType.SOA);
  });

  it('grows resident memory by at most answer-cache-size over a cache-less control after 18,000 cacheable questions, some padded to 30 KB', async (t) => {
    const types = [RRType.TXT, RRType.A, RRType.MX];
    const mib = (x: number): string => `${(x / 1048576).toFixed(1)} MiB`;
    /** RSS growth of the server on `p` (process `id`) under the attack. */
    const growth = async (p: number, id: number): Promise<number> => {
      // Warm with the same kinds of question on a few names, so the baseline has its JIT and buffers.
      await floodUdp(p, (i) => q(`h${i % 50}.example.com`, types[i % 3]!, { pad: i % 10 === 0 ? 30_000 : 0 }), { count: 2000, window: 8 });
      const rss0 = processRssBytes(id);
      const padded = await floodUdp(p, (i) => q(`h${i}.example.com`, RRType.A, { pad: 30_000 }), { count: 1000, window: 8 });
      assert.ok(padded.received > 950, `padded answered: ${padded.received}`);
      const plain = await floodUdp(p, (i) => q(`h${i % HOSTS}.example.com`, types[Math.floor(i / HOSTS) % 3]!, { do: i >= 3 * HOSTS }), { count: 6 * HOSTS, window: 64 });
      assert.ok(plain.received > 6 * HOSTS - 500, `answered: ${plain.received}`);
      return processRssBytes(id) - rss0;
    };
    const base = await growth(controlPort, control.child.pid!);
    const grown = await growth(port, pid);
    t.diagnostic(`RSS grew by ${mib(grown)}, the cache-less control's by ${mib(base)}`);
    // The cache's own bound, with room for the evicted entries the heap still holds until its next
    // full collection (V8 lets the old generation grow well past what is live) and for run-to-run noise.
    assert.ok(grown - base < 3 * CACHE + 8 * 1024 * 1024, `RSS grew by ${mib(grown)}, the cache-less control's by ${mib(base)} (answer-cache-size ${mib(CACHE)})`);
    // The cache keeps answering: a hot name is still answered right.
    const r = decodeMessage(await queryUdp(port, q('h7.example.com', RRType.TXT)));
    assert.equal(r.answers[0]?.type, RRType.TXT);
  });
});
