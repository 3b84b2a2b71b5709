/**
 * The CI version of the network soak (fuzz/soak.ts): 20,000 mutated UDP
 * datagrams and a few dozen broken TCP streams against a real `tyne serve`,
 * with the issue 12 attacks mixed in at a smaller size (up to 20,000
 * cache-attack queries, every other one padded with 60 KB; a flood of 2,000 connections,
 * 300 at once, past tcp-max-connections 200; a 20,000-record AXFR read
 * slowly; a one-query-a-second client), then the same end conditions as
 * `npm run fuzz -- --target soak`: the server is alive, answers
 * `shop.example MX` correctly over UDP and TCP and to the probe throughout,
 * the transfer and the steady client are never cut, and its RSS stays within
 * the bound.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runSoak } from './soak.js';

describe('network soak (short)', () => {
  it('survives 20,000 mutated datagrams, broken TCP streams and the cache and TCP attacks', { timeout: 60_000 }, async () => {
    const lines: string[] = [];
    const r = await runSoak({
      packets: 20_000,
      seconds: 10,
      tcpConnections: 24,
      tcpConcurrency: 12,
      tcpMaxMs: 3000,
      seed: 0x50a4,
      attacks: { cacheQueries: 20_000, padEvery: 2, floodTotal: 2_000, floodConcurrent: 300, axfrRecords: 20_000, axfrGapMs: 60 },
      log: (l) => lines.push(l),
    });
    const detail = `${r.failures.join('\n')}\n${lines.join('\n')}`;
    assert.equal(r.serverExit, null, `server exited: ${detail}`);
    assert.deepEqual(r.failures, [], detail);
    assert.ok(r.sent >= 20_000, `only ${r.sent} datagrams sent in the time box\n${detail}`);
    assert.ok(r.replies > 0, `no UDP replies at all\n${detail}`);
    assert.ok((r.tcp.connections ?? 0) > 0, `no TCP connections made\n${detail}`);
    assert.equal(r.tcp.cleanAnswers ?? 0, r.tcp.cleanQueries ?? 0, `pipelined valid TCP queries left unanswered\n${detail}`);
    assert.ok(r.rssAfterKiB <= r.rssBoundKiB, `RSS ${r.rssBeforeKiB} -> ${r.rssAfterKiB} KiB, bound ${r.rssBoundKiB} KiB\n${detail}`);
    assert.ok(r.cache !== null && r.cache.paddedQueries > 0 && r.cache.replies > 0, `the cache attack did not run\n${detail}`);
    assert.ok(r.tcpAttack !== null && r.tcpAttack.axfrComplete && r.steady !== null && r.steady.sent > 0, `the TCP attacks did not run to the end\n${detail}`);
    assert.ok(r.tcpAttack.floodOpened > 200, `the flood did not go past tcp-max-connections\n${detail}`);
    assert.ok(r.probe.sent > 0 && r.probe.wrong.length === 0, `probe: ${JSON.stringify(r.probe)}\n${detail}`);
  });
});
