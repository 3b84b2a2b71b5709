/**
 * Response rate limiting against a real `tyne serve` (issue 12 item 6):
 * 20,000 identical DNSKEY+DO queries from one source at udp-payload 4096,
 * the amplification attack that gave x56.9 before. With the limiter on
 * (loopback not exempt) the octets sent back stay below the octets
 * received, slipped TC answers come back, and TCP still gets the full
 * answer; with `rate-limit: false`, or with the default (loopback exempt),
 * everything is answered.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { RRType, Rcode, decodeMessage } from '../../src/wire/index.js';
import { buildQuery, queryTcp } from '../support/dns-client.js';
import { freePort } from '../support/ports.js';
import { tyneYaml, zoneText } from '../support/tyne-config.js';
import { startTyne, type TyneProcess } from '../support/tyne-process.js';
import { udpFlood } from '../support/udp-amplification.js';

const QUERIES = 20_000;

/** Four 2048-bit-sized DNSKEYs at the apex: about 1.1 KB of answer to a 40-octet question. */
function dnskeys(): string[] {
  return [0, 1, 2, 3].map((i) => `@ DNSKEY ${i === 0 ? 257 : 256} 3 8 ${Buffer.alloc(256, i + 1).toString('base64')}`);
}

const dirs: string[] = [];
const procs: TyneProcess[] = [];
after(async () => {
  await Promise.all(procs.map((p) => p.stop()));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function serve(rateLimit: string[] | null): Promise<{ port: number; tyne: TyneProcess }> {
  const dir = mkdtempSync(join(tmpdir(), 'tyne-rrl-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'example.com.zone'), zoneText('example.com', 1, { extra: dnskeys() }));
  const port = await freePort();
  const server = ['udp-payload: 4096', ...(rateLimit ?? [])];
  writeFileSync(join(dir, 'tyne.yaml'), tyneYaml({ listen: [`127.0.0.1:${port}`], server, primaries: [{ name: 'example.com', file: 'example.com.zone' }] }));
  const tyne = await startTyne(join(dir, 'tyne.yaml'));
  procs.push(tyne);
  return { port, tyne };
}

const QUERY = buildQuery({ id: 1, name: 'example.com', type: RRType.DNSKEY, edns: { udpPayload: 4096, do: true } });

describe('rate-limit: the DNSKEY+DO amplification attack', () => {
  it('limited (exempt: [], 20/s, slip 2): amplification below 1, TC slips seen, TCP still answered', async (t) => {
    const { port, tyne } = await serve(['rate-limit: { responses-per-second: 20, window: 15, slip: 2, exempt: [] }']);
    const r = await udpFlood({ port, query: QUERY, count: QUERIES });
    // Full answers: 20 in the first second and 20 a second more, for as long as the flood lasted.
    const full = r.received - r.truncated;
    t.diagnostic(`limited: ${r.sent} sent in ${r.sendMs.toFixed(0)} ms, ${full} full answers, ${r.truncated} TC, amplification x${r.amplification.toFixed(3)}`);
    const allowed = 20 + Math.ceil((20 * r.sendMs) / 1000) + 2;
    assert.ok(full <= allowed, `${full} full answers in ${r.sendMs.toFixed(0)} ms (at most ${allowed})`);
    assert.ok(full >= 1, 'the first answers go out');
    // slip 2: about one dropped answer in two goes out truncated (some may be lost on loopback).
    assert.ok(r.truncated >= QUERIES / 4, `${r.truncated} TC answers`);
    assert.ok(r.truncated <= QUERIES / 2 + 1, `${r.truncated} TC answers`);
    assert.ok(r.amplification < 1, `amplification x${r.amplification.toFixed(2)} (${r.bytesReceived} octets back for ${r.bytesSent})`);
    // A real client retries over TCP: never limited.
    const [tcp] = await queryTcp(port, [buildQuery({ id: 7, name: 'example.com', type: RRType.DNSKEY, edns: { udpPayload: 4096, do: true } })]);
    const m = decodeMessage(tcp!);
    assert.equal(m.rcode, Rcode.NOERROR);
    assert.equal(m.tc, false);
    assert.equal(m.answers.filter((a) => a.type === RRType.DNSKEY).length, 4);
    // The summary line (at the latest when the daemon stops).
    const mark = tyne.mark();
    await tyne.stop();
    const line = tyne.since(0).find((l) => typeof l.msg === 'string' && l.msg.startsWith('rate limit: '));
    assert.ok(line !== undefined, `no summary line; log since stop: ${JSON.stringify(tyne.since(mark))}`);
    assert.match(String(line.msg), /^rate limit: \d+ dropped, \d+ slipped in the last 10 s, top prefix 127\.0\.0\.0\/24 \(\d+ answer\)$/);
    const slipped = line.slipped as number;
    const dropped = line.dropped as number;
    assert.ok(slipped >= r.truncated, `${slipped} slips counted, ${r.truncated} seen`);
    assert.ok(slipped + dropped + full <= QUERIES, `${slipped} slipped + ${dropped} dropped + ${full} answered`);
    assert.ok(dropped >= QUERIES / 4, `${dropped} dropped`);
  });

  const open: { name: string; rateLimit: string[] | null }[] = [
    { name: 'rate-limit: false answers every query', rateLimit: ['rate-limit: false'] },
    { name: 'the default (on, loopback exempt) answers every query from 127.0.0.1', rateLimit: null },
  ];
  for (const c of open) {
    it(c.name, async (t) => {
      const { port } = await serve(c.rateLimit);
      const r = await udpFlood({ port, query: QUERY, count: QUERIES, burst: 20 });
      t.diagnostic(`${r.received} of ${r.sent} answered, ${r.truncated} TC, amplification x${r.amplification.toFixed(1)}`);
      // Loopback may lose a few datagrams under load; a limiter would lose half or more.
      assert.ok(r.received >= QUERIES * 0.98, `${r.received} of ${QUERIES} answered`);
      assert.equal(r.truncated, 0);
      assert.ok(r.amplification > 20, `amplification x${r.amplification.toFixed(1)}`);
    });
  }
});
